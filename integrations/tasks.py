"""Worker tasks of the inbox."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from integrations import inbox
from integrations.http import MalformedResponse, TransientError


# An unreadable answer (a body cut off on its way) and a lost database connection are retried
# like a 5xx: waiting for the sweep would leave the event failed for ten minutes.
@shared_task(
    name="integrations.tasks.process_inbox_event",
    autoretry_for=(TransientError, MalformedResponse, OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def process_inbox_event(event_id: int) -> str:
    return inbox.process(event_id)


@shared_task(name="integrations.tasks.sweep_inbox")
def sweep_inbox() -> int:
    """Queue events nobody is working on: missed by the broker, or left by a dead worker."""
    ids = inbox.stalled(older_than=timedelta(seconds=settings.INBOX_SWEEP_AFTER_SECONDS))
    for event_id in ids:
        process_inbox_event.delay(event_id)
    return len(ids)


@shared_task(name="integrations.tasks.relay_outbox")
def relay_outbox(joined: int = 1) -> dict:
    """Deliver every due outbox message (kicked after each commit that owes one, and by beat).

    A backlog larger than a batch brings in one more relay, which may bring in another, up to
    ``OUTBOX_RELAYS`` relays in all: the rest of the workers stay free for other work, and the
    per-process rate limit is multiplied at most that many times."""
    from integrations import outbox

    helper = None
    if joined < settings.OUTBOX_RELAYS:
        helper = lambda: relay_outbox.delay(joined + 1)  # noqa: E731
    return outbox.relay(helper=helper)
