"""The kit FilterSets: the kits page, ``/api/v1/kits/`` and the CSV export share ``KitFilter``;
the kit page's partner table, its export and the API's partners list share ``KitPartnerFilter``.
"""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.grants import communities_for
from portal.kits.tracking import PROGRESS
from portal.models import Community, Kit, Release
from portal.numbers import MAX_ID
from portal.releases.filters import visible_releases


def visible_kits(user) -> QuerySet[Kit]:
    """Kits whose release the person may see (a community of theirs is targeted)."""
    return Kit.objects.filter(release__in=visible_releases(user)).select_related("release")


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment read in UTC: an offset Python accepts (up to a day) but PostgreSQL
    does not (beyond 15:59) must not reach the database, nor a moment UTC cannot hold."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or timezone.is_naive(moment):
            return moment
        try:
            return moment.astimezone(UTC)
        except OverflowError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class KitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    state = django_filters.MultipleChoiceFilter(
        field_name="release__state", choices=Release.State.choices
    )
    community = django_filters.ModelChoiceFilter(
        queryset=Community.objects.none(), method="by_community", label="Community"
    )
    deadline_after = UtcIsoDateTimeFilter(
        field_name="deadline", lookup_expr="gte", label="Deadline from"
    )
    deadline_before = UtcIsoDateTimeFilter(
        field_name="deadline", lookup_expr="lte", label="Deadline until"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("deadline", "deadline"),
            ("release__name", "name"),
            ("release__publish_at", "launch"),
            ("release__updated_at", "changed"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Kit
        fields = ["q", "state", "community", "deadline_after", "deadline_before"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["community"].queryset = (
            communities_for(user).order_by("name") if user is not None else Community.objects.none()
        )

    def search(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(
            Q(release__name__icontains=value) | Q(release__items__asset__name__icontains=value)
        ).distinct()

    @extend_schema_field(OpenApiTypes.INT)
    def by_community(self, queryset, name, value):
        return queryset.filter(release__communities=value) if value else queryset


class KitPartnerFilter(django_filters.FilterSet):
    """Over ``tracking.partner_rows``: who did what with one kit."""

    q = django_filters.CharFilter(method="search", label="Partner")
    progress = django_filters.MultipleChoiceFilter(choices=PROGRESS, label="Progress")
    community = django_filters.NumberFilter(
        field_name="community_id", method="by_id", label="Community"
    )
    reminded = django_filters.BooleanFilter(
        field_name="reminded_at", lookup_expr="isnull", exclude=True, label="Reminded"
    )

    def search(self, queryset, name, value: str):
        return queryset.filter(partner__company_name__icontains=value.strip())

    def by_id(self, queryset, name, value):
        if value is None:
            return queryset
        if value != value.to_integral_value() or not 0 < value <= MAX_ID:
            return queryset.none()  # no row has it (and the database is not asked)
        return queryset.filter(**{name: int(value)})
