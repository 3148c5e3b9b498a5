"""Reconciliation: what Trading Grid shows in each community against what the portal decided.

Every publication the portal holds is read back from Trading Grid. A live one that is gone
or archived there is published again; one showing another version is corrected; a withdrawn
one still showing is archived. Each finding is recorded on the publication, audited, and
repaired through the outbox, so a repair is delivered like any other write.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.services import record
from integrations import outbox
from integrations.tradinggrid.client import TradingGridClient
from portal.catalog.services import canto_link
from portal.models import Publication


def publication_body(publication: Publication) -> dict:
    """What Trading Grid is asked to show for a publication."""
    asset = publication.asset
    return {
        "title": publication.title,
        "summary": asset.category or asset.name,
        "type": "asset",
        "files": [
            {
                "name": asset.name,
                "mime_type": asset.mime_type or "application/octet-stream",
                "size": asset.size or 0,
                "md5": publication.md5,
                "source_url": canto_link(asset),
            }
        ],
        "audience": {"partner_ids": [], "tiers": [], "regions": []},
        "requires_acknowledgement": False,
        "external_ref": publication.external_ref,
        "version": str(publication.version_no),
    }


def _finding(publication: Publication, remote: dict | None) -> str:
    if publication.state == Publication.State.LIVE:
        if remote is None or remote.get("status") in ("archived", "expired"):
            return "missing from Trading Grid"
        if str(remote.get("version", "")) != str(publication.version_no):
            return f"Trading Grid shows version {remote.get('version')}"
    if (
        publication.state == Publication.State.WITHDRAWN
        and remote is not None
        and (remote.get("status") in ("published", "scheduled"))
    ):
        return "still shown although withdrawn"
    return ""


def _repair(publication: Publication, finding: str) -> None:
    community = publication.community.tg_id
    if finding == "missing from Trading Grid":
        outbox.add(
            "tradinggrid.publish",
            {"community_id": community, "publication": publication_body(publication)},
            obj=publication,
        )
    elif finding.startswith("Trading Grid shows version"):
        body = publication_body(publication)
        outbox.add(
            "tradinggrid.update_publication",
            {
                "publication_id": publication.tg_id,
                "changes": {"version": body["version"], "files": body["files"]},
            },
            obj=publication,
        )
    else:
        outbox.add(
            "tradinggrid.archive_publication",
            {"publication_id": publication.tg_id},
            obj=publication,
        )


def reconcile(client: TradingGridClient | None = None) -> dict[str, int]:
    """Compare and repair every published or withdrawn publication; returns counts."""
    client = client or TradingGridClient.from_settings()
    counts = {"checked": 0, "drift": 0}
    candidates = (
        Publication.objects.exclude(tg_id="")
        .filter(state__in=[Publication.State.LIVE, Publication.State.WITHDRAWN])
        .select_related("asset", "community")
    )
    for publication in candidates.iterator(chunk_size=200):
        remote = client.publication(publication.tg_id)
        finding = _finding(publication, remote)
        counts["checked"] += 1
        now = timezone.now()
        with transaction.atomic():
            if not finding:
                Publication.objects.filter(pk=publication.pk).update(checked_at=now, drift="")
                continue
            counts["drift"] += 1
            Publication.objects.filter(pk=publication.pk).update(
                checked_at=now, drift=finding, drift_found_at=now
            )
            record(
                "publication.drift_found",
                obj=publication,
                reason=finding,
                after={
                    "trading_grid": (remote or {}).get("status", "absent"),
                    "version": (remote or {}).get("version"),
                },
            )
            _repair(publication, finding)
    return counts


def on_published(message) -> None:
    """Outbox callback: a publication delivered (again) is live under its Trading Grid id."""
    if message.object_type != "portal.publication" or not message.result:
        return
    Publication.objects.filter(pk=message.object_id).update(
        tg_id=str(message.result.get("id", ""))[:64],
        state=Publication.State.LIVE,
        published_at=timezone.now(),
        drift="",
    )


def on_updated(message) -> None:
    if message.object_type == "portal.publication":
        Publication.objects.filter(pk=message.object_id).update(drift="")


def on_archived(message) -> None:
    if message.object_type == "portal.publication":
        Publication.objects.filter(pk=message.object_id).update(
            state=Publication.State.WITHDRAWN, drift="", withdrawn_at=timezone.now()
        )
