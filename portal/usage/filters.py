"""The usage FilterSet: the usage page, ``/api/v1/usage/`` and the CSV export use it. Rows
are narrowed to the person's communities before filtering."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet, Sum
from django_filters.widgets import DateRangeWidget

from portal.grants import communities_for, sees_everything
from portal.models import Community, UsageDaily
from portal.numbers import MAX_ID

VIEW = "portal.view_usagedaily"
GROUPS = [
    ("asset", "Asset"),
    ("community", "Community"),
    ("partner", "Partner"),
    ("day", "Day"),
]
# What a grouped row shows: the group's keys, then the sums.
GROUP_KEYS = {
    "asset": ["asset_id", "asset__name"],
    "community": ["community_id", "community__name"],
    "partner": ["partner_id", "partner__tg_id", "partner__company_name"],
    "day": ["day"],
}
GROUP_ORDER = {
    "asset": ["asset__name", "asset_id"],
    "community": ["community__name", "community_id"],
    "partner": ["partner__company_name", "partner_id"],
    "day": ["-day"],
}
SUMS = {
    "views": Sum("views"),
    "downloads": Sum("downloads"),
    "acknowledgements": Sum("acknowledgements"),
}


def visible_usage(user) -> QuerySet[UsageDaily]:
    """Daily usage in the communities the person may act on (all for admins)."""
    if not user.is_authenticated or not user.has_perm(VIEW):
        return UsageDaily.objects.none()
    if sees_everything(user):
        return UsageDaily.objects.all()
    return UsageDaily.objects.filter(community__in=communities_for(user))


def summed(queryset: QuerySet[UsageDaily]) -> dict[str, int]:
    """Total views, downloads and acknowledgements of the rows, in one query."""
    found = queryset.order_by().aggregate(**SUMS)
    return {name: value or 0 for name, value in found.items()}


def grouped(queryset: QuerySet[UsageDaily], group: str) -> QuerySet:
    """One row per asset, community, partner or day with its sums."""
    return (
        queryset.order_by()
        .values(*GROUP_KEYS[group])
        .annotate(**SUMS)
        .order_by(*GROUP_ORDER[group])
    )


class UsageFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    asset = django_filters.NumberFilter(field_name="asset_id", method="by_id", label="Asset id")
    version = django_filters.NumberFilter(field_name="version_no", method="by_id", label="Version")
    community = django_filters.ModelChoiceFilter(
        queryset=Community.objects.none(), label="Community"
    )
    partner = django_filters.NumberFilter(
        field_name="partner_id", method="by_id", label="Partner id"
    )
    day = django_filters.DateFromToRangeFilter(
        label="Between", widget=DateRangeWidget(attrs={"type": "date"})
    )
    group = django_filters.ChoiceFilter(
        choices=GROUPS, method="by_group", label="Totals per", empty_label="Each day's rows"
    )

    class Meta:
        model = UsageDaily
        fields = ["q", "asset", "version", "community", "partner", "day", "group"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["community"].queryset = (
            communities_for(user).order_by("name") if user is not None else Community.objects.none()
        )

    def search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(asset__name__icontains=value)
            | Q(partner__company_name__icontains=value)
            | Q(partner__tg_id=value)
        )

    def by_id(self, queryset, name, value):
        if value is None:
            return queryset
        if value != value.to_integral_value() or not 0 < value <= MAX_ID:
            return queryset.none()  # no row has it (and the database is not asked)
        return queryset.filter(**{name: int(value)})

    def by_group(self, queryset, name, value):
        return queryset  # read by the page, the API and the export

    @property
    def chosen_group(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return self.form.cleaned_data.get("group") or ""
