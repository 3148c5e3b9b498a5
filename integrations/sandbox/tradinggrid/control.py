"""The Trading Grid sandbox's JSON control API under ``/_sandbox/api/``: no auth, never faulted."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from integrations.sandbox.controls import common_routes
from integrations.sandbox.server import HttpError, Request, Response, Router, json_response
from integrations.sandbox.tradinggrid import actions, membership, partner_requests, render
from integrations.sandbox.tradinggrid.problems import Problem
from integrations.sandbox.tradinggrid.state import Community, Publication, utcnow

if TYPE_CHECKING:
    from integrations.sandbox.tradinggrid.app import TradingGridSandbox

MAX_WAIT = 60.0
INTERACTIONS = ("view", "download", "acknowledge")


def _body(request: Request) -> dict[str, Any]:
    try:
        return request.json_object()
    except HttpError as exc:
        raise Problem(400, "The body must be a JSON object.") from exc


def _integer(data: dict[str, Any], name: str, default: int, maximum: int) -> int:
    try:
        value = int(data.get(name, default))
    except (TypeError, ValueError) as exc:
        raise Problem(400, f"{name} must be an integer.") from exc
    if not 0 <= value <= maximum:
        raise Problem(400, f"{name} must lie between 0 and {maximum}.")
    return value


def publication_detail(sb: TradingGridSandbox, pub: Publication) -> dict[str, Any]:
    """The publication with its acknowledgement rows and usage."""
    now = utcnow()
    with sb.store.lock:
        data = render.publication_json(pub, now)
        rows = render.acknowledgement_rows(sb.store, pub, now)
        data["acknowledgements"] = [render.acknowledgement_json(row) for row in rows]
        data["usage"] = render.usage_json(sb.store, pub)
    return data


def info(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET info``: ids, counts and settings."""
    return json_response(sb.info())


def reset(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST reset`` ``{"seed": S}``."""
    sb.reset(_integer(_body(request), "seed", 1, 2**31))
    return json_response(sb.info())


def _texts(data: dict[str, Any], name: str) -> list[str]:
    values = data.get(name) or []
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise Problem(400, f"{name} must be a list of texts.")
    return list(values)


def create_community(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST communities`` ``{"name", "description"?, "regions"?, "tiers"?}``: no event."""
    data = _body(request)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise Problem(400, "name is required.")
    regions, tiers = _texts(data, "regions"), _texts(data, "tiers")
    with sb.store.lock:
        community = Community(
            id=sb.store.new_id("com"),
            name=name.strip(),
            description=str(data.get("description") or ""),
            status="active",
            regions=regions,
            tiers=tiers,
            updated_at=utcnow(),
        )
        sb.store.communities[community.id] = community
    return json_response(render.community_json(community), 201)


def publications(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET publications?community_id=&status=``: every publication, archived ones too."""
    community_id = request.query.get("community_id", "")
    status = request.query.get("status", "")
    now = utcnow()
    with sb.store.lock:
        found = sorted(sb.store.publications.values(), key=lambda p: (p.created_at, p.id))
        found = [
            p
            for p in found
            if (not community_id or p.community_id == community_id)
            and (not status or p.status(now) == status)
        ]
        return json_response([publication_detail(sb, p) for p in found])


def visible(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET partners/{id}/visible``: what the partner sees right now."""
    now = utcnow()
    with sb.store.lock:
        partner = actions.partner_by_id(sb, request.params["id"])
        shown = sb.store.visible_to(partner, now)
        return json_response([render.publication_json(p, now) for p in shown])


def list_partners(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET partners?community_id=``: partners with their contacts."""
    community_id = request.query.get("community_id", "")
    with sb.store.lock:
        found = sorted(sb.store.partners.values(), key=lambda p: (p.company_name.lower(), p.id))
        data = [
            {
                **render.partner_json(p),
                "contacts": [render.contact_json(c) for c in sb.store.contacts_of(p.id)],
            }
            for p in found
            if not community_id or community_id in p.community_ids
        ]
    return json_response(data)


def join(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST partners``: a partner joins a community (partner.joined)."""
    partner = membership.join(sb, _body(request))
    with sb.store.lock:
        data = render.partner_json(partner)
        data["contacts"] = [render.contact_json(c) for c in sb.store.contacts_of(partner.id)]
    return json_response(data, 201)


def leave(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST partners/{id}/leave`` ``{"community_id"}`` (partner.left)."""
    data = _body(request)
    partner = membership.leave(sb, request.params["id"], data.get("community_id"))
    return json_response(render.partner_json(partner))


def update_partner(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST partners/{id}`` ``{fields}`` (partner.updated)."""
    partner = membership.update(sb, request.params["id"], _body(request))
    return json_response(render.partner_json(partner))


def list_requests(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET requests?community_id=&partner_id=``: requests with all their comments."""
    query = request.query
    with sb.store.lock:
        found = sorted(sb.store.requests.values(), key=lambda r: (r.created_at, r.id))
        data = [
            {
                **render.request_json(r),
                "comments": [render.comment_json(c) for c in sb.store.comments_of(r.id)],
            }
            for r in found
            if query.get("community_id", r.community_id) == r.community_id
            and query.get("partner_id", r.partner_id) == r.partner_id
        ]
    return json_response(data)


def open_request(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST requests`` (request.created)."""
    found = partner_requests.open_request(sb, _body(request))
    return json_response(render.request_json(found), 201)


def comment(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST requests/{id}/comments`` ``{"body", "contact_id"?}`` as the partner."""
    data = _body(request)
    created = partner_requests.comment(
        sb, request.params["id"], data.get("body"), data.get("contact_id")
    )
    return json_response(render.comment_json(created), 201)


def request_status(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST requests/{id}/status`` ``{"status"}`` (request.updated)."""
    found = partner_requests.set_status(sb, request.params["id"], _body(request).get("status"))
    return json_response(render.request_json(found))


def interact(sb: TradingGridSandbox, request: Request, kind: str) -> Response:
    """``POST publications/{id}/view|download|acknowledge`` as a partner."""
    data = _body(request)
    args = (sb, request.params["id"], data.get("partner_id"), data.get("contact_id"))
    result: dict[str, Any] = {}
    if kind == "view":
        actions.view(*args)
    elif kind == "download":
        result["file"] = actions.download(*args, data.get("file", 0))
    else:
        ack = actions.acknowledge(
            *args, str(data.get("status") or "acknowledged"), str(data.get("comment") or "")
        )
        result["acknowledgement"] = render.acknowledgement_json(ack)
    pub = sb.store.publications[request.params["id"]]
    return json_response({**result, "usage": render.usage_json(sb.store, pub)})


def drift(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST publications/{id}/drift`` ``{"action", "version"?}``: no event."""
    data = _body(request)
    pub = actions.drift(sb, request.params["id"], data)
    return json_response({"action": data["action"], "publication": publication_detail(sb, pub)})


def events(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET events?wait=S``: settings and the last 100 deliveries, after the queue drained."""
    if request.query.get("wait"):
        try:
            wait = min(float(request.query["wait"]), MAX_WAIT)
        except ValueError as exc:
            raise Problem(400, "wait must be a number of seconds.") from exc
        sb.events.wait_idle(wait)
    return json_response(sb.events.snapshot())


def redeliver(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST events/redeliver`` ``{"event_id"}``: the same event again."""
    event_id = str(_body(request).get("event_id") or "")
    try:
        deliveries = sb.events.redeliver(event_id)
    except KeyError as exc:
        raise Problem(404, f"No kept event {event_id!r}.") from exc
    return json_response({"event_id": event_id, "deliveries": deliveries})


def webhook(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET`` / ``POST webhook`` ``{"url", "secret", "enabled", ...}``: where events go."""
    if request.method == "POST":
        try:
            sb.events.configure(_body(request))
        except ValueError as exc:
            raise Problem(400, str(exc)) from exc
    snapshot = sb.events.snapshot(0)
    snapshot.pop("deliveries")
    return json_response(snapshot)


def register(router: Router, sb: TradingGridSandbox) -> None:
    """Add the control API's routes."""
    routes: list[tuple[str, str, Callable[..., Response]]] = [
        ("GET", "/info", info),
        ("POST", "/reset", reset),
        *common_routes(_body, _integer),
        ("POST", "/communities", create_community),
        ("GET", "/publications", publications),
        ("POST", "/publications/{id}/drift", drift),
        *[
            ("POST", f"/publications/{{id}}/{kind}", partial(interact, kind=kind))
            for kind in INTERACTIONS
        ],
        ("GET", "/partners", list_partners),
        ("POST", "/partners", join),
        ("GET", "/partners/{id}/visible", visible),
        ("POST", "/partners/{id}/leave", leave),
        ("POST", "/partners/{id}", update_partner),
        ("GET", "/requests", list_requests),
        ("POST", "/requests", open_request),
        ("POST", "/requests/{id}/comments", comment),
        ("POST", "/requests/{id}/status", request_status),
        ("GET", "/events", events),
        ("POST", "/events/redeliver", redeliver),
        ("GET", "/webhook", webhook),
        ("POST", "/webhook", webhook),
    ]
    for method, pattern, handler in routes:
        router.add(method, "/_sandbox/api" + pattern, partial(handler, sb))
