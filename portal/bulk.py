"""Many-row upserts for the sync's hot path.

``bulk_create(update_conflicts=True)`` compiles every value of every row through the ORM;
for a catalog of 100,000 assets that costs more than fetching it. This prepares the statement
once and lets the driver's ``executemany`` carry the rows. Values are adapted exactly as the
ORM would for the fields used here (JSON and date-times; plain values pass through).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models


def _adapter(field: models.Field) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda value: ops.adapt_json_value(value, field.encoder)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    return lambda value: value


def upsert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str],
    update: Sequence[str] = (),
) -> None:
    """INSERT the rows; on a conflict over ``conflict`` update ``update`` (or do nothing)."""
    if not rows:
        return
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    target = ", ".join(quote(model._meta.get_field(n).column) for n in conflict)
    if update:
        sets = ", ".join(
            f"{quote(c)} = EXCLUDED.{quote(c)}"
            for c in (model._meta.get_field(n).column for n in update)
        )
        action = f"DO UPDATE SET {sets}"
    else:
        action = "DO NOTHING"
    # Identifiers come from model metadata, quoted; every value is a parameter.
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({target}) {action}"  # noqa: S608
    adapters = [_adapter(f) for f in fields]
    params = [
        [adapt(row[name]) for adapt, name in zip(adapters, names, strict=True)] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
