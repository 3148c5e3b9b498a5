"""Ingestion: Trading Grid's usage counts become daily rows, each view counted once.

Every ``publication.*`` event names a publication; the worker re-reads its usage and
acknowledgements from Trading Grid (beat does the same for live publications, as a backstop).
Trading Grid's running totals are the truth: under a lock on the stored totals of each partner,
only the difference since the last reading is added, to the day (UTC) of the partner's last
interaction. Duplicated, replayed or out-of-order events therefore never count twice:

- a reading older than the stored one (the partner's ``last_at`` went back, or stayed while the
  counts went down) is ignored;
- totals that went down (Trading Grid reset them) are stored, with no negative difference;
- an acknowledgement is counted once, when its status is first seen as acknowledged.

Unknown publications are skipped; unknown partners are fetched first, else skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from audit.services import record
from integrations.http import AuthError, TransientError
from integrations.tradinggrid import webhooks
from integrations.tradinggrid.client import TradingGridClient
from integrations.tradinggrid.reconcile import written_together
from integrations.tradinggrid.sync import refresh_partner
from portal.models import AssetUsage, Partner, Publication, UsageDaily, UsageTotal
from portal.usage import writeback
from portal.usage.readings import ACK_RANK, Reading, read
from portal.usage.signals import acknowledgement_read

log = logging.getLogger(__name__)
P = Publication.State
RECENTLY_WITHDRAWN = timedelta(days=1)


@dataclass
class Summary:
    views: int = 0
    downloads: int = 0
    acknowledgements: int = 0
    partners: list[str] = field(default_factory=list)
    lowered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.partners)

    def text(self) -> str:
        if not self.changed:
            return "usage unchanged"
        return (
            f"usage recorded: +{self.views} views, +{self.downloads} downloads, "
            f"+{self.acknowledgements} acknowledgements ({len(self.partners)} partners)"
        )


def current_publication(tg_id: str) -> Publication | None:
    """The portal's row partners see under a Trading Grid id: a replacement in place keeps the
    id, so the live row wins, then one being withdrawn, then the newest."""
    rank = Case(
        When(state=P.LIVE, then=Value(0)),
        When(state=P.WITHDRAWING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Publication.objects.filter(tg_id=tg_id)
        .annotate(rank=rank)
        .order_by("rank", "-pk")
        .select_related("asset", "community", "release")
        .first()
    )


def _day(moment: datetime | None) -> date:
    return (moment or timezone.now()).astimezone(UTC).date()


def _add(pub: Publication, partner: Partner, day: date, **counts: int) -> None:
    """Add to one daily row (created on first use; a concurrent creator is waited for)."""
    counts = {name: n for name, n in counts.items() if n}
    if not counts:
        return
    key = {
        "day": day,
        "asset_id": pub.asset_id,
        "version_no": pub.version_no,
        "community_id": pub.community_id,
        "partner": partner,
    }
    rows = UsageDaily.objects.filter(**key)
    increments = {name: F(name) + n for name, n in counts.items()}
    if rows.update(**increments, updated_at=timezone.now()):
        return
    try:
        with transaction.atomic():
            UsageDaily.objects.create(**key, **counts)
    except IntegrityError:
        rows.update(**increments, updated_at=timezone.now())


def _locked_total(tg_id: str, partner: Partner, pub: Publication) -> UsageTotal:
    found = UsageTotal.objects.select_for_update().filter(tg_id=tg_id, partner=partner).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return UsageTotal.objects.create(tg_id=tg_id, partner=partner, publication=pub)
    except IntegrityError:
        return UsageTotal.objects.select_for_update().get(tg_id=tg_id, partner=partner)


def _counts(total: UsageTotal, reading: Reading) -> tuple[int, int, str]:
    """(views, downloads) to add and what the reading was: "", "stale" or "lowered"."""
    if reading.views is None:
        return 0, 0, ""
    new, old = reading.last_at, total.last_at
    lower = reading.views < total.views or reading.downloads < total.downloads
    if old is not None and (new is None or new < old or (new == old and lower)):
        return 0, 0, "stale"
    views = max(0, reading.views - total.views)
    downloads = max(0, reading.downloads - total.downloads)
    total.views, total.downloads = reading.views, reading.downloads
    total.last_at = new or old
    return views, downloads, "lowered" if lower else ""


def _acknowledgement(total: UsageTotal, reading: Reading) -> tuple[int, bool]:
    """(acknowledgements to add, whether the stored status changed)."""
    if not reading.ack_status:
        return 0, False
    new, old = reading.ack_stamp, total.acknowledged_at or total.viewed_at
    older = old is not None and (new is None or new < old)
    behind = new == old and ACK_RANK[reading.ack_status] < ACK_RANK.get(total.ack_status, 0)
    changed = False
    if not older and not behind and reading.ack_status != total.ack_status:
        total.ack_status = reading.ack_status
        total.viewed_at = reading.viewed_at or total.viewed_at
        total.acknowledged_at = reading.acknowledged_at or total.acknowledged_at
        changed = True
    if reading.ack_status == "acknowledged" and not total.acknowledged:
        total.acknowledged = True
        total.acknowledged_at = total.acknowledged_at or reading.acknowledged_at
        return 1, True
    return 0, changed


def _apply(
    tg_id: str, rows: list[Publication], partner: Partner, reading: Reading, summary: Summary
):
    """Add one partner's new counts to the day, for every file the publication shows."""
    pub = rows[0]
    total = _locked_total(tg_id, partner, pub)
    views, downloads, kind = _counts(total, reading)
    acks, status_changed = _acknowledgement(total, reading)
    if not (views or downloads or acks or status_changed or kind == "lowered"):
        if total.publication_id != pub.pk:
            UsageTotal.objects.filter(pk=total.pk).update(publication=pub)
        return
    total.publication = pub
    total.save()
    for row in rows:  # a campaign kit: what a partner did with the kit counts for each file
        _add(row, partner, _day(total.last_at), views=views, downloads=downloads)
        _add(row, partner, _day(total.acknowledged_at), acknowledgements=acks)
    if status_changed:
        acknowledgement_read.send(sender=UsageTotal, publication=pub, partner=partner, total=total)
    summary.views += views
    summary.downloads += downloads
    summary.acknowledgements += acks
    summary.partners.append(partner.tg_id)
    if kind == "lowered":
        summary.lowered.append(partner.tg_id)


def _partners(readings: dict[str, Reading], client) -> dict[str, Partner]:
    """The portal's partners of the readings; unknown ones who did something are fetched."""
    known = {p.tg_id: p for p in Partner.objects.filter(tg_id__in=list(readings))}
    for partner_id, reading in readings.items():
        if partner_id not in known and reading.worth_keeping:
            refresh_partner(partner_id, client)
    missing = [p for p in readings if p not in known]
    if missing:
        known.update({p.tg_id: p for p in Partner.objects.filter(tg_id__in=missing)})
    return known


def _mark_pending(asset_id: int) -> None:
    if AssetUsage.objects.filter(asset_id=asset_id).update(pending=True):
        return
    try:
        with transaction.atomic():
            AssetUsage.objects.create(asset_id=asset_id, pending=True)
    except IntegrityError:
        AssetUsage.objects.filter(asset_id=asset_id).update(pending=True)


def ingest(tg_id: str, client: TradingGridClient | None = None) -> str:
    """Re-read one Trading Grid publication's usage and record what changed since last time."""
    if current_publication(tg_id) is None:
        return f"ignored: no publication {tg_id} in the portal"
    client = client or TradingGridClient.from_settings()
    readings = read(tg_id, client)
    if readings is None:
        return f"ignored: Trading Grid has no publication {tg_id}"
    partners = _partners(readings, client)
    with transaction.atomic():
        pub = current_publication(tg_id)
        rows = written_together(pub)
        summary = Summary()
        existing = set(
            UsageTotal.objects.filter(tg_id=tg_id).values_list("partner__tg_id", flat=True)
        )
        for partner_id in sorted(readings):
            reading, partner = readings[partner_id], partners.get(partner_id)
            if not reading.worth_keeping and partner_id not in existing:
                continue
            if partner is None:
                summary.skipped.append(partner_id)
                continue
            _apply(tg_id, rows, partner, reading, summary)
        if summary.changed:
            record(
                "usage.recorded",
                obj=pub,
                after={
                    "views": summary.views,
                    "downloads": summary.downloads,
                    "acknowledgements": summary.acknowledgements,
                    "partners": summary.partners,
                    "lowered": summary.lowered,
                    "version": pub.version_no,
                },
            )
            for row in rows:
                _mark_pending(row.asset_id)
            transaction.on_commit(writeback.schedule)
    if summary.skipped:
        log.warning("Usage of %s: unknown partners skipped: %s", tg_id, summary.skipped)
    return summary.text()


def _publication_event(event: dict) -> str:
    data = event.get("data") or {}
    ref = data.get("publication")
    tg_id = ref.get("id") if isinstance(ref, dict) else data.get("publication_id")
    if not tg_id:
        raise ValueError("publication event names no publication id")
    return ingest(str(tg_id)[:64])


for _type in ("publication.viewed", "publication.downloaded", "publication.acknowledged"):
    webhooks.register(_type, _publication_event)


def poll(client: TradingGridClient | None = None) -> dict[str, int]:
    """The backstop: every live publication (and those withdrawn lately) read again."""
    since = timezone.now() - RECENTLY_WITHDRAWN
    tg_ids = (
        Publication.objects.filter(
            Q(state__in=[P.LIVE, P.WITHDRAWING]) | Q(state=P.WITHDRAWN, withdrawn_at__gte=since)
        )
        .exclude(tg_id="")
        .order_by("tg_id")
        .values_list("tg_id", flat=True)
        .distinct()
    )
    client = client or TradingGridClient.from_settings()
    counts = {"read": 0, "changed": 0, "failed": 0}
    for tg_id in list(tg_ids):
        try:
            outcome = ingest(tg_id, client)
        except (TransientError, AuthError):
            raise
        except Exception:  # one unreadable publication is logged, not the poll's end
            log.exception("Usage of publication %s not read", tg_id)
            counts["failed"] += 1
            continue
        counts["read"] += 1
        counts["changed"] += int(outcome.startswith("usage recorded"))
    return counts
