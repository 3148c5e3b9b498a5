"""Trading Grid's events at ``/webhooks/tradinggrid/``.

Signed with HMAC-SHA256 over ``"<t>.<raw body>"``, checked in constant time; timestamps more
than five minutes off are refused; each event id is stored once (delivery is at least once,
in no order). The event only names a resource: the worker re-reads it from Trading Grid.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations import inbox
from portal.context import WEBHOOK, Actor, acting_as, current

TOLERANCE_SECONDS = 300
EVENT_TYPES = {
    "request.created",
    "request.updated",
    "request.comment.created",
    "publication.acknowledged",
    "publication.viewed",
    "publication.downloaded",
    "partner.joined",
    "partner.left",
    "partner.updated",
}
KEPT_HEADERS = ("HTTP_X_AC_EVENT", "HTTP_X_AC_DELIVERY")
# Event type → what the worker does with it; the features that act on an event register here.
handlers: dict[str, Callable[[dict], str]] = {}


def register(event_type: str, handler: Callable[[dict], str]) -> None:
    handlers[event_type] = handler


def signature_problem(header: str, raw: bytes, secret: str, now: float) -> str:
    """Why a signature header does not authenticate this body, or "" when it does."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        stamp = int(parts.get("t", ""))
    except ValueError:
        return "Signature header has no timestamp."
    if abs(now - stamp) > TOLERANCE_SECONDS:
        return "Signature timestamp is more than five minutes off."
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    given = parts.get("v1", "").encode("utf-8", errors="replace")
    if not hmac.compare_digest(expected.encode(), given):
        return "Signature does not match."
    return ""


def _refuse(event_type: str, raw: bytes, status: int, message: str, headers: dict):
    inbox.reject(
        source="tradinggrid",
        event_type=event_type,
        body=raw[:4096].decode("utf-8", errors="replace"),
        headers=headers,
        remote_ip=current().ip,
        error=message,
    )
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def receive(request: HttpRequest) -> JsonResponse:
    # Headers are not signed: kept as text any database accepts (no NUL characters).
    headers = {k: request.META.get(k, "")[:200].replace("\x00", "") for k in KEPT_HEADERS}
    event_type = headers["HTTP_X_AC_EVENT"][:64]
    limit = settings.TRADINGGRID_WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(event_type, b"", 400, "Content-Length is not a number.", headers)
    if declared > limit:
        # Only the start is read: enough to inspect, without reading a huge body.
        head = request.read(4096)
        return _refuse(event_type, head, 413, f"Body larger than {limit} bytes.", headers)
    raw = request.body
    if len(raw) > limit:
        return _refuse(event_type, raw, 413, f"Body larger than {limit} bytes.", headers)
    problem = signature_problem(
        request.META.get("HTTP_X_AC_SIGNATURE", ""),
        raw,
        settings.TRADINGGRID_WEBHOOK_SECRET,
        time.time(),
    )
    if problem:
        return _refuse(event_type, raw, 401, problem, headers)
    try:
        event = json.loads(raw.decode("utf-8"))
    except ValueError:
        return _refuse(event_type, raw, 400, "Body is not JSON (UTF-8).", headers)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not event["id"]:
        return _refuse(event_type, raw, 400, "An event needs a string 'id'.", headers)
    kind = event.get("type")
    if (
        not isinstance(kind, str)
        or kind not in EVENT_TYPES
        or not isinstance(event.get("data"), dict)
    ):
        return _refuse(event_type, raw, 400, "Unknown event 'type', or no 'data' object.", headers)
    with acting_as(Actor(WEBHOOK, "Trading Grid event"), via="webhook"):
        stored, created = inbox.accept(
            source="tradinggrid",
            event_type=event["type"],
            body=raw.decode(),
            key=event["id"],
            headers=headers,
            remote_ip=current().ip,
        )
    return JsonResponse(
        {"status": "accepted" if created else "duplicate", "id": stored.pk}, status=202
    )


def handle(stored) -> str:
    """Inbox handler: dispatch by event type to the feature that acts on it."""
    from integrations.tradinggrid.sync import clean

    event = clean(json.loads(stored.body))
    handler = handlers.get(event["type"])
    if handler is None:
        return f"kept: nothing in the portal acts on {event['type']} events"
    return handler(event)


def _partner_event(event: dict) -> str:
    from integrations.tradinggrid.sync import refresh_partner

    partner = (event.get("data") or {}).get("partner") or {}
    partner_id = partner.get("id") if isinstance(partner, dict) else None
    if not partner_id:
        raise ValueError("partner event names no partner id")
    return refresh_partner(str(partner_id))


for _type in ("partner.joined", "partner.left", "partner.updated"):
    register(_type, _partner_event)
