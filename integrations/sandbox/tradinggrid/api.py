"""The emulated adapter API under ``/ac/v1``: the reads, and the routes of every resource."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from integrations.sandbox.server import Request, Response, Router, json_response
from integrations.sandbox.tradinggrid import render, tokens, writes
from integrations.sandbox.tradinggrid.listing import paginate
from integrations.sandbox.tradinggrid.lookups import (
    community,
    partner,
    partner_request,
    publication,
)
from integrations.sandbox.tradinggrid.state import (
    ACK_STATUSES,
    PARTNER_STATUSES,
    REQUEST_STATUSES,
    utcnow,
)

if TYPE_CHECKING:
    from integrations.sandbox.tradinggrid.app import TradingGridSandbox

Handler = Callable[["TradingGridSandbox", Request], Response]


def _position(item: Any) -> tuple[Any, str]:
    return item.updated_at, item.id


def list_communities(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /communities``."""
    with sb.store.lock:
        return paginate(
            request,
            list(sb.store.communities.values()),
            key=_position,
            render=render.community_json,
            status=lambda c: c.status,
            statuses=("active", "inactive", "archived"),
        )


def get_community(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /communities/{id}``."""
    with sb.store.lock:
        return json_response(render.community_json(community(sb, request)))


def list_partners(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /communities/{id}/partners``."""
    with sb.store.lock:
        found = community(sb, request)
        return paginate(
            request,
            sb.store.members(found.id),
            key=_position,
            render=render.partner_json,
            status=lambda p: p.status,
            statuses=PARTNER_STATUSES,
        )


def get_partner(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /partners/{id}``."""
    with sb.store.lock:
        return json_response(render.partner_json(partner(sb, request)))


def list_contacts(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /partners/{id}/contacts``."""
    with sb.store.lock:
        found = partner(sb, request)
        return paginate(
            request,
            sb.store.contacts_of(found.id),
            key=_position,
            render=render.contact_json,
            status=lambda c: c.status,
            statuses=("active", "inactive"),
        )


def get_publication(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /publications/{id}``."""
    with sb.store.lock:
        return json_response(render.publication_json(publication(sb, request), utcnow()))


def list_acknowledgements(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /publications/{id}/acknowledgements``: one row per partner."""
    with sb.store.lock:
        rows = render.acknowledgement_rows(sb.store, publication(sb, request), utcnow())
        return paginate(
            request,
            rows,
            key=lambda ack: (ack.updated_at, ack.partner_id),
            render=render.acknowledgement_json,
            status=lambda ack: ack.status,
            statuses=ACK_STATUSES,
        )


def get_usage(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /publications/{id}/usage``."""
    with sb.store.lock:
        return json_response(render.usage_json(sb.store, publication(sb, request)))


def list_requests(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /communities/{id}/requests``."""
    with sb.store.lock:
        found = community(sb, request)
        return paginate(
            request,
            [r for r in sb.store.requests.values() if r.community_id == found.id],
            key=_position,
            render=render.request_json,
            status=lambda r: r.status,
            statuses=REQUEST_STATUSES,
        )


def get_request(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /requests/{id}``."""
    with sb.store.lock:
        return json_response(render.request_json(partner_request(sb, request)))


def list_comments(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /requests/{id}/comments``: public and internal ones, oldest first."""
    with sb.store.lock:
        found = partner_request(sb, request)
        return paginate(
            request,
            sb.store.comments_of(found.id),
            key=_position,
            render=render.comment_json,
        )


def list_webhooks(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /webhooks``: the subscriptions, without their secrets."""
    with sb.store.lock:
        return paginate(
            request,
            list(sb.store.subscriptions.values()),
            key=_position,
            render=render.subscription_json,
            status=lambda s: s.status,
            statuses=("active",),
        )


def register(router: Router, sb: TradingGridSandbox) -> None:
    """Add the API's routes (reads here, writes in ``writes``)."""
    one = "{id:[^/:]+}"
    routes: list[tuple[str, str, Handler]] = [
        ("GET", "/communities", list_communities),
        ("GET", f"/communities/{one}", get_community),
        ("GET", f"/communities/{one}/partners", list_partners),
        ("GET", f"/communities/{one}/requests", list_requests),
        ("POST", f"/communities/{one}/publications", writes.create_publication),
        ("GET", f"/partners/{one}", get_partner),
        ("GET", f"/partners/{one}/contacts", list_contacts),
        ("GET", f"/publications/{one}", get_publication),
        ("PATCH", f"/publications/{one}", writes.patch_publication),
        ("POST", f"/publications/{one}:archive", writes.archive_publication),
        ("GET", f"/publications/{one}/acknowledgements", list_acknowledgements),
        ("GET", f"/publications/{one}/usage", get_usage),
        ("GET", f"/requests/{one}", get_request),
        ("PATCH", f"/requests/{one}", writes.patch_request),
        ("GET", f"/requests/{one}/comments", list_comments),
        ("POST", f"/requests/{one}/comments", writes.create_comment),
        ("GET", "/webhooks", list_webhooks),
        ("POST", "/webhooks", writes.create_webhook),
        ("DELETE", f"/webhooks/{one}", writes.delete_webhook),
    ]
    router.add("POST", "/tenants/{tenant_id}/oauth2/token", partial(tokens.token, sb))
    for method, pattern, handler in routes:
        router.add(method, "/ac/v1" + pattern, partial(handler, sb))
