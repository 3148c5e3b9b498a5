"""Intake: Trading Grid's requests and comments become ``PartnerRequest`` rows.

``request.*`` events name a request; the worker re-reads it (and its comments) from Trading
Grid. A poll of every community with ``updated_since`` catches what an event missed.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.services import record
from integrations.http import AuthError, TransientError
from integrations.models import OutboxMessage, SyncFailure, SyncRun
from integrations.syncruns import start_run
from integrations.tradinggrid import webhooks
from integrations.tradinggrid.client import TradingGridClient
from integrations.tradinggrid.sync import refresh_partner
from portal.models import Community, Partner
from portal.onboarding import questions as onboarding_questions
from requests_app import findability, partner_side, sla
from requests_app.models import PartnerRequest

log = logging.getLogger(__name__)
LOCK_KEY = "tradinggrid-requests"
OWED = (
    OutboxMessage.Status.PENDING,
    OutboxMessage.Status.RETRYING,
    OutboxMessage.Status.SENDING,
)
OVERLAP = timedelta(minutes=2)
CONTENT_ISSUES = {"missing": "missing", "outdated": "outdated", "hard_to_find": "hard_to_find"}


def _time(value: Any):
    try:
        return parse_datetime(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def kind_of(data: dict) -> str:
    """Trading Grid's type (and category) in the portal's words."""
    tg_type, category = data.get("type"), str(data.get("category") or "").lower()
    if tg_type == "localization":
        return PartnerRequest.Kind.LOCALIZED_VERSION
    if tg_type == "content_issue":
        return CONTENT_ISSUES.get(category, PartnerRequest.Kind.MISSING)
    if tg_type == "question":
        return PartnerRequest.Kind.QUESTION
    if tg_type == "asset_request" and category in ("new", "new_asset"):
        return PartnerRequest.Kind.NEW_ASSET
    return PartnerRequest.Kind.ASSET_REQUEST


def upsert_request(data: dict, client: TradingGridClient) -> tuple[PartnerRequest, bool]:
    """Write one request as Trading Grid shows it; unknown partners are fetched first."""
    community = Community.objects.filter(tg_id=str(data.get("community_id"))).first()
    if community is None:
        found = client.community(str(data.get("community_id")))
        if found is None:
            raise ValueError(f"request {data.get('id')} names an unknown community")
        from integrations.tradinggrid.sync import upsert_community

        community, _ = upsert_community(found)
    partner_id = str(data.get("partner_id") or "")
    if partner_id and not Partner.objects.filter(tg_id=partner_id).exists():
        refresh_partner(partner_id, client)
    values = {
        "community": community,
        "partner": Partner.objects.filter(tg_id=partner_id).first(),
        "kind": kind_of(data),
        "subject": str(data.get("subject") or "")[:255],
        "description": str(data.get("description") or ""),
        "locale": str(data.get("locale") or "")[:16],
        "priority": str(data.get("priority") or "")[:16],
        "asset_refs": [r for r in data.get("asset_refs") or [] if isinstance(r, dict)],
        "tg_status": str(data.get("status") or "new")[:20],
        "tg_due_at": _time(data.get("due_at")),
        "tg_created_at": _time(data.get("created_at")),
        "tg_updated_at": _time(data.get("updated_at")),
    }
    tg_id = str(data["id"])[:64]
    with transaction.atomic():
        existing = PartnerRequest.objects.select_for_update().filter(tg_id=tg_id).first()
        if existing is None:
            request = PartnerRequest.objects.create(tg_id=tg_id, **values)
            request.due_at = sla.due_for(request)
            request.save(update_fields=["due_at"])
            findability.link(request)
            linked = onboarding_questions.link(request)
            record(
                "request.received",
                obj=request,
                after={
                    "kind": request.kind,
                    "status": request.tg_status,
                    "due_at": sla.iso(request.due_at),
                    **linked,
                },
            )
            return request, True
        if status_owed(existing):
            # Trading Grid has not been told the portal's last status yet: what it says now is
            # older than what the portal decided.
            values["tg_status"] = existing.tg_status
        changed = {
            k: (_audited(getattr(existing, k)), _audited(v))
            for k, v in values.items()
            if k in AUDITED and getattr(existing, k) != v
        }
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        if changed:
            record(
                "request.changed_in_tradinggrid",
                obj=existing,
                before={k: old for k, (old, _) in changed.items()},
                after={k: new for k, (_, new) in changed.items()},
            )
        if "tg_status" in changed:
            partner_side.status_changed(existing, changed["tg_status"][1])
        if "subject" in changed or "asset_refs" in changed:
            findability.link(existing)
        return existing, False


# What a change in Trading Grid is audited for (its due date is the portal's own, echoed back).
AUDITED = ("tg_status", "subject", "priority", "community", "kind", "locale", "asset_refs")


def _audited(value):
    return str(value) if isinstance(value, Community) else value


def status_owed(request: PartnerRequest) -> bool:
    """Whether a status change of the portal's is still on its way to Trading Grid."""
    return OutboxMessage.objects.filter(
        operation="tradinggrid.update_request",
        object_type=PartnerRequest._meta.label_lower,
        object_id=str(request.pk),
        status__in=OWED,
    ).exists()


def sync_comments(request: PartnerRequest, client: TradingGridClient) -> int:
    """Store the request's comments not seen before; the portal's own come back linked."""
    new = 0
    for data in client.comments(request.tg_id):
        if not isinstance(data, dict) or not data.get("id"):
            continue
        with transaction.atomic():
            new += int(partner_side.comment_seen(request, data))
    return new


def refresh_request(request_id: str, client: TradingGridClient | None = None) -> str:
    client = client or TradingGridClient.from_settings()
    data = client.request(request_id)
    if data is None:
        return "absent"
    request, created = upsert_request(data, client)
    sync_comments(request, client)
    return "created" if created else "updated"


def _request_event(event: dict) -> str:
    data = event.get("data") or {}
    ref = data.get("request") or data.get("comment") or {}
    request_id = ref.get("request_id") or ref.get("id") if isinstance(ref, dict) else None
    if not request_id:
        raise ValueError("request event names no request id")
    return refresh_request(str(request_id))


for _type in ("request.created", "request.updated", "request.comment.created"):
    webhooks.register(_type, _request_event)


def poll(client: TradingGridClient | None = None) -> SyncRun:
    """The backstop: every community's requests changed since the last good poll."""
    last = SyncRun.objects.filter(lock_key=LOCK_KEY, state=SyncRun.State.SUCCEEDED).first()
    since = last.started_at - OVERLAP if last else None
    run = start_run(SyncRun.Kind.TG_REQUESTS, LOCK_KEY)
    try:
        client = client or TradingGridClient.from_settings()
        for community in Community.objects.all():
            for data in client.requests(community.tg_id, updated_since=since):
                if not isinstance(data, dict) or not data.get("id"):
                    continue
                run.seen += 1
                try:
                    request, created = upsert_request(data, client)
                    sync_comments(request, client)
                except (TransientError, AuthError):
                    raise
                except Exception as exc:  # one unreadable request is kept, not the poll's end
                    log.warning("Trading Grid request %s not taken in: %s", data.get("id"), exc)
                    run.failed += 1
                    SyncFailure.objects.create(
                        run=run,
                        external_id=str(data.get("id"))[:128],
                        error=f"{type(exc).__name__}: {exc}"[:2000],
                        payload=json.dumps(data, default=str)[:2000],
                    )
                    continue
                run.created += int(created)
                SyncRun.objects.filter(pk=run.pk).update(seen=run.seen, heartbeat_at=timezone.now())
    except Exception as exc:
        SyncRun.objects.filter(pk=run.pk).update(
            state=SyncRun.State.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    SyncRun.objects.filter(pk=run.pk).update(
        state=SyncRun.State.SUCCEEDED,
        seen=run.seen,
        created=run.created,
        failed=run.failed,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run
