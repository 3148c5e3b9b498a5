"""Worker tasks of the inbox."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from integrations import inbox
from integrations.http import TransientError
from integrations.models import InboxEvent


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
    """Queue pending events nobody picked up (the broker was down when they arrived)."""
    cutoff = timezone.now() - timedelta(minutes=1)
    ids = list(
        InboxEvent.objects.filter(
            status=InboxEvent.Status.PENDING, received_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    for event_id in ids:
        process_inbox_event.delay(event_id)
    return len(ids)
