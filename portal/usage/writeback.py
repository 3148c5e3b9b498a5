"""Write-back: each asset's usage totals to the Canto custom fields a portal admin named.

Per asset, the totals over every version, community and partner (and the names of the
communities where it is live) go to Canto as one ``canto.batch_edit`` through the outbox, only
when they differ from what was last sent. A write is queued shortly after new usage arrives
(one task per ``USAGE_WRITEBACK_DELAY_SECONDS``, however many events) and beat looks at every
shared asset (``USAGE_WRITEBACK_EVERY_MINUTES``), which also catches communities that changed.
Canto custom fields are named (or given by id) in ``UsageFields``; the outbox operation finds
the field's id in Canto.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from audit.services import record
from integrations import outbox
from portal.models import Asset, AssetUsage, Publication, UsageDaily, UsageFields

log = logging.getLogger(__name__)
QUEUED_KEY = "usage:writeback-queued"
CHUNK = 500


def schedule() -> None:
    """Queue one write-back after the delay, unless one is queued already."""
    from portal.usage.tasks import write_back_usage

    delay = settings.USAGE_WRITEBACK_DELAY_SECONDS
    try:
        # The mark lasts as long as the delay: usage recorded while it stands is committed
        # before the queued task starts, and so is written by it.
        if delay > 0 and not cache.add(QUEUED_KEY, 1, timeout=delay):
            return
        write_back_usage.apply_async(countdown=delay)
    except Exception:  # beat's write-back catches up; the usage itself is recorded
        log.exception("Could not queue the usage write-back")


def totals(asset_ids: list[int]) -> dict[int, dict]:
    """Each asset's totals and live communities, in two queries."""
    found: dict[int, dict] = {
        pk: {"views": 0, "downloads": 0, "acknowledgements": 0, "communities": []}
        for pk in asset_ids
    }
    sums = (
        UsageDaily.objects.filter(asset_id__in=asset_ids)
        .order_by()
        .values("asset_id")
        .annotate(v=Sum("views"), d=Sum("downloads"), a=Sum("acknowledgements"))
    )
    for row in sums:
        found[row["asset_id"]].update(
            views=row["v"] or 0, downloads=row["d"] or 0, acknowledgements=row["a"] or 0
        )
    names = defaultdict(set)
    live = Publication.objects.filter(asset_id__in=asset_ids, state=Publication.State.LIVE)
    for asset_id, name in live.values_list("asset_id", "community__name"):
        names[asset_id].add(name)
    for asset_id, these in names.items():
        found[asset_id]["communities"] = sorted(these)
    return found


def field_values(total: dict, mapping: dict[str, str]) -> dict[str, str]:
    """Canto field → text, for the configured fields."""
    texts = {
        "views": str(total["views"]),
        "downloads": str(total["downloads"]),
        "acknowledgements": str(total["acknowledgements"]),
        "communities": ", ".join(total["communities"]),
    }
    return {canto_field: texts[name] for name, canto_field in mapping.items()}


def _locked(asset_id: int) -> AssetUsage:
    found = AssetUsage.objects.select_for_update().filter(asset_id=asset_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return AssetUsage.objects.create(asset_id=asset_id, pending=False)
    except IntegrityError:
        return AssetUsage.objects.select_for_update().get(asset_id=asset_id)


def write_asset(asset: Asset, mapping: dict[str, str]) -> bool:
    """Owe Canto the asset's totals if they differ from what it was sent; True if queued."""
    with transaction.atomic():
        usage = _locked(asset.pk)
        total = totals([asset.pk])[asset.pk]
        values = field_values(total, mapping)
        queued = bool(values) and values != usage.written_values and not asset.deleted_in_canto
        if queued:
            outbox.add(
                "canto.batch_edit",
                {
                    "contents": [{"scheme": asset.scheme, "id": asset.canto_id}],
                    "properties": [
                        {
                            "propertyName": canto_field,
                            "propertyValue": value,
                            "action": "",
                            "customField": True,
                        }
                        for canto_field, value in values.items()
                    ],
                },
                obj=asset,
            )
            record(
                "usage.written_to_canto",
                obj=asset,
                before=usage.written_values or None,
                after=values,
            )
            usage.written_values, usage.written_at = values, timezone.now()
        usage.views, usage.downloads = total["views"], total["downloads"]
        usage.acknowledgements, usage.communities = total["acknowledgements"], total["communities"]
        usage.pending = False
        usage.save()
    return queued


def _candidates(everything: bool) -> list[int]:
    pending = AssetUsage.objects.filter(pending=True).values_list("asset_id", flat=True)
    if not everything:
        return sorted(pending)
    ids = set(AssetUsage.objects.values_list("asset_id", flat=True))
    ids |= set(Publication.objects.order_by().values_list("asset_id", flat=True).distinct())
    return sorted(ids)


def run(*, everything: bool = False) -> dict[str, int]:
    """Write back the assets with new usage (``everything``: every shared asset)."""
    mapping = UsageFields.current().mapping()
    counts = {"looked_at": 0, "queued": 0}
    ids = _candidates(everything)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = totals(chunk)
        stored = {
            asset_id: (values, pending)
            for asset_id, values, pending in AssetUsage.objects.filter(
                asset_id__in=chunk
            ).values_list("asset_id", "written_values", "pending")
        }
        due = []
        for pk in chunk:
            written, pending = stored.get(pk, ({}, False))
            if pending or field_values(found[pk], mapping) != written:
                due.append(pk)
        for asset in Asset.objects.filter(pk__in=due).order_by("pk"):
            counts["looked_at"] += 1
            counts["queued"] += int(write_asset(asset, mapping))
    return counts
