"""Worker tasks of partner requests."""

import logging

from celery import shared_task

from integrations.syncruns import SyncAlreadyRunning
from requests_app.intake import poll

log = logging.getLogger(__name__)


@shared_task(name="requests_app.tasks.poll_requests")
def poll_requests() -> dict:
    """Backstop for lost request events: read what changed since the last poll."""
    try:
        run = poll()
    except SyncAlreadyRunning as exc:
        return {"skipped": str(exc)}
    return {"run": run.pk, "seen": run.seen, "created": run.created}
