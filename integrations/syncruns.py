"""Sync runs share one lock mechanism: a running run per lock key, enforced by the database."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.models import SyncRun
from portal.context import current


class SyncAlreadyRunning(Exception):
    pass


def start_run(kind: str, lock_key: str) -> SyncRun:
    """Take the lock by creating a running run; a stale run's lock is broken first."""
    stale_before = timezone.now() - timedelta(minutes=settings.CANTO_SYNC_STALE_MINUTES)
    SyncRun.objects.filter(
        lock_key=lock_key, state=SyncRun.State.RUNNING, heartbeat_at__lt=stale_before
    ).update(
        state=SyncRun.State.FAILED,
        finished_at=timezone.now(),
        error="Abandoned: no progress for too long (the worker probably stopped).",
    )
    try:
        with transaction.atomic():
            return SyncRun.objects.create(
                kind=kind, lock_key=lock_key, requested_by=current().resolved_actor().name
            )
    except IntegrityError:
        running = SyncRun.objects.filter(lock_key=lock_key, state=SyncRun.State.RUNNING).first()
        raise SyncAlreadyRunning(f"{running or 'A sync'} is still running.") from None
