"""The emulated Canto API's writes: metadata, tags, keywords, albums, folders, comments.

Changes made here fire the same webhooks as the content team's (unless the webhook
configuration's ``api_events`` is off), since Canto does not tell who made a change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from integrations.sandbox.canto import render
from integrations.sandbox.canto.actions import SCHEMES, split_values
from integrations.sandbox.canto.state import Asset
from integrations.sandbox.server import HttpError, Request, Response, json_response, text_response

if TYPE_CHECKING:
    from integrations.sandbox.canto.app import CantoSandbox

ACTIONS = {"", "add", "remove"}


def _success() -> Response:
    return text_response("success")


def _content_assets(sb: CantoSandbox, contents: Any) -> list[Asset]:
    if not isinstance(contents, list) or not contents:
        raise HttpError(400, {"error": "contents must be a non-empty array of {id, scheme}"})
    assets = []
    for item in contents:
        if not isinstance(item, dict):
            raise HttpError(400, {"error": "contents must be a non-empty array of {id, scheme}"})
        asset = sb.catalog.get(str(item.get("id", "")))
        if asset is not None and item.get("scheme", asset.scheme) == asset.scheme:
            assets.append(asset)
    return assets


def _apply_property(sb: CantoSandbox, asset: Asset, prop: dict[str, Any]) -> None:
    property_id = str(prop.get("propertyId", ""))
    value = str(prop.get("propertyValue") or "")
    action = str(prop.get("action") or "").lower()
    values = split_values(value)
    attribute = {"keyword": "keywords", "tag": "tags"}.get(property_id)
    if attribute is not None and not prop.get("customField"):
        if action == "":
            sb.catalog.update(asset, **{attribute: values})
        for item in values if action else ():
            sb.catalog.set_list_value(asset, attribute, item, action == "add")
        return
    custom = sb.catalog.field_by_id_or_name(property_id)
    if custom is None:
        raise HttpError(400, {"error": f"unknown propertyId {property_id!r}"})
    if action == "":
        new_value = value
    else:
        current = split_values(asset.additional.get(custom.name, ""))
        if action == "add":
            current += [item for item in values if item not in current]
        else:
            current = [item for item in current if item not in values]
        new_value = ",".join(current)
    sb.catalog.update(asset, additional={custom.name: new_value})


def batch_edit(sb: CantoSandbox, request: Request) -> Response:
    """``PUT /api/v1/batch/edit``: apply properties to every listed asset."""
    data = request.json_object()
    properties = data.get("properties")
    if (
        not isinstance(properties, list)
        or not properties
        or not all(isinstance(p, dict) for p in properties)
    ):
        raise HttpError(400, {"error": "properties must be a non-empty array of objects"})
    for prop in properties:
        if str(prop.get("action") or "").lower() not in ACTIONS:
            raise HttpError(400, {"error": "action must be '', 'add' or 'remove'"})
        property_id = str(prop.get("propertyId", ""))
        builtin = property_id in ("keyword", "tag") and not prop.get("customField")
        if not builtin and sb.catalog.field_by_id_or_name(property_id) is None:
            raise HttpError(400, {"error": f"unknown propertyId {property_id!r}"})
    with sb.catalog.lock:
        assets = _content_assets(sb, data.get("contents"))
        for asset in assets:
            for prop in properties:
                _apply_property(sb, asset, prop)
    for asset in assets:
        sb.webhooks.fire("metadata", asset, from_api=True)
    return _success()


def _tag_or_keyword(sb: CantoSandbox, request: Request, attribute: str, present: bool) -> Response:
    params = request.params
    asset = sb.catalog.get(params["id"])
    if asset is None or asset.scheme != params["scheme"] or params["scheme"] not in SCHEMES:
        raise HttpError(404, {"error": "not found"})
    if sb.catalog.set_list_value(asset, attribute, params["value"], present):
        sb.webhooks.fire("metadata", asset, from_api=True)
    return _success()


def tag(sb: CantoSandbox, request: Request, present: bool) -> Response:
    """``PUT`` / ``DELETE /api/v1/{scheme}/{id}/tag/{tag}`` (idempotent)."""
    return _tag_or_keyword(sb, request, "tags", present)


def keyword(sb: CantoSandbox, request: Request, present: bool) -> Response:
    """``PUT`` / ``DELETE /api/v1/{scheme}/{id}/keyword/{keyword}`` (idempotent)."""
    return _tag_or_keyword(sb, request, "keywords", present)


def create_node(sb: CantoSandbox, request: Request, scheme: str) -> Response:
    """``POST /api/v1/album|folder/{parentFolderId}/{name}``; the same name twice is one node."""
    parent = sb.catalog.nodes.get(request.params["parent"])
    name = request.params["name"].strip()
    if parent is None or parent.scheme != "folder":
        raise HttpError(404, {"error": "parent folder not found"})
    if not name or "/" in name:
        raise HttpError(400, {"error": "invalid name"})
    with sb.catalog.lock:
        node = sb.catalog.create_node(parent.id, name, scheme)
        return json_response(render.album_json(sb.catalog, node))


def batch_album(sb: CantoSandbox, request: Request) -> Response:
    """``POST /api/v1/batch/album``: add assets to an album given by id or idPath."""
    data = request.json_object()
    album_id = str(data.get("albumPath") or "").strip("/").rsplit("/", 1)[-1]
    node = sb.catalog.nodes.get(album_id)
    if node is None or node.scheme != "album":
        raise HttpError(404, {"error": "album not found"})
    added = []
    with sb.catalog.lock:
        for asset in _content_assets(sb, data.get("contents")):
            if sb.catalog.add_to_album(asset, album_id):
                added.append(asset)
    for asset in added:
        sb.webhooks.fire("add-to-album", asset, album_id, from_api=True)
    return _success()


def version_comment(sb: CantoSandbox, request: Request) -> Response:
    """``POST /api/v1/version/comment``: comment one version of an asset."""
    data = request.json_object()
    asset = sb.catalog.get(str(data.get("id", "")))
    if asset is None or data.get("scheme", asset.scheme) != asset.scheme:
        raise HttpError(404, {"error": "not found"})
    wanted = str(data.get("versionId", "")).strip()
    with sb.catalog.lock:
        version = next((v for v in asset.versions if str(v.no) == wanted), None)
        if version is None:
            raise HttpError(404, {"error": f"no version {wanted!r}"})
        version.comment = str(data.get("comment") or "")
        sb.catalog.changed(asset)
    return _success()
