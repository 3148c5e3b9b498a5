"""Worker tasks of usage feedback: the backstop poll and the write-back to Canto."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from portal.usage import ingest, writeback


@shared_task(name="portal.usage.tasks.poll_usage")
def poll_usage() -> dict:
    """Backstop for lost publication events: read every live publication's usage again."""
    return ingest.poll()


@shared_task(name="portal.usage.tasks.write_back_usage")
def write_back_usage(everything: bool = False) -> dict:
    """Queue Canto writes for assets whose totals changed (beat: every shared asset)."""
    if not everything:
        # Usage arriving from now on queues the next write-back.
        cache.delete(writeback.QUEUED_KEY)
    return writeback.run(everything=everything)
