"""Catalog sync: the portal's mirror of Canto, page by page with bulk writes.

A full sync streams the whole catalog and marks what Canto no longer has as deleted; an
incremental sync asks only for what changed since the last good run (with an overlap window);
a webhook refreshes the one asset it names. Memory stays flat: one page at a time.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from audit.services import record_many
from integrations.canto.client import CantoClient
from integrations.canto.parsing import CantoAsset, ParseError, parse_asset, parse_canto_time
from integrations.models import CantoFieldMapping, SyncFailure, SyncRun
from portal.bulk import upsert
from portal.catalog.signals import assets_written, catalog_changed
from portal.models import Album, Asset, AssetVersion
from portal.models.catalog import index_text

log = logging.getLogger(__name__)
LOCK_KEY = "canto-catalog"
ASSET_FIELDS = [
    "scheme",
    "name",
    "version_no",
    "md5",
    "size",
    "mime_type",
    "approval_status",
    "expires_at",
    "category",
    "language",
    "region",
    "regulated",
    "tags",
    "keywords",
    "tag_index",
    "albums",
    "album_index",
    "custom_fields",
    "owner_name",
    "canto_created",
    "canto_modified",
    "preview_url",
    "content_hash",
    "last_seen_at",
    "deleted_in_canto",
    "deleted_at",
]


@dataclass
class PageResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)


def _values(parsed: CantoAsset, now) -> dict[str, Any]:
    return {
        "scheme": parsed.scheme,
        "name": parsed.name,
        "version_no": parsed.version_no,
        "md5": parsed.md5,
        "size": parsed.size,
        "mime_type": parsed.mime_type,
        "approval_status": parsed.approval_status,
        "expires_at": parsed.expires_at,
        "category": parsed.category,
        "language": parsed.language,
        "region": parsed.region,
        "regulated": parsed.regulated,
        "tags": parsed.tags,
        "keywords": parsed.keywords,
        "tag_index": index_text(parsed.tags + parsed.keywords),
        "albums": [{"id": a.id, "name": a.name} for a in parsed.albums],
        "album_index": index_text(a.id for a in parsed.albums),
        "custom_fields": parsed.custom_fields,
        "owner_name": parsed.owner_name,
        "canto_created": parsed.created,
        "canto_modified": parsed.modified,
        "preview_url": parsed.preview_url,
        "content_hash": parsed.content_hash(),
        "last_seen_at": now,
        "deleted_in_canto": False,
        "deleted_at": None,
    }


def _changes(row: Asset, parsed: CantoAsset) -> list[dict[str, Any]]:
    """The audit entries one asset's change deserves."""
    entries = []
    if row.deleted_in_canto:
        entries.append({"action": "catalog.asset_restored", "obj": row})
    if parsed.version_no != row.version_no or (parsed.md5 and parsed.md5 != row.md5):
        entries.append(
            {
                "action": "catalog.asset_new_version",
                "obj": row,
                "before": {"version": row.version_no, "md5": row.md5},
                "after": {"version": parsed.version_no, "md5": parsed.md5},
            }
        )
    if parsed.regulated != row.regulated or parsed.expires_at != row.expires_at:
        entries.append(
            {
                "action": "catalog.asset_classification_changed",
                "obj": row,
                "before": {"regulated": row.regulated, "expires_at": row.expires_at},
                "after": {"regulated": parsed.regulated, "expires_at": parsed.expires_at},
            }
        )
    if parsed.approval_status != row.approval_status:
        entries.append(
            {
                "action": "catalog.asset_status_changed",
                "obj": row,
                "before": {"approval_status": row.approval_status},
                "after": {"approval_status": parsed.approval_status},
            }
        )
    return entries


def _metadata_diff(row: Asset, values: dict[str, Any]) -> tuple[dict, dict]:
    shown = ["name", "category", "language", "region", "regulated", "tags", "keywords"]
    before = {k: getattr(row, k) for k in shown if getattr(row, k) != values[k]}
    after = {k: values[k] for k in before}
    return before, after


def _ident(raw: dict) -> str:
    """The asset id as parsing reads it (without the NUL characters databases refuse)."""
    return str(raw.get("id", "")).replace("\x00", "").strip()


def _unchanged_by_time(raw_assets: list[Any]) -> tuple[list[Any], list[int]]:
    """Split off assets whose Canto modification time equals what the catalog holds.

    Canto bumps ``time`` on every change (the incremental sync relies on it too), so those
    need no parsing at all: the steady-state nightly sync costs little more than fetching.
    """
    times: dict[str, Any] = {}
    for raw in raw_assets:
        if isinstance(raw, dict) and raw.get("id") and raw.get("time"):
            times[_ident(raw)] = raw["time"]
    known = {
        canto_id: (pk, modified)
        for canto_id, pk, modified in Asset.objects.filter(
            canto_id__in=list(times), deleted_in_canto=False
        ).values_list("canto_id", "pk", "canto_modified")
    }
    changed, unchanged_ids = [], []
    for raw in raw_assets:
        ident = _ident(raw) if isinstance(raw, dict) else ""
        row = known.get(ident)
        if row is not None and row[1] is not None:
            try:
                same = parse_canto_time(times[ident]) == row[1]
            except (ParseError, KeyError):
                same = False
            if same:
                unchanged_ids.append(row[0])
                continue
        changed.append(raw)
    return changed, unchanged_ids


def apply_assets(
    raw_assets: list[Any],
    *,
    mapping: CantoFieldMapping,
    detailed: bool,
    run: SyncRun | None = None,
    trust_time: bool = False,
) -> PageResult:
    """Upsert one page of Canto assets in one transaction; a malformed asset fails alone.

    ``detailed`` also audits creations and metadata edits (webhook refreshes); bulk runs
    audit versions, status changes, deletions and restorations, and sum up the rest.
    ``trust_time`` skips assets whose Canto modification time is unchanged.
    """
    result = PageResult()
    parsed_by_id: dict[str, CantoAsset] = {}
    skipped: list[int] = []
    if trust_time:
        raw_assets, skipped = _unchanged_by_time(raw_assets)
    for raw in raw_assets:
        try:
            parsed = parse_asset(raw, mapping)
        except ParseError as exc:
            ident = _ident(raw)[:128] if isinstance(raw, dict) else ""
            result.failures.append((ident, str(exc), json.dumps(raw, default=str)[:2000]))
            continue
        parsed_by_id[parsed.id] = parsed
    result.failed = len(result.failures)
    try:
        with transaction.atomic():
            _write(parsed_by_id, result, detailed=detailed, skipped=skipped)
    except DatabaseError:
        if len(parsed_by_id) + len(skipped) <= 1:
            raise
        # One asset the database refuses must not sink its page: write them one by one.
        result.created = result.updated = result.unchanged = 0
        _write_one_by_one(parsed_by_id, result, detailed=detailed, skipped=skipped)
    if run is not None:
        _count(run, result, seen=len(parsed_by_id) + result.failed + len(skipped))
    return result


def _write_one_by_one(
    parsed_by_id: dict[str, CantoAsset], result: PageResult, *, detailed: bool, skipped: list[int]
) -> None:
    if skipped:
        Asset.objects.filter(pk__in=skipped).update(last_seen_at=timezone.now())
        result.unchanged += len(skipped)
    for canto_id, parsed in parsed_by_id.items():
        try:
            with transaction.atomic():
                _write({canto_id: parsed}, result, detailed=detailed, skipped=[])
        except DatabaseError as exc:
            log.warning("Canto asset %s refused by the database: %s", canto_id, exc)
            result.failures.append((canto_id, f"refused by the database: {exc}"[:1000], ""))
    result.failed = len(result.failures)


def _count(run: SyncRun, result: PageResult, *, seen: int) -> None:
    SyncFailure.objects.bulk_create(
        SyncFailure(run=run, external_id=i, error=e, payload=p) for i, e, p in result.failures
    )
    SyncRun.objects.filter(pk=run.pk).update(
        seen=F("seen") + seen,
        created=F("created") + result.created,
        updated=F("updated") + result.updated,
        unchanged=F("unchanged") + result.unchanged,
        failed=F("failed") + result.failed,
        pages=F("pages") + 1,
        heartbeat_at=timezone.now(),
    )


def _write(
    parsed_by_id: dict[str, CantoAsset],
    result: PageResult,
    *,
    detailed: bool,
    skipped: list[int],
) -> None:
    now = timezone.now()
    existing = {
        a.canto_id: a
        for a in Asset.objects.select_for_update().filter(canto_id__in=list(parsed_by_id))
    }
    creates, updates, unchanged_ids, entries = [], [], list(skipped), []
    material: list[Asset] = []  # new version, status, classification, restoration
    for canto_id, parsed in parsed_by_id.items():
        values = _values(parsed, now)
        row = existing.get(canto_id)
        if row is None:
            creates.append(Asset(canto_id=canto_id, **values))
            continue
        if row.content_hash == values["content_hash"] and not row.deleted_in_canto:
            unchanged_ids.append(row.pk)
            continue
        if parsed.modified and row.canto_modified and parsed.modified < row.canto_modified:
            # This page was fetched before a webhook refresh wrote something newer.
            unchanged_ids.append(row.pk)
            continue
        changes = _changes(row, parsed)
        if changes:
            material.append(row)
        entries.extend(changes)
        if detailed:
            before, after = _metadata_diff(row, values)
            if before:
                entries.append(
                    {
                        "action": "catalog.asset_updated",
                        "obj": row,
                        "before": before,
                        "after": after,
                    }
                )
        for name, value in values.items():
            setattr(row, name, value)
        updates.append(row)
    # One prepared upsert for new and changed rows: the hot path of every sync.
    upsert(
        Asset,
        [
            {
                "canto_id": a.canto_id,
                **{f: getattr(a, f) for f in ASSET_FIELDS},
                "created_at": now,
                "updated_at": now,
            }
            for a in [*creates, *updates]
        ],
        conflict=["canto_id"],
        update=[*ASSET_FIELDS, "updated_at"],
    )
    if creates:
        ids = dict(
            Asset.objects.filter(canto_id__in=[a.canto_id for a in creates]).values_list(
                "canto_id", "pk"
            )
        )
        for asset in creates:
            asset.pk = ids[asset.canto_id]
    if unchanged_ids:
        Asset.objects.filter(pk__in=unchanged_ids).update(last_seen_at=now)
    _write_versions([*creates, *updates], parsed_by_id)
    _write_albums(parsed_by_id.values())
    if detailed:
        entries.extend(
            {
                "action": "catalog.asset_created",
                "obj": a,
                "after": {"version": a.version_no, "status": a.approval_status},
            }
            for a in creates
        )
    record_many(entries)
    if material:
        catalog_changed.send(sender=Asset, assets=material)
    if creates or updates:
        assets_written.send(sender=Asset, created=creates, updated=updates)
    result.created += len(creates)
    result.updated += len(updates)
    result.unchanged += len(unchanged_ids)


def _write_versions(assets: list[Asset], parsed_by_id: dict[str, CantoAsset]) -> None:
    now = timezone.now()
    rows = []
    for asset in assets:
        parsed = parsed_by_id[asset.canto_id]
        history = parsed.versions or []
        if not any(v.no == parsed.version_no for v in history):
            rows.append(
                {
                    "asset": asset.pk,
                    "no": parsed.version_no,
                    "md5": parsed.md5,
                    "owner_name": "",
                    "comment": "",
                    "canto_created": parsed.modified,
                    "first_seen_at": now,
                }
            )
        for version in history:
            rows.append(
                {
                    "asset": asset.pk,
                    "no": version.no,
                    "md5": parsed.md5 if version.no == parsed.version_no else "",
                    "owner_name": version.owner_name,
                    "comment": version.comment,
                    "canto_created": version.created,
                    "first_seen_at": now,
                }
            )
    upsert(AssetVersion, rows, conflict=["asset", "no"], update=["comment"])


def _write_albums(parsed_assets) -> None:
    albums = {a.id: a for p in parsed_assets for a in p.albums}
    if not albums:
        return
    known = set(Album.objects.filter(canto_id__in=list(albums)).values_list("canto_id", flat=True))
    Album.objects.bulk_create(
        [
            Album(
                canto_id=a.id,
                name=a.name[:255],
                id_path=a.id_path[:500],
                name_path=a.name_path[:1000],
            )
            for i, a in albums.items()
            if i not in known
        ],
        ignore_conflicts=True,
    )


def sync_tree(client: CantoClient) -> int:
    """Mirror Canto's folder and album tree (names and paths)."""
    nodes, stack = [], list(client.tree())
    while stack:
        node = stack.pop()
        if not isinstance(node, dict) or not node.get("id"):
            continue
        nodes.append(
            Album(
                canto_id=str(node["id"]),
                scheme=str(node.get("scheme") or "album")[:10],
                name=str(node.get("name") or "")[:255],
                id_path=str(node.get("idPath") or "")[:500],
                name_path=str(node.get("namePath") or "")[:1000],
            )
        )
        stack.extend(node.get("children") or [])
    Album.objects.bulk_create(
        nodes,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["canto_id"],
        update_fields=["scheme", "name", "id_path", "name_path"],
    )
    return len(nodes)
