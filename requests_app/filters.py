"""The request FilterSet: the queue page, its CSV export and ``/api/v1/requests/`` use it.
Querysets are narrowed to the person's communities before filtering."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from portal.grants import communities_for
from portal.models import Community
from portal.numbers import plain_id
from requests_app import sla
from requests_app.models import PartnerRequest

STANDING = [
    ("breached", "Overdue"),
    ("due_soon", "Due soon"),
    ("on_track", "On track"),
]
OWNER = [("me", "Mine"), ("none", "Nobody's")]
OPEN = [("open", "Open"), ("finished", "Finished")]


class RequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    state = django_filters.MultipleChoiceFilter(choices=PartnerRequest.State.choices)
    status = django_filters.ChoiceFilter(choices=OPEN, method="by_status", label="Open or finished")
    kind = django_filters.MultipleChoiceFilter(choices=PartnerRequest.Kind.choices)
    community = django_filters.ModelChoiceFilter(
        queryset=Community.objects.none(), label="Community"
    )
    owner = django_filters.ChoiceFilter(choices=OWNER, method="by_owner", label="Owner")
    standing = django_filters.ChoiceFilter(choices=STANDING, method="by_standing", label="Due date")
    locale = django_filters.CharFilter(field_name="locale", lookup_expr="istartswith")
    received_since = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label="Received since"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("received_at", "received"),
            ("due_at", "due"),
            ("state_changed_at", "changed"),
            ("kind", "kind"),
            ("state", "state"),
        ),
        label="Sort by",
    )

    class Meta:
        model = PartnerRequest
        fields = ["q", "state", "status", "kind", "community", "owner", "standing", "locale"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.user = getattr(request, "user", None)
        self.filters["community"].queryset = (
            communities_for(self.user).order_by("name")
            if self.user is not None
            else Community.objects.none()
        )

    def search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        wanted = (
            Q(subject__icontains=value)
            | Q(description__icontains=value)
            | Q(tg_id__iexact=value)
            | Q(partner__company_name__icontains=value)
        )
        reference = plain_id(value.upper().removeprefix("REQ-"))
        if reference is not None:
            wanted |= Q(pk=reference)
        return queryset.filter(wanted)

    def by_status(self, queryset, name, value: str):
        if value == "open":
            return queryset.filter(state__in=PartnerRequest.OPEN_STATES)
        return queryset.exclude(state__in=PartnerRequest.OPEN_STATES)

    def by_owner(self, queryset, name, value: str):
        if value == "none":
            return queryset.filter(owner=None)
        if self.user is None or not self.user.is_authenticated:
            return queryset.none()
        return queryset.filter(owner=self.user)

    def by_standing(self, queryset, name, value: str):
        now = timezone.now()
        if value == "breached":
            return sla.breached(queryset, now)
        if value == "due_soon":
            return sla.due_soon(queryset, now)
        soon = sla.due_soon(queryset, now).values("pk")
        return queryset.filter(state__in=PartnerRequest.OPEN_STATES, due_at__gte=now).exclude(
            pk__in=soon
        )
