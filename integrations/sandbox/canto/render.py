"""How the Canto sandbox writes assets, listings and tree nodes: Canto's exact JSON shapes.

Numbers are strings and dates ``yyyyMMddHHmmssSSS`` strings, except the paging numbers of a
search, which Canto sends as JSON integers.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import secrets
import time
import urllib.parse
from datetime import datetime
from typing import Any

from integrations.sandbox.canto.state import Asset, Catalog, Node, Version
from integrations.sandbox.server import HttpError

SIGNED_URL_SECONDS = 600
# Signed download URLs only need to survive this process, so the key is made at start-up.
_SIGNING_KEY = secrets.token_bytes(32)


def canto_date(ms: int) -> str:
    """Epoch milliseconds as ``yyyyMMddHHmmssSSS`` (UTC)."""
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}{t.tm_mon:02d}{t.tm_mday:02d}"
        f"{t.tm_hour:02d}{t.tm_min:02d}{t.tm_sec:02d}{ms % 1000:03d}"
    )


def parse_canto_date(value: str, upper: bool = False) -> int:
    """``yyyyMMddHHmmssSSS`` (or a shorter prefix such as ``yyyyMMdd``) as epoch milliseconds.

    A shortened upper bound covers the whole period it names (``20250101`` ends that day).
    """
    if not value.isdigit() or not 8 <= len(value) <= 17:
        raise HttpError(400, {"error": f"invalid date {value!r}: expected yyyyMMddHHmmssSSS"})
    rest = value[8:]
    rest += ("235959999" if upper else "000000000")[len(rest) :]
    hours, minutes, seconds, millis = int(rest[:2]), int(rest[2:4]), int(rest[4:6]), int(rest[6:])
    try:
        day = datetime.strptime(value[:8], "%Y%m%d")
    except ValueError as exc:
        raise HttpError(400, {"error": f"invalid date {value!r}"}) from exc
    if hours > 23 or minutes > 59 or seconds > 59:
        raise HttpError(400, {"error": f"invalid date {value!r}"})
    seconds_of_day = (hours * 60 + minutes) * 60 + seconds
    return (calendar.timegm(day.timetuple()) + seconds_of_day) * 1000 + millis


def human_size(size: int) -> str:
    """A size the way Canto's ``default.Size`` shows it, e.g. ``2.2 MB``."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size} B"


def _signature(scheme: str, asset_id: str, version: int, expires: int) -> str:
    message = f"{scheme}/{asset_id}/{version}/{expires}".encode()
    return hashlib.blake2b(message, key=_SIGNING_KEY, digest_size=12).hexdigest()


def sign(scheme: str, asset_id: str, version: int, now: float | None = None) -> str:
    """A token for ``/direct/`` URLs: expiry, version and signature."""
    expires = int(now if now is not None else time.time()) + SIGNED_URL_SECONDS
    return f"{expires}-{version}-{_signature(scheme, asset_id, version, expires)}"


def verify(scheme: str, asset_id: str, token: str) -> int | None:
    """The version a valid, unexpired token grants, else None."""
    try:
        expires_text, version_text, signature = token.split("-", 2)
        expires, version = int(expires_text), int(version_text)
    except ValueError:
        return None
    expected = _signature(scheme, asset_id, version, expires)
    if not secrets.compare_digest(expected, signature) or expires < time.time():
        return None
    return version


def direct_urls(base: str, asset: Asset, version: int | None = None) -> tuple[str, str]:
    """Signed URLs of the original file and of the preview."""
    number = version or asset.current.no
    token = sign(asset.scheme, asset.id, number)
    prefix = f"{base}/direct/{asset.scheme}/{asset.id}/{token}"
    content_type = urllib.parse.quote_plus(asset.mime)
    name = urllib.parse.quote_plus(asset.name)
    return f"{prefix}/original?content-type={content_type}&name={name}", f"{prefix}/preview"


def file_bytes(asset: Asset, version: Version) -> bytes:
    """The bytes of a version: the uploaded file, or deterministic content from id and version."""
    if version.content is not None:
        return version.content
    digest = hashlib.sha256(f"{asset.id}:{version.no}".encode()).digest()
    length = 256 + int.from_bytes(digest[:2], "big") % 3840
    header = f"Canto sandbox file\nid: {asset.id}\nversion: {version.no}\n".encode()
    filler = digest.hex().encode() * (length // 64 + 1)
    return (header + filler)[:length]


def md5_and_size(asset: Asset, version: Version) -> tuple[str, int]:
    """The md5 hex digest and byte size of a version, computed once."""
    if version._md5 is None:
        content = file_bytes(asset, version)
        version._md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
        version._size = len(content)
    return version._md5, version._size or 0


def album_json(catalog: Catalog, node: Node) -> dict[str, str]:
    """A folder or album reference as in ``relatedAlbums`` and creation answers."""
    id_path, name_path = catalog.node_path(node.id)
    return {
        "id": node.id,
        "name": node.name,
        "idPath": id_path,
        "namePath": name_path,
        "scheme": node.scheme,
    }


def asset_json(catalog: Catalog, asset: Asset, base: str) -> dict[str, Any]:
    """One asset, exactly as Canto answers it."""
    md5, size = md5_and_size(asset, asset.current)
    created = canto_date(asset.created)
    modified = canto_date(asset.time)
    uploaded = canto_date(asset.current.created)
    original, preview = direct_urls(base, asset)
    binary = f"{base}/api_binary/v1/{asset.scheme}/{asset.id}"
    current = asset.current.no
    return {
        "id": asset.id,
        "scheme": asset.scheme,
        "name": asset.name,
        "size": str(size),
        "width": str(asset.width),
        "height": str(asset.height),
        "owner": asset.owner,
        "ownerName": asset.owner_name,
        "created": created,
        "time": modified,
        "lastUploaded": uploaded,
        "md5": md5,
        "approvalStatus": asset.approval,
        "tag": list(asset.tags),
        "keyword": list(asset.keywords),
        "smartTags": list(asset.smart_tags),
        "relatedAlbums": [album_json(catalog, catalog.nodes[album]) for album in asset.albums],
        "versionHistory": [
            {
                "no": str(version.no),
                "version": str(version.no),
                "currentVersion": "true" if version.no == current else "false",
                "ownerName": version.owner_name,
                "created": canto_date(version.created),
                "comment": version.comment,
            }
            for version in reversed(asset.versions)
        ],
        "url": {
            "preview": f"{binary}/preview",
            "download": binary,
            "directUrlOriginal": original,
            "directUrlPreview": preview,
        },
        "default": {
            "Content Type": asset.mime,
            "Date modified": modified,
            "Date uploaded": created,
            "Size": human_size(size),
        },
        "additional": dict(asset.additional),
        "metadata": {"MIME Type": asset.mime, "File Name": asset.name},
    }


def listing_json(
    catalog: Catalog,
    page: list[Asset],
    found: int,
    start: int,
    limit: int,
    sort: tuple[str, str],
    match_expr: str,
    base: str,
) -> dict[str, Any]:
    """A search-shaped answer; like Canto, ``start`` is left out when 0 and an empty page has
    neither ``results`` nor ``found``."""
    data: dict[str, Any] = {"facets": []}
    if page:
        data["results"] = [asset_json(catalog, asset, base) for asset in page]
        data["found"] = found
    data["limit"] = limit
    if start:
        data["start"] = start
    data["sortBy"], data["sortDirection"] = sort
    data["matchExpr"] = match_expr
    return data


def tree_json(catalog: Catalog, node_ids: list[str], depth: int) -> list[dict[str, Any]]:
    """Tree nodes down to ``depth`` levels (a negative depth means all)."""
    nodes = []
    for node_id in node_ids:
        node = catalog.nodes[node_id]
        item: dict[str, Any] = album_json(catalog, node)
        if node.scheme == "album":
            size = sum(1 for a in node.assets if not catalog.assets[a].deleted)
        else:
            size = len(node.children)
        item["size"] = str(size)
        item["children"] = (
            tree_json(catalog, node.children, depth - 1) if depth != 1 and node.children else []
        )
        nodes.append(item)
    return nodes


def preview_svg(asset: Asset) -> str:
    """A small SVG thumbnail naming the asset and its version."""
    colours = {"image": "#2d6a4f", "video": "#7b2cbf", "presentation": "#bc6c25"}
    colour = colours.get(asset.scheme, "#1d3557")
    name = html.escape(asset.name if len(asset.name) <= 34 else asset.name[:31] + "…")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240">'
        f'<rect width="320" height="240" fill="{colour}"/>'
        '<text x="160" y="110" font-family="sans-serif" font-size="14" fill="#fff" '
        f'text-anchor="middle">{name}</text>'
        '<text x="160" y="140" font-family="sans-serif" font-size="12" fill="#ddd" '
        f'text-anchor="middle">{html.escape(asset.scheme)} · version {asset.current.no}</text>'
        "</svg>"
    )
