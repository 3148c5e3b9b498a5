"""Lists: ``limit``, an opaque ``cursor``, ``updated_since`` and ``where_status``.

Items are ordered by ``(updated_at, id)`` and the cursor holds the last item's position, so a
client paging through never skips an item; one changed meanwhile moves to the end and shows up
again later.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any, TypeVar

from integrations.sandbox.server import Request, Response, json_response
from integrations.sandbox.tradinggrid.problems import Problem
from integrations.sandbox.tradinggrid.state import parse_rfc3339

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


def _bad(field: str, code: str, detail: str) -> Problem:
    return Problem(400, detail, errors=[{"field": field, "code": code}])


def parse_limit(query: dict[str, str]) -> int:
    """``limit``: 50 by default, 1 to 200."""
    raw = query.get("limit", "")
    if raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError as exc:
        raise _bad("limit", "invalid", "limit must be an integer.") from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise _bad("limit", "out_of_range", f"limit must lie between 1 and {MAX_LIMIT}.")
    return limit


def parse_since(query: dict[str, str]) -> datetime | None:
    """``updated_since`` as a datetime (a ``+`` decoded to a space is put back)."""
    raw = query.get("updated_since", "").strip()
    if not raw:
        return None
    try:
        return parse_rfc3339(raw.replace(" ", "+") if raw[10:11] == "T" else raw)
    except ValueError as exc:
        raise _bad(
            "updated_since", "invalid_datetime", "updated_since must be an RFC 3339 timestamp."
        ) from exc


def parse_statuses(query: dict[str, str], allowed: Collection[str] | None) -> set[str] | None:
    """``where_status`` (comma-separated values allowed), checked against ``allowed``."""
    raw = query.get("where_status", "").strip()
    if not raw:
        return None
    if allowed is None:
        raise _bad("where_status", "not_supported", "This list has no status to filter on.")
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    unknown = wanted - set(allowed)
    if unknown:
        raise _bad(
            "where_status",
            "invalid_choice",
            f"Unknown status {sorted(unknown)[0]!r}; one of {', '.join(allowed)}.",
        )
    return wanted


def encode_cursor(updated_at: datetime, item_id: str) -> str:
    """An opaque cursor pointing just after ``(updated_at, item_id)``."""
    raw = json.dumps({"u": updated_at.isoformat(), "i": item_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor points after; a 400 for anything not made by ``encode_cursor``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        return datetime.fromisoformat(data["u"]), str(data["i"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise _bad("cursor", "invalid", "The cursor is not valid.") from exc


def paginate(
    request: Request,
    items: Iterable[T],
    *,
    key: Callable[[T], tuple[datetime, str]],
    render: Callable[[T], dict[str, Any]],
    status: Callable[[T], str] | None = None,
    statuses: Collection[str] | None = None,
) -> Response:
    """One page as ``{"data": [...], "next_cursor": "..." | null}``."""
    query = request.query
    limit = parse_limit(query)
    since = parse_since(query)
    wanted = parse_statuses(query, statuses)
    after = decode_cursor(query["cursor"]) if query.get("cursor") else None
    selected = []
    for item in items:
        position = key(item)
        if since is not None and position[0] < since:
            continue
        if after is not None and position <= after:
            continue
        if wanted is not None and status is not None and status(item) not in wanted:
            continue
        selected.append((position, item))
    selected.sort(key=lambda pair: pair[0])
    page = selected[:limit]
    next_cursor = encode_cursor(*page[-1][0]) if len(selected) > limit else None
    return json_response({"data": [render(item) for _, item in page], "next_cursor": next_cursor})
