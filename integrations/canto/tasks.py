"""Worker tasks of the Canto integration."""

import logging

from celery import shared_task

from integrations.canto.runs import run_catalog_sync
from integrations.syncruns import SyncAlreadyRunning

log = logging.getLogger(__name__)


# A full sync of a large catalog outlasts the default task limits; still well inside the
# broker's visibility timeout, so a long run is never delivered twice.
@shared_task(name="integrations.canto.tasks.sync_catalog", soft_time_limit=3600, time_limit=3660)
def sync_catalog(full: bool = False) -> dict:
    """A full or incremental catalog sync; skipped (not failed) while another one runs."""
    try:
        run = run_catalog_sync(full=full)
    except SyncAlreadyRunning as exc:
        log.info("Catalog sync skipped: %s", exc)
        return {"skipped": str(exc)}
    return {
        "run": run.pk,
        "seen": run.seen,
        "created": run.created,
        "updated": run.updated,
        "deleted": run.deleted,
        "failed": run.failed,
    }
