"""The emulated Canto API: OAuth token, reading, bytes and writes."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Container
from functools import partial
from typing import TYPE_CHECKING, Any

from integrations.sandbox.canto import render
from integrations.sandbox.canto.actions import SCHEMES
from integrations.sandbox.canto.state import Asset
from integrations.sandbox.server import (
    HttpError,
    Request,
    Response,
    Router,
    json_response,
    redirect,
    text_response,
)

if TYPE_CHECKING:
    from integrations.sandbox.canto.app import CantoSandbox

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_BATCH = 100
SORTS = {"time", "name"}
DIRECTIONS = {"ascending", "descending"}


def token(sb: CantoSandbox, request: Request) -> Response:
    """Client-credentials grant; parameters in the query string or a form body."""
    params = dict(request.query)
    if request.body:
        params.update(request.form()[0])
    if params.get("grant_type") != "client_credentials":
        return json_response(
            {"error": "unsupported_grant_type", "error_description": "Use client_credentials"}, 400
        )
    if not params.get("app_id") or not params.get("app_secret"):
        return json_response(
            {"error": "invalid_request", "error_description": "app_id and app_secret required"}, 400
        )
    if params["app_id"] != sb.app_id or params["app_secret"] != sb.app_secret:
        return json_response(
            {"error": "invalid_client", "error_description": "Bad client credentials"}, 401
        )
    access_token, ttl = sb.tokens.issue()
    return json_response(
        {
            "accessToken": access_token,
            "tokenType": "bearer",
            "expiresIn": str(ttl),
            "refreshToken": None,
        }
    )


def _int(query: dict[str, str], name: str, default: int) -> int:
    try:
        return int(query.get(name) or default)
    except ValueError as exc:
        raise HttpError(400, {"error": f"{name} must be an integer"}) from exc


def _values(text: str) -> list[str]:
    return [part.strip().lower() for part in text.replace("|", ",").split(",") if part.strip()]


def _filters(sb: CantoSandbox, query: dict[str, str]) -> tuple[list[Callable[[Asset], bool]], str]:
    """Predicates for the search parameters and Canto's ``matchExpr`` describing them."""
    predicates: list[Callable[[Asset], bool]] = []
    expression: list[str] = []
    terms = query.get("keyword", "").lower().split()
    if terms:

        def matches_keyword(asset: Asset) -> bool:
            texts = [
                asset.name.lower(),
                *(t.lower() for t in asset.tags),
                *(k.lower() for k in asset.keywords),
            ]
            return all(any(term in text for text in texts) for term in terms)

        predicates.append(matches_keyword)
        expression.append(" AND ".join(f"keyword:{term}" for term in terms))
    schemes = set(_values(query.get("scheme", ""))) - {"allfile"}
    if schemes:
        predicates.append(lambda asset: asset.scheme in schemes)
        expression.append(f"scheme:({' OR '.join(sorted(schemes))})")
    approvals = set(_values(query.get("approval", "")))
    if approvals:
        predicates.append(lambda asset: asset.approval.lower() in approvals)
        expression.append(f"approvalStatus:({' OR '.join(sorted(approvals))})")
    for param, attribute in (("tags", "tags"), ("keywords", "keywords")):
        wanted = set(_values(query.get(param, "")))
        if wanted:
            predicates.append(
                lambda asset, attr=attribute, want=wanted: (
                    want <= {v.lower() for v in getattr(asset, attr)}
                )
            )
            expression.append(f"{attribute}:({' AND '.join(sorted(wanted))})")
    if query.get("lastModified"):
        low_text, separator, high_text = query["lastModified"].partition("..")
        if not separator:
            raise HttpError(400, {"error": "lastModified must look like A..B"})
        low = render.parse_canto_date(low_text) if low_text else None
        high = render.parse_canto_date(high_text, upper=True) if high_text else None
        predicates.append(
            lambda asset: (
                (low is None or asset.time >= low) and (high is None or asset.time <= high)
            )
        )
        expression.append(f"lastModified:[{low_text or '*'} TO {high_text or '*'}]")
    for custom in sb.catalog.fields:
        if query.get(custom.id):
            wanted = set(_values(query[custom.id]))
            predicates.append(
                lambda asset, name=custom.name, want=wanted: (
                    asset.additional.get(name, "").lower() in want
                )
            )
            expression.append(f"{custom.id}:({' OR '.join(sorted(wanted))})")
    return predicates, " AND ".join(expression) or "*"


def _listing(sb: CantoSandbox, request: Request, members: Container[str] | None) -> Response:
    """Search-shaped answer over all assets, or over ``members`` (an album's or folder's)."""
    query = request.query
    start = _int(query, "start", 0)
    limit = _int(query, "limit", DEFAULT_LIMIT)
    if limit > MAX_LIMIT:
        raise HttpError(400, {"error": f"limit must not exceed {MAX_LIMIT}"})
    if limit < 1 or start < 0:
        raise HttpError(400, {"error": "limit must be positive and start not negative"})
    sort = (query.get("sortBy") or "time", query.get("sortDirection") or "descending")
    if sort[0] not in SORTS or sort[1] not in DIRECTIONS:
        raise HttpError(
            400, {"error": "sortBy is time or name; sortDirection ascending or descending"}
        )
    predicates, match_expr = _filters(sb, query)
    if members is not None:
        predicates.insert(0, lambda asset: asset.id in members)
    with sb.catalog.lock:
        ordered = sb.catalog.ordered(*sort)
        if predicates:
            ordered = [a for a in ordered if all(check(a) for check in predicates)]
        page = ordered[start : start + limit]
        data = render.listing_json(
            sb.catalog, page, len(ordered), start, limit, sort, match_expr, request.base_url
        )
    return json_response(data)


def search(sb: CantoSandbox, request: Request) -> Response:
    """``GET /api/v1/search``."""
    return _listing(sb, request, None)


def album(sb: CantoSandbox, request: Request) -> Response:
    """``GET /api/v1/album/{id}``: the album's assets."""
    node = sb.catalog.nodes.get(request.params["id"])
    if node is None or node.scheme != "album":
        raise HttpError(404, {"error": "not found"})
    return _listing(sb, request, node.assets)


def folder(sb: CantoSandbox, request: Request) -> Response:
    """``GET /api/v1/folder/{id}``: the assets of every album below the folder."""
    node = sb.catalog.nodes.get(request.params["id"])
    if node is None or node.scheme != "folder":
        raise HttpError(404, {"error": "not found"})
    with sb.catalog.lock:
        members: set[str] = set()
        for album_id in sb.catalog.album_ids_under(node.id):
            members.update(sb.catalog.nodes[album_id].assets)
    return _listing(sb, request, members)


def _asset(sb: CantoSandbox, request: Request) -> Asset:
    asset = sb.catalog.get(request.params["id"])
    if asset is None or asset.scheme != request.params["scheme"]:
        raise HttpError(404, {"error": "not found"})
    return asset


def get_asset(sb: CantoSandbox, request: Request) -> Response:
    """``GET /api/v1/{scheme}/{id}``."""
    if request.params["scheme"] not in SCHEMES:
        raise HttpError(404, {"error": "not found"})
    with sb.catalog.lock:
        return json_response(render.asset_json(sb.catalog, _asset(sb, request), request.base_url))


def batch_content(sb: CantoSandbox, request: Request) -> Response:
    """``POST /api/v1/batch/content``: up to 100 assets; unknown ones are left out."""
    items = request.json()
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise HttpError(400, {"error": "expected a JSON array of {id, scheme}"})
    if len(items) > MAX_BATCH:
        raise HttpError(400, {"error": f"at most {MAX_BATCH} items per call"})
    results = []
    with sb.catalog.lock:
        for item in items:
            asset = sb.catalog.get(str(item.get("id", "")))
            if asset is not None and item.get("scheme", asset.scheme) == asset.scheme:
                results.append(render.asset_json(sb.catalog, asset, request.base_url))
    return json_response({"docResult": results})


def tree(sb: CantoSandbox, request: Request) -> Response:
    """``GET /api/v1/tree?layer=-1``."""
    depth = _int(request.query, "layer", -1)
    with sb.catalog.lock:
        return json_response({"results": render.tree_json(sb.catalog, sb.catalog.roots, depth)})


def custom_fields(sb: CantoSandbox, request: Request) -> Response:
    """``GET /api/v1/custom/field``."""
    with sb.catalog.lock:
        fields = [{"id": f.id, "name": f.name, "values": list(f.values)} for f in sb.catalog.fields]
    return json_response(fields)


def download(sb: CantoSandbox, request: Request) -> Response:
    """``GET /api_binary/v1/{scheme}/{id}``: 302 to a short-lived signed URL."""
    original, _ = render.direct_urls(request.base_url, _asset(sb, request))
    return redirect(original)


def direct_uri(sb: CantoSandbox, request: Request) -> Response:
    """``GET /api_binary/v1/{scheme}/{id}/directuri``: the signed URL as text."""
    original, _ = render.direct_urls(request.base_url, _asset(sb, request))
    return text_response(original)


def preview(sb: CantoSandbox, request: Request) -> Response:
    """``GET /api_binary/v1/{scheme}/{id}/preview``: an SVG thumbnail."""
    return text_response(render.preview_svg(_asset(sb, request)), content_type="image/svg+xml")


def direct(sb: CantoSandbox, request: Request) -> Response:
    """``GET /direct/{scheme}/{id}/{token}/{kind}``: the bytes behind a signed URL."""
    params = request.params
    number = render.verify(params["scheme"], params["id"], params["token"])
    if number is None:
        return Response(403, _S3_DENIED, "application/xml")
    asset = _asset(sb, request)
    version = next((v for v in asset.versions if v.no == number), None)
    if version is None:
        raise HttpError(404, {"error": "not found"})
    if params["kind"] != "original":
        return text_response(render.preview_svg(asset), content_type="image/svg+xml")
    filename = urllib.parse.quote(asset.name)
    headers = [("Content-Disposition", f"attachment; filename*=UTF-8''{filename}")]
    content_type = request.query.get("content-type") or asset.mime
    return Response(200, render.file_bytes(asset, version), content_type, headers)


_S3_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Request has expired</Message></Error>"
)


def register(router: Router, sb: CantoSandbox) -> None:
    """Add the emulated API's routes, most specific first."""
    from integrations.sandbox.canto import writes

    routes: list[tuple[str, str, Callable[[CantoSandbox, Request], Any]]] = [
        ("POST", "/oauth/api/oauth2/token", token),
        ("GET", "/api/v1/search", search),
        ("GET", "/api/v1/tree", tree),
        ("GET", "/api/v1/custom/field", custom_fields),
        ("POST", "/api/v1/batch/content", batch_content),
        ("PUT", "/api/v1/batch/edit", writes.batch_edit),
        ("POST", "/api/v1/batch/album", writes.batch_album),
        ("POST", "/api/v1/version/comment", writes.version_comment),
        ("GET", "/api/v1/album/{id}", album),
        ("GET", "/api/v1/folder/{id}", folder),
        ("POST", "/api/v1/album/{parent}/{name:.+}", partial(writes.create_node, scheme="album")),
        ("POST", "/api/v1/folder/{parent}/{name:.+}", partial(writes.create_node, scheme="folder")),
        ("PUT", "/api/v1/{scheme}/{id}/tag/{value:.+}", partial(writes.tag, present=True)),
        ("DELETE", "/api/v1/{scheme}/{id}/tag/{value:.+}", partial(writes.tag, present=False)),
        ("PUT", "/api/v1/{scheme}/{id}/keyword/{value:.+}", partial(writes.keyword, present=True)),
        (
            "DELETE",
            "/api/v1/{scheme}/{id}/keyword/{value:.+}",
            partial(writes.keyword, present=False),
        ),
        ("GET", "/api/v1/{scheme}/{id}", get_asset),
        ("GET", "/api_binary/v1/{scheme}/{id}/directuri", direct_uri),
        ("GET", "/api_binary/v1/{scheme}/{id}/preview", preview),
        ("GET", "/api_binary/v1/{scheme}/{id}", download),
        ("GET", "/direct/{scheme}/{id}/{token}/{kind}", direct),
    ]
    for method, pattern, handler in routes:
        router.add(method, pattern, partial(handler, sb))
