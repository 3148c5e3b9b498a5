"""What the partner does in Trading Grid, as the portal's request sees it.

Confirming a delivery (status ``closed``) closes the request; reopening sends it back to work;
cancelling closes it; answering a question puts it back in progress. Comments are stored once:
the portal's own come back from Trading Grid carrying the id of the row that sent them.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from audit.services import record
from integrations import outbox
from portal.context import PARTNER, Actor
from requests_app import lifecycle
from requests_app.models import PartnerRequest, RequestComment

S = PartnerRequest.State


def partner_actor(request: PartnerRequest, name: str = "") -> Actor:
    company = request.partner.company_name if request.partner_id else "partner"
    return Actor(PARTNER, (name or company)[:150])


def status_changed(request: PartnerRequest, status: str) -> None:
    """Someone other than the portal changed the status (the caller holds the lock)."""
    actor = partner_actor(request)
    if status == "closed" and request.state == S.DELIVERED:
        lifecycle.move(request, S.CONFIRMED, "request.confirmed", actor=actor, message="")
        lifecycle.move(
            request,
            S.CLOSED,
            "request.closed",
            reason="the partner confirmed the delivery",
            message="",
        )
    elif status in ("new", "open") and not request.is_open:
        lifecycle.move(request, S.IN_PROGRESS, "request.reopened", actor=actor, message="")
    elif status == "cancelled" and request.is_open:
        # Open states may only end as rejected: the partner withdrew what they asked for.
        lifecycle.move(
            request,
            S.REJECTED,
            "request.cancelled",
            actor=actor,
            reason="cancelled by the partner",
            message="",
        )


def _time(value: Any):
    try:
        return parse_datetime(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _store(request: PartnerRequest, tg_id: str, author: dict, data: dict) -> RequestComment:
    return RequestComment.objects.create(
        tg_id=tg_id,
        request=request,
        origin=RequestComment.Origin.PARTNER,
        author_type=str(author.get("type") or "")[:20],
        author_name=str(author.get("name") or "")[:255],
        visibility=str(data.get("visibility") or "public")[:10],
        body=str(data.get("body") or ""),
        tg_created_at=_time(data.get("created_at")),
        created_at=_time(data.get("created_at")) or request.updated_at,
    )


def comment_seen(request: PartnerRequest, data: dict) -> bool:
    """Store one Trading Grid comment unless it is known; True when it is new here."""
    tg_id = str(data["id"])[:64]
    if RequestComment.objects.filter(tg_id=tg_id).exists():
        return False
    author = data.get("author") if isinstance(data.get("author"), dict) else {}
    ours = lifecycle.comment_pk_from_author(str(author.get("id") or ""))
    mine = RequestComment.objects.filter(pk=ours, request=request, tg_id=None)
    if ours is not None and mine.update(tg_id=tg_id):
        # The portal's own comment, linked (the outbox may not have reported it yet).
        return False
    try:
        with transaction.atomic():
            comment = _store(request, tg_id, author, data)
    except IntegrityError:  # another worker stored the same comment meanwhile
        return False
    from_partner = comment.author_type == "partner_contact"
    record(
        "request.comment_received",
        obj=request,
        after={"author": comment.author_name, "visibility": comment.visibility},
        actor=partner_actor(request, comment.author_name) if from_partner else None,
    )
    if from_partner and request.state == S.WAITING_FOR_PARTNER:
        locked = lifecycle.lock(request)
        if locked.state != S.WAITING_FOR_PARTNER:
            return True
        lifecycle.move(
            locked,
            S.IN_PROGRESS,
            "request.partner_answered",
            actor=partner_actor(locked),
            message="",
        )
        request.state = locked.state
    return True


def comment_sent(message) -> None:
    """Outbox follow-up: the comment now has its Trading Grid id."""
    tg_id = str((message.result or {}).get("id") or "")[:64]
    if tg_id and not RequestComment.objects.filter(tg_id=tg_id).exists():
        RequestComment.objects.filter(pk=message.payload.get("comment_id"), tg_id=None).update(
            tg_id=tg_id
        )


outbox.follow("tradinggrid.add_comment", on_sent=comment_sent)
