"""Sync runs share one lock mechanism: a running run per lock key, enforced by the database."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from integrations.models import SyncFailure, SyncRun
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


def keep_failure(run: SyncRun, item: Any, error: str, external_id: Any = "") -> None:
    """Count an item the run could not use, and keep it (reason and payload) for inspection."""
    SyncFailure.objects.create(
        run=run,
        external_id=str(external_id).replace("\x00", "")[:128],
        error=error.replace("\x00", "")[:2000],
        payload=json.dumps(item, default=str)[:2000],
    )
    SyncRun.objects.filter(pk=run.pk).update(failed=F("failed") + 1)
