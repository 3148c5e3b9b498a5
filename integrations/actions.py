"""Audit actions of the integrations."""

from audit.registry import register

register("catalog.sync_requested", "Catalog sync requested")
register("catalog.sync_completed", "Catalog sync completed")
register("catalog.sync_failed", "Catalog sync failed")
register("catalog.asset_created", "Asset appeared in Canto")
register("catalog.asset_updated", "Asset metadata changed in Canto")
register("catalog.asset_new_version", "New version uploaded in Canto")
register("catalog.asset_status_changed", "Approval status changed in Canto")
register("catalog.asset_classification_changed", "Regulated flag or expiry changed in Canto")
register("catalog.asset_deleted", "Asset deleted in Canto")
register("catalog.asset_restored", "Asset back in Canto")
register("inbox.retried", "Received event queued again")
register("partners.sync_completed", "Partner sync completed")
register("partners.sync_failed", "Partner sync failed")
register("partner.joined", "Partner joined a community")
register("partner.left", "Partner left a community")
register("partner.updated", "Partner details changed in Trading Grid")
register("outbox.dead", "External write given up after repeated failures")
register("outbox.retried", "External write queued again")
register("outbox.cancelled", "External write cancelled")
register("publication.drift_found", "Difference found in Trading Grid and repair queued")
