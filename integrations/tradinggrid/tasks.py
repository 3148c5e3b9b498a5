"""Worker tasks of the Trading Grid integration."""

import logging

from celery import shared_task

from integrations.syncruns import SyncAlreadyRunning
from integrations.tradinggrid.sync import run_partner_sync

log = logging.getLogger(__name__)


@shared_task(
    name="integrations.tradinggrid.tasks.sync_partners", soft_time_limit=3600, time_limit=3660
)
def sync_partners(full: bool = False) -> dict:
    """Communities, partners and contacts; skipped (not failed) while another run is going."""
    try:
        run = run_partner_sync(full=full)
    except SyncAlreadyRunning as exc:
        log.info("Partner sync skipped: %s", exc)
        return {"skipped": str(exc)}
    return {"run": run.pk, "seen": run.seen, "created": run.created, "left": run.deleted}


@shared_task(name="integrations.tradinggrid.tasks.reconcile_publications")
def reconcile_publications() -> dict:
    """Find and repair differences between Trading Grid and the portal's publications."""
    from integrations.tradinggrid.reconcile import reconcile

    return reconcile()
