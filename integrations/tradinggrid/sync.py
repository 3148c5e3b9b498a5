"""Community and partner sync: Trading Grid's communities, partners and contacts mirrored.

A full run reads everything and marks memberships Trading Grid no longer lists as left (the
partner and its history stay); an incremental run reads what changed since the last good run.
``partner.*`` events refresh a single partner through the same functions.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.services import record, record_many
from integrations.http import NotFound
from integrations.models import SyncRun
from integrations.syncruns import keep_failure, start_run
from integrations.tradinggrid.client import TradingGridClient
from portal.communities.signals import membership_changed
from portal.models import Community, Contact, Membership, Partner

log = logging.getLogger(__name__)
LOCK_KEY = "tradinggrid-partners"
OVERLAP = timedelta(minutes=2)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _strings(value: Any) -> list[str]:
    return [str(v)[:64] for v in value if v not in (None, "")] if isinstance(value, list) else []


def clean(value: Any) -> Any:
    """Text as every database accepts it (PostgreSQL refuses NUL characters), recursively."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    return value


def upsert_community(data: dict) -> tuple[Community, bool]:
    data = clean(data)
    regions = _strings(data.get("regions"))
    community, created = Community.objects.update_or_create(
        tg_id=str(data["id"])[:64],
        defaults={
            "name": str(data.get("name") or data["id"])[:255],
            "description": str(data.get("description") or ""),
            "status": str(data.get("status") or "")[:32],
            "regions": regions,
            "region": regions[0] if regions else "",
            "region_index": "|" + "|".join(regions) + "|" if regions else "",
            "tiers": _strings(data.get("tiers")),
            "tg_updated_at": _time(data.get("updated_at")),
            "last_synced_at": timezone.now(),
        },
    )
    return community, created


def upsert_partner(data: dict) -> tuple[Partner, bool, list[dict]]:
    """Write one partner; returns it, whether it is new, and the audit entries it deserves."""
    data = clean(data)
    tg_id = str(data["id"])[:64]
    values = {
        "company_name": str(data.get("company_name") or data["id"])[:255],
        "status": str(data.get("status") or "")[:16],
        "tier": str(data.get("tier") or "")[:32],
        "regions": _strings(data.get("regions")),
        "language": str(data.get("language") or "")[:16],
        "tags": _strings(data.get("tags")),
        "joined_at": _time(data.get("joined_at")),
        "tg_updated_at": _time(data.get("updated_at")),
    }
    partner = Partner.objects.filter(tg_id=tg_id).first()
    entries: list[dict] = []
    if partner is None:
        partner = Partner.objects.create(tg_id=tg_id, **values)
        created = True
    else:
        shown = ("company_name", "status", "tier", "regions", "language")
        before = {k: getattr(partner, k) for k in shown if getattr(partner, k) != values[k]}
        for name, value in values.items():
            setattr(partner, name, value)
        partner.save()
        created = False
        if before:
            entries.append(
                {
                    "action": "partner.updated",
                    "obj": partner,
                    "before": before,
                    "after": {k: values[k] for k in before},
                }
            )
    entries.extend(_memberships(partner, data.get("community_ids")))
    return partner, created, entries


def _memberships(partner: Partner, community_ids: Any) -> list[dict]:
    """Join the communities the partner is listed in; leave the others (kept, marked left)."""
    if not isinstance(community_ids, list):
        return []
    wanted = set(
        Community.objects.filter(tg_id__in=[str(c) for c in community_ids]).values_list(
            "pk", flat=True
        )
    )
    entries = []
    now = timezone.now()
    current = {m.community_id: m for m in partner.memberships.select_related("community")}
    for community_id in wanted:
        membership = current.get(community_id)
        if membership is None or not membership.active:
            membership, _ = Membership.objects.update_or_create(
                partner=partner,
                community_id=community_id,
                defaults={"active": True, "joined_at": now, "left_at": None},
            )
            entries.append(
                {
                    "action": "partner.joined",
                    "obj": partner,
                    "after": {"community": str(membership.community)},
                    "_community": membership.community,
                }
            )

    for community_id, membership in current.items():
        if membership.active and community_id not in wanted:
            Membership.objects.filter(pk=membership.pk).update(active=False, left_at=now)
            entries.append(
                {
                    "action": "partner.left",
                    "obj": partner,
                    "after": {"community": str(membership.community)},
                    "_community": membership.community,
                }
            )

    return entries


def _record(entries: list[dict]) -> None:
    """Audit the partner's changes, then tell the portal who joined or left (same transaction)."""
    moves = [
        (e["obj"], e.pop("_community"), e["action"] == "partner.joined")
        for e in entries
        if "_community" in e
    ]
    record_many(entries)
    for partner, community, joined in moves:
        membership_changed.send(
            sender=Membership, partner=partner, community=community, joined=joined
        )


def sync_contacts(client: TradingGridClient, partner: Partner) -> int:
    count = 0
    for data in client.contacts(partner.tg_id):
        if not isinstance(data, dict) or not data.get("id"):
            continue
        data = clean(data)
        Contact.objects.update_or_create(
            tg_id=str(data["id"])[:64],
            defaults={
                "partner": partner,
                "email": str(data.get("email") or "")[:254],
                "first_name": str(data.get("first_name") or "")[:150],
                "last_name": str(data.get("last_name") or "")[:150],
                "locale": str(data.get("locale") or "")[:16],
                "status": str(data.get("status") or "")[:16],
            },
        )
        count += 1
    return count


def refresh_partner(partner_id: str, client: TradingGridClient | None = None) -> str:
    """Re-read one partner (an event's hint): its data, memberships and contacts."""
    client = client or TradingGridClient.from_settings()
    data = client.partner(partner_id)
    if data is None:
        return "absent"
    # Read everything first: no HTTP call while the database is locked for writing.
    unknown = [
        str(c)
        for c in data.get("community_ids") or []
        if not Community.objects.filter(tg_id=str(c)).exists()
    ]
    communities = [found for c in unknown if (found := client.community(c))]
    with transaction.atomic():
        for found in communities:
            upsert_community(found)
        partner, created, entries = upsert_partner(data)
        _record(entries)
    sync_contacts(client, partner)
    return "created" if created else "updated"


def run_partner_sync(*, full: bool, client: TradingGridClient | None = None) -> SyncRun:
    """Communities, then each community's partners (changed ones only, unless ``full``)."""
    last = SyncRun.objects.filter(lock_key=LOCK_KEY, state=SyncRun.State.SUCCEEDED).first()
    since = None if full or last is None else last.started_at - OVERLAP
    kind = SyncRun.Kind.TG_INCREMENTAL if since else SyncRun.Kind.TG_FULL
    run = start_run(kind, LOCK_KEY)
    try:
        client = client or TradingGridClient.from_settings()
        listed = []
        for data in client.communities():
            if isinstance(data, dict) and data.get("id"):
                listed.append(upsert_community(data)[0])
            else:
                keep_failure(run, data, "Trading Grid listed a community without an id.")
        seen_partners: set[int] = set()
        # Only communities Trading Grid lists now: one it removed must not stop the sync.
        for community in listed:
            try:
                partners = list(client.community_partners(community.tg_id, updated_since=since))
            except NotFound:
                log.warning("Community %s is gone from Trading Grid", community.tg_id)
                continue
            for data in partners:
                if not isinstance(data, dict) or not data.get("id"):
                    keep_failure(run, data, "Trading Grid listed a partner without an id.")
                    continue
                with transaction.atomic():
                    partner, created, entries = upsert_partner(data)
                    _record(entries)
                if partner.pk not in seen_partners:
                    try:
                        sync_contacts(client, partner)
                    except NotFound as exc:
                        # Gone between the listing and this read: kept, and not counted seen.
                        keep_failure(run, data, f"NotFound: {exc}", data["id"])
                        continue
                    seen_partners.add(partner.pk)
                    SyncRun.objects.filter(pk=run.pk).update(
                        seen=F("seen") + 1,
                        created=F("created") + int(created),
                        updated=F("updated") + int(not created),
                        heartbeat_at=timezone.now(),
                    )
        if since is None:
            _leave_unseen(run, seen_partners)
    except Exception as exc:
        return _finish(
            run, SyncRun.State.FAILED, f"{type(exc).__name__}: {exc}"[:2000], raise_from=exc
        )
    return _finish(run, SyncRun.State.SUCCEEDED)


def _leave_unseen(run: SyncRun, seen: set[int]) -> None:
    """Partners no community lists any more have left; they stay, with their history."""
    gone = Membership.objects.filter(active=True).exclude(partner_id__in=seen)
    leaving = list(gone.select_related("partner", "community"))
    entries = [
        {"action": "partner.left", "obj": m.partner, "after": {"community": str(m.community)}}
        for m in leaving
    ]
    with transaction.atomic():
        count = gone.update(active=False, left_at=timezone.now())
        record_many(entries)
        for m in leaving:
            membership_changed.send(
                sender=Membership, partner=m.partner, community=m.community, joined=False
            )
        SyncRun.objects.filter(pk=run.pk).update(deleted=F("deleted") + count)


def _finish(run: SyncRun, state: str, error: str = "", raise_from: Exception | None = None):
    SyncRun.objects.filter(pk=run.pk).update(state=state, finished_at=timezone.now(), error=error)
    run.refresh_from_db()
    counts = {k: getattr(run, k) for k in ("seen", "created", "updated", "deleted", "failed")}
    action = (
        "partners.sync_completed" if state == SyncRun.State.SUCCEEDED else ("partners.sync_failed")
    )
    record(action, obj=run, after=counts, reason=error)
    if raise_from is not None:
        raise raise_from
    return run
