"""Checking publication bodies: every problem found is reported as ``{"field", "code"}``."""

from __future__ import annotations

import re
from typing import Any

from integrations.sandbox.tradinggrid.state import parse_rfc3339, rfc3339

PUBLICATION_TYPES = ("asset", "kit", "onboarding")
DATE_FIELDS = ("acknowledgement_due_at", "publish_at", "expires_at")
TEXT_OR_NULL = ("external_ref", "supersedes", "summary")
AUDIENCE_KEYS = ("partner_ids", "tiers", "regions")
READ_ONLY = ("id", "community_id", "status", "created_at", "updated_at", "archived_at")
MAX_TITLE = 500
MD5 = re.compile(r"^[0-9a-fA-F]{32}$")

Errors = list[dict[str, str]]


def _error(errors: Errors, field: str, code: str) -> None:
    errors.append({"field": field, "code": code})


def _file(errors: Errors, index: int, item: Any) -> dict[str, Any] | None:
    where = f"files[{index}]"
    if not isinstance(item, dict):
        _error(errors, where, "invalid")
        return None
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        _error(errors, f"{where}.name", "required" if not name else "invalid")
    url = item.get("source_url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        _error(errors, f"{where}.source_url", "required" if not url else "invalid_url")
    size = item.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        _error(errors, f"{where}.size", "invalid")
    md5 = item.get("md5")
    if md5 is not None and (not isinstance(md5, str) or not MD5.match(md5)):
        _error(errors, f"{where}.md5", "invalid")
    mime_type = item.get("mime_type")
    if mime_type is not None and not isinstance(mime_type, str):
        _error(errors, f"{where}.mime_type", "invalid")
    return {
        **item,
        "name": name,
        "mime_type": mime_type,
        "size": size,
        "md5": md5.lower() if isinstance(md5, str) else md5,
        "source_url": url,
    }


def _files(errors: Errors, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        _error(errors, "files", "required" if not value else "invalid")
        return []
    cleaned = [_file(errors, index, item) for index, item in enumerate(value)]
    return [item for item in cleaned if item is not None]


def _audience(errors: Errors, value: Any) -> dict[str, list[str]]:
    audience: dict[str, list[str]] = {key: [] for key in AUDIENCE_KEYS}
    if value is None:
        return audience
    if not isinstance(value, dict):
        _error(errors, "audience", "invalid")
        return audience
    for key in AUDIENCE_KEYS:
        items = value.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            _error(errors, f"audience.{key}", "invalid")
            continue
        audience[key] = list(dict.fromkeys(items))
    return audience


def _date(errors: Errors, name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        return rfc3339(parse_rfc3339(value))
    except ValueError:
        _error(errors, name, "invalid_datetime")
        return None


def clean_publication(
    body: dict[str, Any], *, partial: bool, current: dict[str, Any] | None = None
) -> tuple[dict[str, Any], Errors]:
    """The normalised fields to store and the errors found.

    With ``partial`` (PATCH) only the given fields are checked and returned; ``current`` holds
    the stored fields, against which the dates are checked for consistency.
    """
    errors: Errors = []
    cleaned: dict[str, Any] = {k: v for k, v in body.items() if k not in READ_ONLY}
    if not partial or "title" in body:
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            _error(errors, "title", "required" if not title else "invalid")
        elif len(title) > MAX_TITLE:
            _error(errors, "title", "too_long")
        else:
            cleaned["title"] = title.strip()
    if not partial or "type" in body:
        kind = body.get("type") or "asset"
        if kind not in PUBLICATION_TYPES:
            _error(errors, "type", "invalid_choice")
        cleaned["type"] = kind
    if not partial or "files" in body:
        cleaned["files"] = _files(errors, body.get("files"))
    if not partial or "audience" in body:
        cleaned["audience"] = _audience(errors, body.get("audience"))
    if not partial or "requires_acknowledgement" in body:
        flag = body.get("requires_acknowledgement", False)
        if not isinstance(flag, bool):
            _error(errors, "requires_acknowledgement", "invalid")
        cleaned["requires_acknowledgement"] = bool(flag)
    for name in TEXT_OR_NULL:
        if not partial or name in body:
            value = body.get(name, "" if name == "summary" else None)
            if value is not None and not isinstance(value, str):
                _error(errors, name, "invalid")
            cleaned[name] = value
    if not partial or "version" in body:
        version = body.get("version")
        if isinstance(version, bool) or not isinstance(version, str | int | float | type(None)):
            _error(errors, "version", "invalid")
        cleaned["version"] = None if version is None else str(version)
    for name in DATE_FIELDS:
        if not partial or name in body:
            cleaned[name] = _date(errors, name, body.get(name))
    merged = {**(current or {}), **cleaned}
    publish, expires = merged.get("publish_at"), merged.get("expires_at")
    if publish and expires and parse_rfc3339(expires) <= parse_rfc3339(publish):
        _error(errors, "expires_at", "not_after_publish_at")
    return cleaned, errors
