"""Pagination that stays fast on large tables.

Pages count at most ``LIST_COUNT_LIMIT`` matching rows: beyond that the page says "more than N" and
offers no page past the limit, so neither the count nor a deep ``OFFSET`` scans the whole table.
Narrowing the filter (a date range, a community) reaches older rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class BoundedPaginator(Paginator):
    @cached_property
    def _bounded(self) -> tuple[int, bool]:
        limit = max(settings.LIST_COUNT_LIMIT, self.per_page)
        # A sliced count is SELECT COUNT(*) FROM (SELECT ... LIMIT n): it stops at n rows,
        # and needs no ORDER BY to know how many there are.
        rows = self.object_list
        if hasattr(rows, "order_by"):
            rows = rows.order_by()
        found = rows[: limit + 1].count() if hasattr(rows, "query") else len(rows)
        return min(found, limit), found > limit

    @property
    def count(self) -> int:
        return self._bounded[0]

    @property
    def more(self) -> bool:
        """Whether more rows match than were counted."""
        return self._bounded[1]


class SeqCursorPagination(CursorPagination):
    """Keyset pages over an ever-growing, append-only table: constant cost at any depth."""

    ordering = "-seq"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params:
            # A client numbering pages would otherwise get the first page again and again.
            raise ValidationError(
                {"page": ["This list pages by cursor: follow the next and previous links."]}
            )
        return super().paginate_queryset(queryset, request, view)
