"""The API's writes: publications, request updates, comments and webhook subscriptions.

Idempotency keys are applied around these handlers by the app. Changes to requests fire the
events Trading Grid would send for them (unless the delivery settings' ``api_events`` is off).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from integrations.sandbox.server import HttpError, Request, Response, json_response
from integrations.sandbox.tradinggrid import lookups, render
from integrations.sandbox.tradinggrid.events import EVENT_TYPES
from integrations.sandbox.tradinggrid.problems import Problem, validation_error
from integrations.sandbox.tradinggrid.state import (
    PRIORITIES,
    REQUEST_STATUSES,
    Comment,
    Publication,
    Subscription,
    parse_rfc3339,
    utcnow,
)
from integrations.sandbox.tradinggrid.validation import clean_publication

if TYPE_CHECKING:
    from integrations.sandbox.tradinggrid.app import TradingGridSandbox

REQUEST_FIELDS = ("status", "assignee", "resolution", "priority", "due_at")
AUTHOR_TYPES = ("partner_contact", "internal_user", "system")


def _body(request: Request) -> dict[str, Any]:
    try:
        return request.json_object()
    except HttpError as exc:
        raise Problem(400, "The body must be a JSON object.") from exc


def create_publication(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /communities/{id}/publications``: 201 with the stored publication."""
    body = _body(request)
    fields, errors = clean_publication(body, partial=False)
    community_id = request.params["id"]
    if community_id not in sb.store.communities:
        errors.insert(0, {"field": "community_id", "code": "not_found"})
    if errors:
        raise validation_error(errors)
    now = utcnow()
    with sb.store.lock:
        pub = Publication(sb.store.new_id("pub"), community_id, fields, now, now)
        sb.store.publications[pub.id] = pub
        data = render.publication_json(pub, now)
    return json_response(data, 201, [("Location", f"/ac/v1/publications/{pub.id}")])


def patch_publication(sb: TradingGridSandbox, request: Request) -> Response:
    """``PATCH /publications/{id}``: new files, version, dates, audience…"""
    body = _body(request)
    with sb.store.lock:
        pub = lookups.publication(sb, request)
        if pub.archived_at is not None:
            raise Problem(409, "An archived publication cannot be changed.")
        fields, errors = clean_publication(body, partial=True, current=pub.fields)
        if errors:
            raise validation_error(errors)
        pub.fields.update(fields)
        sb.store.stamp(pub)
        return json_response(render.publication_json(pub, utcnow()))


def archive_publication(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /publications/{id}:archive``: withdrawn from every partner's view."""
    with sb.store.lock:
        pub = lookups.publication(sb, request)
        if pub.archived_at is None:
            pub.archived_at = sb.store.stamp(pub)
        return json_response(render.publication_json(pub, utcnow()))


def _request_changes(body: dict[str, Any]) -> dict[str, Any]:
    errors = [
        {"field": name, "code": "not_patchable"} for name in body if name not in REQUEST_FIELDS
    ]
    changes = {name: body[name] for name in REQUEST_FIELDS if name in body}
    if "status" in changes and changes["status"] not in REQUEST_STATUSES:
        errors.append({"field": "status", "code": "invalid_choice"})
    if "priority" in changes and changes["priority"] not in PRIORITIES:
        errors.append({"field": "priority", "code": "invalid_choice"})
    if "resolution" in changes and not isinstance(changes["resolution"], str | None):
        errors.append({"field": "resolution", "code": "invalid"})
    if "assignee" in changes and not isinstance(changes["assignee"], str | dict | None):
        errors.append({"field": "assignee", "code": "invalid"})
    if changes.get("due_at") is not None:
        try:
            changes["due_at"] = parse_rfc3339(changes["due_at"])
        except ValueError:
            errors.append({"field": "due_at", "code": "invalid_datetime"})
    if errors:
        raise validation_error(errors)
    return changes


def patch_request(sb: TradingGridSandbox, request: Request) -> Response:
    """``PATCH /requests/{id}``: status, assignee, resolution (and priority, due_at)."""
    changes = _request_changes(_body(request))
    with sb.store.lock:
        found = lookups.partner_request(sb, request)
        changed = any(getattr(found, name) != value for name, value in changes.items())
        for name, value in changes.items():
            setattr(found, name, value)
        if changed:
            sb.store.stamp(found)
        data = render.request_json(found)
        reference = {"id": found.id, "partner_id": found.partner_id, "status": found.status}
    if changed:
        sb.fire("request.updated", found.community_id, {"request": reference}, from_api=True)
    return json_response(data)


def _author(value: Any, errors: list[dict[str, str]]) -> dict[str, Any]:
    if value is None:
        return {"type": "internal_user", "id": "portal", "name": "Partner content portal"}
    if not isinstance(value, dict) or value.get("type") not in AUTHOR_TYPES:
        errors.append({"field": "author.type", "code": "invalid_choice"})
        return {}
    return {"type": value["type"], "id": str(value.get("id") or ""), "name": value.get("name")}


def create_comment(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /requests/{id}/comments``: 201 with the comment."""
    body = _body(request)
    errors: list[dict[str, str]] = []
    text = body.get("body")
    if not isinstance(text, str) or not text.strip():
        errors.append({"field": "body", "code": "required" if not text else "invalid"})
    visibility = body.get("visibility") or "public"
    if visibility not in ("public", "internal"):
        errors.append({"field": "visibility", "code": "invalid_choice"})
    attachments = body.get("attachments") or []
    if not isinstance(attachments, list):
        errors.append({"field": "attachments", "code": "invalid"})
    author = _author(body.get("author"), errors)
    with sb.store.lock:
        found = lookups.partner_request(sb, request)
        if errors:
            raise validation_error(errors)
        now = utcnow()
        comment = Comment(
            sb.store.new_id("cmt"), found.id, author, visibility, text, attachments, now
        )
        sb.store.comments[comment.id] = comment
        sb.store.stamp(found)
        data = render.comment_json(comment)
    sb.fire(
        "request.comment.created",
        found.community_id,
        {"comment": {"id": comment.id, "request_id": found.id}},
        from_api=True,
    )
    return json_response(data, 201)


def create_webhook(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /webhooks`` ``{url, events[], secret}``: 201; no events means every type."""
    body = _body(request)
    errors: list[dict[str, str]] = []
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        errors.append({"field": "url", "code": "required" if not url else "invalid_url"})
    events = body.get("events") or []
    if not isinstance(events, list) or any(e not in EVENT_TYPES for e in events):
        errors.append({"field": "events", "code": "invalid_choice"})
    secret = body.get("secret") or secrets.token_hex(16)
    if not isinstance(secret, str):
        errors.append({"field": "secret", "code": "invalid"})
    if errors:
        raise validation_error(errors)
    with sb.store.lock:
        subscription = Subscription(
            sb.store.new_id("whk"), url, list(dict.fromkeys(events)), secret, utcnow()
        )
        sb.store.subscriptions[subscription.id] = subscription
    return json_response(render.subscription_json(subscription, with_secret=True), 201)


def delete_webhook(sb: TradingGridSandbox, request: Request) -> Response:
    """``DELETE /webhooks/{id}``: 204."""
    with sb.store.lock:
        subscription = lookups.find(sb.store.subscriptions, request.params["id"], "subscription")
        del sb.store.subscriptions[subscription.id]
    return Response(204)
