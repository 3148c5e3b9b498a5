"""The Canto sandbox's JSON control API under ``/_sandbox/api/``: no auth, never faulted."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from integrations.sandbox.canto import actions, render
from integrations.sandbox.canto.state import Asset
from integrations.sandbox.controls import common_routes
from integrations.sandbox.server import HttpError, Request, Response, Router, json_response

if TYPE_CHECKING:
    from integrations.sandbox.canto.app import CantoSandbox

MAX_ASSETS = 1_000_000
MAX_WEBHOOK_WAIT = 30.0


def asset_view(sb: CantoSandbox, asset: Asset, base: str) -> dict[str, Any]:
    """The asset's Canto JSON plus ``deleted`` and its version comments."""
    with sb.catalog.lock:
        data = render.asset_json(sb.catalog, asset, base)
        data["deleted"] = asset.deleted
        data["comments"] = [
            {"version": str(version.no), "comment": version.comment} for version in asset.versions
        ]
    return data


def _count(data: dict[str, Any], name: str, default: int, maximum: int) -> int:
    try:
        value = int(data.get(name, default))
    except (TypeError, ValueError) as exc:
        raise HttpError(400, {"error": f"{name} must be an integer"}) from exc
    if not 0 <= value <= maximum:
        raise HttpError(400, {"error": f"{name} must lie between 0 and {maximum}"})
    return value


def info(sb: CantoSandbox, request: Request) -> Response:
    """``GET /_sandbox/api/info``: asset counts, seed, albums and folders."""
    return json_response(sb.info())


def reset(sb: CantoSandbox, request: Request) -> Response:
    """``POST /_sandbox/api/reset`` ``{"assets": N, "seed": S}``."""
    data = request.json_object()
    sb.reset(_count(data, "assets", 300, MAX_ASSETS), _count(data, "seed", 1, 2**31))
    return json_response(sb.info())


def _asset_action(
    sb: CantoSandbox, request: Request, action: Callable[[Asset, dict[str, Any]], Asset]
) -> Response:
    asset = actions.find_asset(sb, request.params["id"])
    return json_response(asset_view(sb, action(asset, request.json_object()), request.base_url))


def create_asset(sb: CantoSandbox, request: Request) -> Response:
    """``POST /_sandbox/api/assets``: a new asset; fires new-asset (and add-to-album)."""
    asset = actions.create_asset(sb, request.json_object(), None)
    return json_response(asset_view(sb, asset, request.base_url), 201)


def get_asset(sb: CantoSandbox, request: Request) -> Response:
    """``GET /_sandbox/api/assets/{id}``: deleted assets too."""
    asset = actions.find_asset(sb, request.params["id"], include_deleted=True)
    return json_response(asset_view(sb, asset, request.base_url))


def delete_asset(sb: CantoSandbox, request: Request) -> Response:
    """``DELETE /_sandbox/api/assets/{id}``: fires delete."""
    asset = actions.delete_asset(sb, actions.find_asset(sb, request.params["id"]))
    return json_response(asset_view(sb, asset, request.base_url))


def new_version(sb: CantoSandbox, request: Request) -> Response:
    """``POST /_sandbox/api/assets/{id}/version`` ``{"comment": ""}``: fires new-version."""
    return _asset_action(
        sb, request, lambda a, d: actions.new_version(sb, a, str(d.get("comment") or ""), None)
    )


def set_status(sb: CantoSandbox, request: Request) -> Response:
    """``POST /_sandbox/api/assets/{id}/status`` ``{"status": "Restricted"}``: fires metadata."""
    return _asset_action(
        sb, request, lambda a, d: actions.set_status(sb, a, str(d.get("status") or ""))
    )


def edit_metadata(sb: CantoSandbox, request: Request) -> Response:
    """``POST /_sandbox/api/assets/{id}/metadata``: fires metadata."""
    return _asset_action(sb, request, lambda a, d: actions.edit_metadata(sb, a, d))


def change_albums(sb: CantoSandbox, request: Request) -> Response:
    """``POST /_sandbox/api/assets/{id}/albums`` ``{"add": [...], "remove": [...]}``."""
    return _asset_action(
        sb,
        request,
        lambda a, d: actions.change_albums(
            sb, a, actions.split_values(d.get("add")), actions.split_values(d.get("remove"))
        ),
    )


def touch(sb: CantoSandbox, request: Request) -> Response:
    """``POST /_sandbox/api/touch`` ``{"count": N}``: silent changes, no webhooks."""
    count = _count(request.json_object(), "count", 1, MAX_ASSETS)
    return json_response({"ids": sb.catalog.touch(count)})


def webhooks(sb: CantoSandbox, request: Request) -> Response:
    """``GET`` / ``POST /_sandbox/api/webhooks``; ``GET ?wait=S`` first waits for the queue."""
    if request.method == "POST":
        try:
            sb.webhooks.configure(request.json_object())
        except ValueError as exc:
            raise HttpError(400, {"error": str(exc)}) from exc
    elif request.query.get("wait"):
        try:
            wait = min(float(request.query["wait"]), MAX_WEBHOOK_WAIT)
        except ValueError as exc:
            raise HttpError(400, {"error": "wait must be a number of seconds"}) from exc
        sb.webhooks.wait_idle(wait)
    return json_response(sb.webhooks.snapshot())


def fields(sb: CantoSandbox, request: Request) -> Response:
    """``GET`` / ``POST /_sandbox/api/fields`` ``{"name": "...", "values": [...]}``."""
    if request.method == "POST":
        data = request.json_object()
        name = str(data.get("name") or "").strip()
        values = data.get("values") or []
        if not name or not isinstance(values, list):
            raise HttpError(400, {"error": "name (text) and values (array) are required"})
        custom = sb.catalog.create_field(name, [str(value) for value in values])
        return json_response({"id": custom.id, "name": custom.name, "values": custom.values}, 201)
    with sb.catalog.lock:
        listed = [{"id": f.id, "name": f.name, "values": list(f.values)} for f in sb.catalog.fields]
    return json_response(listed)


def register(router: Router, sb: CantoSandbox) -> None:
    """Add the control API's routes."""
    prefix = "/_sandbox/api"
    routes: list[tuple[str, str, Callable[[CantoSandbox, Request], Response]]] = [
        ("GET", "/info", info),
        ("POST", "/reset", reset),
        *common_routes(lambda request: request.json_object(), _count),
        ("POST", "/assets", create_asset),
        ("GET", "/assets/{id}", get_asset),
        ("DELETE", "/assets/{id}", delete_asset),
        ("POST", "/assets/{id}/version", new_version),
        ("POST", "/assets/{id}/status", set_status),
        ("POST", "/assets/{id}/metadata", edit_metadata),
        ("POST", "/assets/{id}/albums", change_albums),
        ("POST", "/touch", touch),
        ("GET", "/webhooks", webhooks),
        ("POST", "/webhooks", webhooks),
        ("GET", "/fields", fields),
        ("POST", "/fields", fields),
    ]
    for method, pattern, handler in routes:
        router.add(method, prefix + pattern, partial(handler, sb))
