"""Tolerant parsing of Canto's asset JSON into a typed record.

Canto sends numbers as strings, dates as ``yyyyMMddHHmmssSSS`` strings, keys with spaces under
``default`` and custom fields under ``additional``; unknown keys are ignored. Which custom field
means category, language, region or "regulated" comes from the admin-editable field mapping.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from integrations.models import CantoFieldMapping

SCHEMES = {"image", "video", "audio", "document", "presentation", "other"}
CANTO_TIME_FORMAT = "%Y%m%d%H%M%S"


class ParseError(ValueError):
    """One asset could not be read; the rest of its page still syncs."""


def parse_canto_time(value: Any) -> datetime | None:
    """``20250309101010123`` (UTC, milliseconds) → aware datetime; tolerant of shorter forms."""
    if value in (None, "", 0, "0"):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) < 14:
        # Some endpoints give epoch milliseconds.
        if text.isascii() and text.isdigit() and len(text) in (12, 13):
            return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
        raise ParseError(f"unreadable Canto time {value!r}")
    millis = int(text[14:17].ljust(3, "0")) if len(text) > 14 else 0
    try:
        return datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
            millis * 1000,
            tzinfo=UTC,
        )
    except ValueError as exc:
        raise ParseError(f"unreadable Canto time {value!r}") from exc


def format_canto_time(value: datetime) -> str:
    """The inverse, used for ``lastModified`` range bounds."""
    value = value.astimezone(UTC)
    return value.strftime(CANTO_TIME_FORMAT) + f"{value.microsecond // 1000:03d}"


MAX_INT = 2**62


def _int(value: Any, default: int | None = None) -> int | None:
    if value in (None, ""):
        return default
    try:
        number = int(float(str(value).strip()))
    except (ValueError, OverflowError):
        return default
    return number if 0 <= number < MAX_INT else default


def _clean(value: Any) -> Any:
    """Text as a database accepts it (PostgreSQL refuses NUL characters), recursively."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    return value


def _strings(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if v not in (None, "") and str(v).strip()]
    return []


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"true", "1", "yes"}


@dataclass
class CantoVersion:
    no: int
    current: bool
    owner_name: str = ""
    created: datetime | None = None
    comment: str = ""


@dataclass
class CantoAlbum:
    id: str
    name: str
    id_path: str = ""
    name_path: str = ""


@dataclass
class CantoAsset:
    id: str
    scheme: str
    name: str
    version_no: int
    md5: str
    size: int | None
    mime_type: str
    approval_status: str
    created: datetime | None
    modified: datetime | None
    owner_name: str
    tags: list[str]
    keywords: list[str]
    albums: list[CantoAlbum]
    versions: list[CantoVersion]
    custom_fields: dict[str, Any]
    category: str = ""
    language: str = ""
    region: str = ""
    regulated: bool = False
    expires_at: datetime | None = None
    preview_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def content_hash(self) -> str:
        """Changes when anything the portal keeps changes; equal payloads hash equal."""
        data = [getattr(self, name) for name in _HASHED]
        data.append([(a.id, a.name, a.id_path, a.name_path) for a in self.albums])
        data.append([(v.no, v.current, v.owner_name, v.created, v.comment) for v in self.versions])
        text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


_HASHED = [
    "id",
    "scheme",
    "name",
    "version_no",
    "md5",
    "size",
    "mime_type",
    "approval_status",
    "created",
    "modified",
    "owner_name",
    "tags",
    "keywords",
    "custom_fields",
    "category",
    "language",
    "region",
    "regulated",
    "expires_at",
    "preview_url",
]


def _versions(raw: Any) -> list[CantoVersion]:
    versions = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        no = _int(item.get("no") or item.get("version"))
        if no is None or no >= 2**31:
            continue
        versions.append(
            CantoVersion(
                no=no,
                current=_truthy(item.get("currentVersion")),
                owner_name=str(item.get("ownerName") or ""),
                created=_safe_time(item.get("created")),
                comment=str(item.get("comment") or ""),
            )
        )
    return sorted(versions, key=lambda v: v.no, reverse=True)


def _safe_time(value: Any) -> datetime | None:
    try:
        return parse_canto_time(value)
    except ParseError:
        pass
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _albums(raw: Any) -> list[CantoAlbum]:
    albums = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and item.get("id"):
            albums.append(
                CantoAlbum(
                    id=str(item["id"]),
                    name=str(item.get("name") or ""),
                    id_path=str(item.get("idPath") or ""),
                    name_path=str(item.get("namePath") or ""),
                )
            )
    return albums


def _field(custom: dict[str, Any], name: str) -> str:
    if not name:
        return ""
    value = custom.get(name)
    if value is None:
        lowered = {k.lower(): v for k, v in custom.items()}
        value = lowered.get(name.lower())
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return "" if value is None else str(value).strip()


def parse_asset(raw: Any, mapping: CantoFieldMapping) -> CantoAsset:
    """Read one asset; raises ``ParseError`` naming what is wrong with it."""
    if not isinstance(raw, dict):
        raise ParseError(f"asset is a {type(raw).__name__}, not an object")
    raw = _clean(raw)
    asset_id = str(raw.get("id") or "").strip()
    scheme = str(raw.get("scheme") or "").strip().lower()
    if not asset_id or len(asset_id) > 64:
        raise ParseError("asset has no usable id")
    if scheme not in SCHEMES:
        raise ParseError(f"asset {asset_id} has unknown scheme {raw.get('scheme')!r}")
    default = raw.get("default") if isinstance(raw.get("default"), dict) else {}
    custom = raw.get("additional") if isinstance(raw.get("additional"), dict) else {}
    metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
    urls = raw.get("url") if isinstance(raw.get("url"), dict) else {}
    versions = _versions(raw.get("versionHistory"))
    current = next((v for v in versions if v.current), versions[0] if versions else None)
    category = _field(custom, mapping.category_field)
    regulated_value = _field(custom, mapping.regulated_field).lower()
    regulated = regulated_value in mapping.split(mapping.regulated_values) or (
        category.lower() in mapping.split(mapping.regulated_categories)
    )
    expiry_text = _field(custom, mapping.expiry_field) or str(default.get("Expiration Date") or "")
    name = str(raw.get("name") or metadata.get("File Name") or "").strip()
    if not name:
        raise ParseError(f"asset {asset_id} has no name")
    return CantoAsset(
        id=asset_id,
        scheme=scheme,
        name=name[:500],
        version_no=current.no if current else 1,
        md5=str(raw.get("md5") or "")[:64],
        size=_int(raw.get("size")),
        mime_type=str(default.get("Content Type") or metadata.get("MIME Type") or "")[:150],
        approval_status=str(raw.get("approvalStatus") or "Pending").strip()[:64],
        created=parse_canto_time(raw.get("created")),
        modified=parse_canto_time(raw.get("time") or raw.get("lastUploaded")),
        owner_name=str(raw.get("ownerName") or "")[:150],
        tags=_strings(raw.get("tag")),
        keywords=_strings(raw.get("keyword")),
        albums=_albums(raw.get("relatedAlbums")),
        versions=versions,
        custom_fields={str(k): v for k, v in custom.items()},
        category=category[:150],
        language=_field(custom, mapping.language_field)[:32],
        region=_field(custom, mapping.region_field)[:64],
        regulated=regulated,
        expires_at=_safe_time(expiry_text) if expiry_text else None,
        preview_url=str(urls.get("preview") or "")[:1000],
    )
