"""The distinct values of an indexed column, read by skipping through its index.

``SELECT DISTINCT`` reads every row: on a catalog of 100,000 assets that is tens of
milliseconds for each filter drop-down on every page. A recursive query that asks the index for
"the next value after this one" costs one index probe per distinct value instead.
"""

from __future__ import annotations

import django_filters
from django.db import connections, router
from django.db.models import Model


def distinct_values(model: type[Model], field_name: str) -> list[str]:
    """Every value of ``field_name`` in ``model``'s table, sorted, without NULLs."""
    using = router.db_for_read(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(model._meta.get_field(field_name).column)
    # Only quoted names from the model's own metadata go into the statement, never input.
    sql = (
        f"WITH RECURSIVE skip(value) AS ("  # noqa: S608
        f" SELECT * FROM (SELECT {column} FROM {table} WHERE {column} IS NOT NULL"
        f" ORDER BY {column} LIMIT 1) AS first_value"
        f" UNION ALL"
        f" SELECT (SELECT {column} FROM {table} WHERE {column} > skip.value"
        f" ORDER BY {column} LIMIT 1) FROM skip WHERE skip.value IS NOT NULL"
        f") SELECT value FROM skip WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


class IndexedValuesFilter(django_filters.ChoiceFilter):
    """``AllValuesFilter`` for a column with an index: the same choices, found by skipping."""

    @property
    def field(self):
        values = distinct_values(self.model, self.field_name)
        self.extra["choices"] = [(value, value) for value in values]
        return super().field
