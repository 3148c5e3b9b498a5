"""The audit trail's FilterSet: the viewer, the API and the CSV export all use it."""

import django_filters
from django.db.models import Q
from django_filters.widgets import DateRangeWidget

from audit import registry
from audit.models import AuditEvent
from portal.context import ACTOR_TYPES


class AuditEventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    actor = django_filters.CharFilter(field_name="actor_name", label="Actor")
    actor_type = django_filters.ChoiceFilter(choices=ACTOR_TYPES)
    action = django_filters.MultipleChoiceFilter(choices=registry.choices)
    object_type = django_filters.CharFilter(label="Object type")
    object_id = django_filters.CharFilter(label="Object id")
    date = django_filters.DateFromToRangeFilter(
        field_name="time", label="Between dates", widget=DateRangeWidget(attrs={"type": "date"})
    )
    request_id = django_filters.CharFilter(label="Request id")

    class Meta:
        model = AuditEvent
        fields = [
            "q",
            "actor",
            "actor_type",
            "action",
            "object_type",
            "object_id",
            "date",
            "request_id",
        ]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        between = self.form.cleaned_data.get("date")
        if between and (between.start or between.stop):
            # Time rises with the sequence; ordering by it lets the database walk the time
            # index from the range's end instead of the whole trail from its newest event.
            queryset = queryset.order_by("-time", "-seq")
        return queryset

    def search(self, queryset, name, value: str):
        return queryset.filter(
            Q(object_label__icontains=value)
            | Q(reason__icontains=value)
            | Q(action__icontains=value)
            | Q(actor_name__icontains=value)
        )
