"""Worker tasks of the inbox."""

from datetime import timedelta

from celery import shared_task

from integrations import inbox
from integrations.http import TransientError


@shared_task(
    name="integrations.tasks.process_inbox_event",
    autoretry_for=(TransientError,),
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
    ids = inbox.stalled(older_than=timedelta(minutes=2))
    for event_id in ids:
        process_inbox_event.delay(event_id)
    return len(ids)


@shared_task(name="integrations.tasks.relay_outbox")
def relay_outbox() -> dict:
    """Deliver every due outbox message (kicked after each commit that owes one, and by beat);
    a backlog larger than a batch brings in more relays, one per full batch claimed."""
    from integrations import outbox

    return outbox.relay(helper=relay_outbox.delay)
