"""Service levels: when a request is due, which are due soon or breached, the daily digest."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from requests_app.models import PartnerRequest, ServiceLevel


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def level(kind: str) -> tuple[int, int]:
    """(target hours, warning hours) for a kind: the admin's service level or the setting."""
    found = ServiceLevel.objects.filter(kind=kind).first()
    if found is not None:
        return found.target_hours, found.warn_hours
    return settings.REQUEST_SERVICE_HOURS.get(kind, 5 * 24), settings.REQUEST_WARN_HOURS


def due_for(request: PartnerRequest) -> datetime:
    start = request.received_at or timezone.now()
    return start + timedelta(hours=level(request.kind)[0])


def breached(requests: QuerySet[PartnerRequest], now: datetime | None = None):
    now = now or timezone.now()
    return requests.filter(state__in=PartnerRequest.OPEN_STATES, due_at__lt=now)


def due_soon(requests: QuerySet[PartnerRequest], now: datetime | None = None):
    """Open requests not yet breached but inside their kind's warning window."""
    now = now or timezone.now()
    windows = Q()
    for kind, _label in PartnerRequest.Kind.choices:
        warn = level(kind)[1]
        windows |= Q(kind=kind, due_at__lt=now + timedelta(hours=warn))
    return requests.filter(state__in=PartnerRequest.OPEN_STATES, due_at__gte=now).filter(windows)


def standing(request: PartnerRequest, now: datetime | None = None) -> str:
    """``breached``, ``due_soon``, ``on_track`` or ``""`` (closed or no due date)."""
    if not request.is_open or request.due_at is None:
        return ""
    now = now or timezone.now()
    if request.due_at < now:
        return "breached"
    if request.due_at < now + timedelta(hours=level(request.kind)[1]):
        return "due_soon"
    return "on_track"
