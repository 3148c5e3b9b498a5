"""Canto's webhooks: one URL per event type, ``/webhooks/canto/<event>/``.

Canto signs nothing: the body carries the administrator's Secure Token, compared in constant
time. The body is only a hint; a worker re-reads the asset from Canto.
"""

from __future__ import annotations

import hmac
import json
import re

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations import inbox
from integrations.canto.parsing import SCHEMES
from portal.context import WEBHOOK, Actor, acting_as, current

ASSET_EVENTS = {
    "new-asset",
    "new-version",
    "metadata",
    "delete",
    "add-to-album",
    "remove-from-album",
}
TREE_EVENTS = {"add-album", "update-album", "add-folder"}
EVENTS = ASSET_EVENTS | TREE_EVENTS
KEPT_BYTES = 4096
_TOKEN = re.compile(r'"secure_token"\s*:\s*"(?:[^"\\]|\\.)*"?')


def _head(raw: bytes) -> str:
    """The start of a body too large to read whole, kept without the Secure Token."""
    text = raw[:KEPT_BYTES].decode("utf-8", errors="replace")
    return _TOKEN.sub('"secure_token": "[removed]"', text)


def _refuse(event: str, body: str, status: int, message: str) -> JsonResponse:
    inbox.reject(
        source="canto",
        event_type=event,
        body=body,
        headers={},
        remote_ip=current().ip,
        error=message,
    )
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def receive(request: HttpRequest, event: str) -> JsonResponse:
    if event not in EVENTS:
        return JsonResponse({"error": f"Unknown Canto event type {event!r}."}, status=404)
    limit = settings.CANTO_WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(event, "", 400, "Content-Length is not a number.")
    if declared > limit:
        return _refuse(
            event, _head(request.read(KEPT_BYTES)), 413, f"Body larger than {limit} bytes."
        )
    raw = request.body
    if len(raw) > limit:
        return _refuse(event, _head(raw), 413, f"Body larger than {limit} bytes.")
    text = raw.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        return _refuse(event, text, 400, "Body is not JSON.")
    if not isinstance(data, dict):
        return _refuse(event, text, 400, "Body must be a JSON object.")
    token = data.pop("secure_token", None)
    kept = json.dumps(data, sort_keys=True)
    if not isinstance(token, str) or not hmac.compare_digest(
        token.encode(), settings.CANTO_WEBHOOK_TOKEN.encode()
    ):
        return _refuse(event, kept, 403, "Secure token missing or wrong.")
    if event in ASSET_EVENTS and not (
        isinstance(data.get("id"), str)
        and 0 < len(data["id"]) <= 64
        and data["id"].isprintable()
        and str(data.get("scheme", "")).lower() in SCHEMES
    ):
        return _refuse(
            event, kept, 400, "Asset events need an 'id' and a 'scheme' (one of Canto's schemes)."
        )
    with acting_as(Actor(WEBHOOK, "Canto webhook"), via="webhook"):
        stored, created = inbox.accept(
            source="canto",
            event_type=event,
            body=kept,
            key=kept,
            headers={},
            remote_ip=current().ip,
            dedup_seconds=settings.CANTO_WEBHOOK_DEDUP_SECONDS,
        )
    return JsonResponse(
        {"status": "accepted" if created else "duplicate", "id": stored.pk}, status=202
    )


def handle(event) -> str:
    """Inbox handler for Canto events: re-read what the event names."""
    from integrations.canto.client import CantoClient
    from integrations.canto.runs import refresh_asset
    from integrations.canto.sync import sync_tree

    data = json.loads(event.body)
    if event.event_type in TREE_EVENTS:
        return f"tree: {sync_tree(CantoClient.from_settings())} nodes"
    return refresh_asset(str(data["scheme"]).lower(), str(data["id"]))
