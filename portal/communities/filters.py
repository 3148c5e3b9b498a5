"""FilterSets of communities and partners (pages, API and CSV share them)."""

import django_filters
from django.db.models import Q

from portal.models import Community, Partner


def _granted(request):
    from portal.grants import communities_for

    return communities_for(request.user) if request is not None else Community.objects.none()


class ChoicesFromRows(django_filters.FilterSet):
    """Offers as choices only the values present in the rows the person may see."""

    choice_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.choice_fields:
            values = self.queryset.order_by().values_list(name, flat=True).distinct()
            self.filters[name].extra["choices"] = [(v, v) for v in sorted(set(values)) if v]


class CommunityFilter(ChoicesFromRows):
    q = django_filters.CharFilter(method="search", label="Search")
    region = django_filters.ChoiceFilter()
    status = django_filters.ChoiceFilter()
    choice_fields = ("region", "status")

    class Meta:
        model = Community
        fields = ["q", "region", "status"]

    def search(self, queryset, name, value: str):
        return queryset.filter(Q(name__icontains=value) | Q(tg_id=value))


class PartnerFilter(ChoicesFromRows):
    q = django_filters.CharFilter(method="search", label="Search")
    community = django_filters.ModelChoiceFilter(
        queryset=lambda request: _granted(request), method="in_community", label="Community"
    )
    tier = django_filters.ChoiceFilter()
    status = django_filters.ChoiceFilter()
    language = django_filters.ChoiceFilter()
    choice_fields = ("tier", "status", "language")

    class Meta:
        model = Partner
        fields = ["q", "community", "tier", "status", "language"]

    def search(self, queryset, name, value: str):
        return queryset.filter(Q(company_name__icontains=value) | Q(tg_id=value))

    def in_community(self, queryset, name, value: Community):
        return queryset.filter(memberships__community=value, memberships__active=True)
