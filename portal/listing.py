"""List pages: one FilterSet serves the page, the API and the CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.generic import ListView

from portal.paging import BoundedPaginator


class FilteredListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """A permission-guarded list narrowed by ``filterset_class``; htmx gets only the table."""

    filterset_class: type | None = None
    paginate_by = 50
    paginator_class = BoundedPaginator
    partial_template_name: str = ""
    raise_exception = True

    def get_base_queryset(self):
        return super().get_queryset()

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.get_base_queryset(), request=self.request
        )
        if not self.filterset.is_bound:
            return self.filterset.queryset
        # An invalid filter shows its error and no rows, never an unfiltered list.
        return self.filterset.qs if self.filterset.is_valid() else self.model.objects.none()

    def paginate_queryset(self, queryset, page_size):
        """As ListView's, but a page past the end (a bookmark, or beyond the counted rows)
        shows the last page instead of an error."""
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and self.partial_template_name:
            return [self.partial_template_name]
        return super().get_template_names()


class _Echo:
    def write(self, value: str) -> str:
        return value


def iso(value) -> str:
    """A date and time for a CSV cell (empty when there is none)."""
    return value.isoformat() if value else ""


def stream_csv(
    filename: str, header: list[str], rows: Iterable[Any], to_row: Callable[[Any], list[Any]]
) -> StreamingHttpResponse:
    """Stream a CSV export row by row, so memory stays flat whatever the size."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_safe_cell(value) for value in to_row(row)])

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response


def _safe_cell(value: Any) -> Any:
    # Spreadsheet formula injection: a cell that starts with =, +, - or @ is shown as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
