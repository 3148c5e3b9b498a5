"""The usage page and its CSV export: the same FilterSet, narrowed to the person's communities."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect

from portal.listing import FilteredListView, stream_csv
from portal.models import Asset, UsageDaily
from portal.usage.filters import (
    GROUP_KEYS,
    VIEW,
    UsageFilter,
    grouped,
    summed,
    visible_usage,
)

ROW_HEADER = [
    "day",
    "asset_id",
    "asset",
    "version",
    "community",
    "partner_tg_id",
    "partner",
    "views",
    "downloads",
    "acknowledgements",
]
COUNTS = ["views", "downloads", "acknowledgements"]


def with_names(queryset):
    return queryset.select_related("asset", "community", "partner")


class UsageListView(FilteredListView):
    model = UsageDaily
    filterset_class = UsageFilter
    permission_required = VIEW
    template_name = "usage/list.html"
    partial_template_name = "usage/_table.html"

    def get_base_queryset(self):
        return with_names(visible_usage(self.request.user))

    def get_queryset(self):
        rows = super().get_queryset()
        self.rows = rows
        self.group = self.filterset.chosen_group
        return grouped(rows, self.group) if self.group else rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["group"] = self.group
        context["totals"] = summed(self.rows)
        asset_id = self.request.GET.get("asset", "")
        if asset_id.isdigit() and len(asset_id) < 19:
            context["asset"] = Asset.objects.filter(pk=int(asset_id)).only("pk", "name").first()
        return context


@login_required
@permission_required(VIEW, raise_exception=True)
def export_csv(request):
    """The usage rows (or totals per group) of the page, with the same filters."""
    filterset = UsageFilter(
        request.GET or None, queryset=with_names(visible_usage(request.user)), request=request
    )
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The export filter is not valid: " + filterset.errors.as_text())
        return redirect("usage:list")
    rows = filterset.qs if filterset.is_bound else filterset.queryset
    group = filterset.chosen_group
    if group:
        keys = GROUP_KEYS[group]
        return stream_csv(
            f"usage-per-{group}",
            [k.replace("__", "_") for k in keys] + COUNTS,
            grouped(rows, group).iterator(chunk_size=1000),
            lambda r: [r[k] for k in keys] + [r[c] for c in COUNTS],
        )
    return stream_csv(
        "usage",
        ROW_HEADER,
        rows.order_by("-day", "pk").iterator(chunk_size=1000),
        lambda r: [
            r.day.isoformat(),
            r.asset_id,
            r.asset.name,
            r.version_no,
            r.community.name,
            r.partner.tg_id,
            r.partner.company_name,
            r.views,
            r.downloads,
            r.acknowledgements,
        ],
    )
