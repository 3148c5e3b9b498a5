import django_filters

from integrations.models import SyncRun


class SyncRunFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SyncRun.Kind.choices)
    state = django_filters.ChoiceFilter(choices=SyncRun.State.choices)

    class Meta:
        model = SyncRun
        fields = ["kind", "state"]
