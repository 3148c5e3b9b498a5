"""The catalog FilterSet: the catalog page, ``/api/v1/assets/`` and the CSV export use it."""

import django_filters
from django.db.models import Q

from portal.distinct_values import IndexedValuesFilter
from portal.models import Album, Asset
from portal.models.catalog import SCHEMES

STATES = [("present", "In Canto"), ("deleted", "Deleted in Canto")]


def _albums():
    return list(Album.objects.filter(scheme="album").values_list("canto_id", "name_path"))


class AssetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    scheme = django_filters.MultipleChoiceFilter(choices=SCHEMES)
    approval_status = IndexedValuesFilter(label="Canto status")
    category = IndexedValuesFilter()
    language = IndexedValuesFilter()
    region = IndexedValuesFilter()
    tag = django_filters.CharFilter(method="by_tag", label="Tag or keyword")
    album = django_filters.ChoiceFilter(choices=_albums, method="by_album", label="Album")
    regulated = django_filters.BooleanFilter()
    changed_since = django_filters.DateFilter(
        field_name="canto_modified", lookup_expr="gte", label="Changed since"
    )
    state = django_filters.ChoiceFilter(choices=STATES, method="by_state", label="In Canto")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("canto_modified", "changed"),
            ("name", "name"),
            ("approval_status", "status"),
            ("category", "category"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Asset
        fields = [
            "q",
            "scheme",
            "approval_status",
            "category",
            "language",
            "region",
            "tag",
            "album",
            "regulated",
            "changed_since",
            "state",
        ]

    def search(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(tag_index__contains=value.lower()) | Q(canto_id=value)
        )

    def by_tag(self, queryset, name, value: str):
        return queryset.filter(tag_index__contains=f"|{value.strip().lower()}|")

    def by_album(self, queryset, name, value: str):
        return queryset.filter(album_index__contains=f"|{value.strip().lower()}|")

    def by_state(self, queryset, name, value: str):
        return queryset.filter(deleted_in_canto=(value == "deleted"))
