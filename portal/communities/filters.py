"""FilterSets of communities and partners (pages, API and CSV share them)."""

import django_filters
from django.db.models import Q

from portal.models import Community, Partner


def _granted(request):
    from portal.grants import communities_for

    return communities_for(request.user) if request is not None else Community.objects.none()


class CommunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    region = django_filters.AllValuesFilter()
    status = django_filters.AllValuesFilter()

    class Meta:
        model = Community
        fields = ["q", "region", "status"]

    def search(self, queryset, name, value: str):
        return queryset.filter(Q(name__icontains=value) | Q(tg_id=value))


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    community = django_filters.ModelChoiceFilter(
        queryset=lambda request: _granted(request), method="in_community", label="Community"
    )
    tier = django_filters.AllValuesFilter()
    status = django_filters.AllValuesFilter()
    language = django_filters.AllValuesFilter()

    class Meta:
        model = Partner
        fields = ["q", "community", "tier", "status", "language"]

    def search(self, queryset, name, value: str):
        return queryset.filter(Q(company_name__icontains=value) | Q(tg_id=value))

    def in_community(self, queryset, name, value: Community):
        return queryset.filter(memberships__community=value, memberships__active=True)
