"""Worker tasks of partner requests: the intake poll, due dates, the digest, status-link mail."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from integrations.syncruns import SyncAlreadyRunning
from requests_app import notices
from requests_app.intake import poll
from requests_app.models import PartnerRequest


@shared_task(name="requests_app.tasks.poll_requests")
def poll_requests() -> dict:
    """Backstop for lost request events: read what changed since the last poll."""
    try:
        run = poll()
    except SyncAlreadyRunning as exc:
        return {"skipped": str(exc)}
    return {"run": run.pk, "seen": run.seen, "created": run.created}


@shared_task(name="requests_app.tasks.note_breaches")
def note_breaches() -> int:
    """Record each request's breach once and tell its owner."""
    return notices.note_breaches()


@shared_task(name="requests_app.tasks.send_digest")
def send_digest() -> int:
    """One e-mail per manager: their communities' requests that are overdue or due soon."""
    return notices.send_digest()


@shared_task(name="requests_app.tasks.send_status_link")
def send_status_link(request_id: int, user_id: int, days: int | None) -> int:
    """A new status link e-mailed to the partner's contacts, issued in the worker."""
    request = PartnerRequest.objects.select_related("partner").get(pk=request_id)
    user = get_user_model().objects.get(pk=user_id)
    return notices.mail_status_link(user, request, days)
