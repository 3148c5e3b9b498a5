"""What the content team does in Canto, shared by the control page and the control API.

Each action changes the catalog and fires the webhook Canto would send for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from integrations.sandbox.canto.seed import MIME_TYPES, OWNERS, REGULATED
from integrations.sandbox.canto.state import Asset, Version, now_ms
from integrations.sandbox.server import HttpError

if TYPE_CHECKING:
    from integrations.sandbox.canto.app import CantoSandbox

SCHEMES = ("image", "video", "audio", "document", "presentation", "other")
SCHEME_BY_EXTENSION = {
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "svg": "image",
    "gif": "image",
    "mp4": "video",
    "mov": "video",
    "mp3": "audio",
    "pptx": "presentation",
    "pdf": "document",
    "docx": "document",
}
CONTENT_TEAM = OWNERS["marketing"]


def split_values(value: Any) -> list[str]:
    """A list or a comma-separated string as a list of trimmed, non-empty values."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def find_asset(sandbox: CantoSandbox, asset_id: str, include_deleted: bool = False) -> Asset:
    """An asset by id, or a 404."""
    asset = sandbox.catalog.get(asset_id, include_deleted=include_deleted)
    if asset is None:
        raise HttpError(404, {"error": "not found"})
    return asset


def find_album(sandbox: CantoSandbox, album_id: str) -> str:
    """An album id (an idPath's last part counts), or a 400."""
    album_id = album_id.strip("/").rsplit("/", 1)[-1]
    node = sandbox.catalog.nodes.get(album_id)
    if node is None or node.scheme != "album":
        raise HttpError(400, {"error": f"no album {album_id!r}"})
    return album_id


def create_asset(sandbox: CantoSandbox, data: dict[str, Any], content: bytes | None) -> Asset:
    """Upload a new asset, optionally into an album; fires new-asset (and add-to-album)."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise HttpError(400, {"error": "name is required"})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    scheme = str(data.get("scheme") or SCHEME_BY_EXTENSION.get(extension, "other"))
    if scheme not in SCHEMES:
        raise HttpError(400, {"error": f"scheme must be one of {', '.join(SCHEMES)}"})
    album = find_album(sandbox, str(data["album"])) if data.get("album") else ""
    additional = data.get("additional") or {}
    if not isinstance(additional, dict):
        raise HttpError(400, {"error": "additional must be an object"})
    category = str(additional.get("Category", ""))
    fields = {
        "Category": category,
        "Language": "",
        "Region": "Global",
        "Regulated": "Yes" if category in REGULATED else "No",
        "Usage Terms": "",
    }
    fields.update({str(key): str(value) for key, value in additional.items()})
    visual = scheme in ("image", "video")
    created = now_ms()
    asset = Asset(
        id=sandbox.catalog.new_id(),
        scheme=scheme,
        name=name,
        mime=MIME_TYPES.get(extension, "application/octet-stream"),
        owner=CONTENT_TEAM[0],
        owner_name=CONTENT_TEAM[1],
        created=created,
        time=created,
        width=1920 if visual else 0,
        height=1080 if visual else 0,
        approval=str(data.get("approvalStatus") or "Approved"),
        tags=split_values(data.get("tags")),
        keywords=split_values(data.get("keywords")),
        smart_tags=[],
        additional=fields,
        albums=[],
        versions=[Version(1, created, CONTENT_TEAM[1], str(data.get("comment") or ""), content)],
    )
    sandbox.catalog.add_asset(asset, album or None)
    sandbox.webhooks.fire("new-asset", asset, album)
    if album:
        sandbox.webhooks.fire("add-to-album", asset, album)
    return asset


def new_version(sandbox: CantoSandbox, asset: Asset, comment: str, content: bytes | None) -> Asset:
    """Upload a new version; fires new-version."""
    sandbox.catalog.add_version(asset, CONTENT_TEAM[1], comment, content)
    sandbox.webhooks.fire("new-version", asset)
    return asset


def set_status(sandbox: CantoSandbox, asset: Asset, status: str) -> Asset:
    """Change the approval status; fires metadata."""
    status = status.strip()
    if not status:
        raise HttpError(400, {"error": "status is required"})
    sandbox.catalog.update(asset, approval=status)
    sandbox.webhooks.fire("metadata", asset)
    return asset


def edit_metadata(sandbox: CantoSandbox, asset: Asset, data: dict[str, Any]) -> Asset:
    """Change name, tags, keywords and custom fields (``additional``); fires metadata."""
    additional = data.get("additional")
    if additional is not None and not isinstance(additional, dict):
        raise HttpError(400, {"error": "additional must be an object"})
    name = data.get("name")
    if name is not None and not str(name).strip():
        raise HttpError(400, {"error": "name must not be empty"})
    sandbox.catalog.update(
        asset,
        name=str(name).strip() if name is not None else None,
        tags=split_values(data["tags"]) if "tags" in data else None,
        keywords=split_values(data["keywords"]) if "keywords" in data else None,
        additional={
            str(key): None if value is None else str(value)
            for key, value in (additional or {}).items()
        },
    )
    sandbox.webhooks.fire("metadata", asset)
    return asset


def delete_asset(sandbox: CantoSandbox, asset: Asset) -> Asset:
    """Delete an asset; fires delete."""
    sandbox.catalog.delete(asset)
    sandbox.webhooks.fire("delete", asset)
    return asset


def change_albums(sandbox: CantoSandbox, asset: Asset, add: list[str], remove: list[str]) -> Asset:
    """Assign to and remove from albums; fires add-to-album / remove-from-album per change."""
    for album in [find_album(sandbox, value) for value in add]:
        if sandbox.catalog.add_to_album(asset, album):
            sandbox.webhooks.fire("add-to-album", asset, album)
    for album in [find_album(sandbox, value) for value in remove]:
        if sandbox.catalog.remove_from_album(asset, album):
            sandbox.webhooks.fire("remove-from-album", asset, album)
    return asset
