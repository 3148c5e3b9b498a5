"""FilterSets of the portal core."""

import django_filters
from django.db.models import Q
from django_filters.widgets import DateRangeWidget

from portal.context import VIA_CHOICES
from portal.models import JobRun


class JobRunFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    state = django_filters.MultipleChoiceFilter(choices=JobRun.State.choices)
    trigger = django_filters.ChoiceFilter(choices=VIA_CHOICES)
    task_name = django_filters.CharFilter(lookup_expr="icontains", label="Task")
    requested_by = django_filters.CharFilter(label="Requested by")
    queued = django_filters.DateFromToRangeFilter(
        field_name="queued_at",
        label="Queued between",
        widget=DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = JobRun
        fields = ["q", "state", "trigger", "task_name", "requested_by", "queued"]

    def search(self, queryset, name, value: str):
        return queryset.filter(
            Q(task_name__icontains=value) | Q(error__icontains=value) | Q(task_id=value)
        )
