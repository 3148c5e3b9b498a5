import django_filters

from integrations.models import OutboxMessage, SyncRun


class SyncRunFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SyncRun.Kind.choices)
    state = django_filters.ChoiceFilter(choices=SyncRun.State.choices)

    class Meta:
        model = SyncRun
        fields = ["kind", "state"]


class OutboxFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OutboxMessage.Status.choices)
    operation = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = OutboxMessage
        fields = ["status", "operation"]
