"""Sync runs: the lock, the full and incremental walks, deletions, and single-asset refresh."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import record, record_many
from integrations.canto.client import CantoClient, SearchPage
from integrations.canto.parsing import format_canto_time
from integrations.canto.sync import LOCK_KEY, apply_assets, sync_tree
from integrations.models import CantoFieldMapping, SyncRun
from integrations.syncruns import start_run as start_sync_run
from portal.catalog.signals import catalog_changed
from portal.models import Asset

log = logging.getLogger(__name__)
Progress = Callable[[SyncRun], None]


def start_run(kind: str) -> SyncRun:
    """Take the catalog lock (see ``integrations.syncruns``)."""
    return start_sync_run(kind, LOCK_KEY)


def _since() -> timezone.datetime | None:
    last = SyncRun.objects.filter(lock_key=LOCK_KEY, state=SyncRun.State.SUCCEEDED).first()
    if last is None:
        return None
    return last.started_at - timedelta(seconds=settings.CANTO_SYNC_OVERLAP_SECONDS)


def run_catalog_sync(
    *, full: bool, client: CantoClient | None = None, progress: Progress | None = None
) -> SyncRun:
    """One whole sync run. An incremental run with no earlier good run becomes a full one."""
    since = None if full else _since()
    kind = SyncRun.Kind.CANTO_INCREMENTAL if since else SyncRun.Kind.CANTO_FULL
    run = start_run(kind)
    try:
        client = client or CantoClient.from_settings()
        mapping = CantoFieldMapping.current()
        # Unchanged Canto times can be trusted unless the field mapping changed since the last
        # good full run; then every asset is read again under the new mapping.
        last_full = SyncRun.objects.filter(
            lock_key=LOCK_KEY, kind=SyncRun.Kind.CANTO_FULL, state=SyncRun.State.SUCCEEDED
        ).first()
        trust_time = last_full is not None and (
            mapping.pk is None or mapping.updated_at < last_full.started_at
        )
        if since is None:
            sync_tree(client)
        # Newest first: an asset changed during the walk moves to pages already read, so
        # offset paging may read something twice but never skips anything.
        filters = {"sortBy": "time", "sortDirection": "descending"}
        if since is not None:
            filters["lastModified"] = f"{format_canto_time(since)}.."
            SyncRun.objects.filter(pk=run.pk).update(since=since)
        pages = client.iter_search(page_size=settings.CANTO_PAGE_SIZE, **filters)
        for page in prefetched(pages):
            if page.found is not None and run.expected is None:
                run.expected = page.found
                SyncRun.objects.filter(pk=run.pk).update(expected=page.found)
            apply_assets(
                page.results, mapping=mapping, detailed=False, run=run, trust_time=trust_time
            )
            if progress:
                run.refresh_from_db()
                progress(run)
        if since is None:
            _mark_deleted(run, client, mapping)
    except Exception as exc:
        _finish(run, SyncRun.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    return _finish(run, SyncRun.State.SUCCEEDED)


def prefetched(pages: Iterator[SearchPage]) -> Iterator[SearchPage]:
    """Fetch the next page while the current one is written, so the sync costs little more
    than the fetching itself. One page ahead: memory stays at two pages."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="canto-prefetch") as pool:
        pending = pool.submit(next, pages, None)
        while True:
            page = pending.result()
            if page is None:
                return
            pending = pool.submit(next, pages, None)
            yield page


def _finish(run: SyncRun, state: str, error: str = "") -> SyncRun:
    with transaction.atomic():
        SyncRun.objects.filter(pk=run.pk).update(
            state=state, finished_at=timezone.now(), error=error
        )
        run.refresh_from_db()
        counts = {
            k: getattr(run, k)
            for k in ("seen", "created", "updated", "unchanged", "deleted", "failed", "pages")
        }
        if state == SyncRun.State.SUCCEEDED:
            record("catalog.sync_completed", obj=run, after=counts)
        else:
            record("catalog.sync_failed", obj=run, after=counts, reason=error)
    return run


def _mark_deleted(run: SyncRun, client: CantoClient, mapping: CantoFieldMapping) -> None:
    """Assets this run did not see: ask Canto for each; what it no longer has is deleted.

    Offset paging over a catalog that changes meanwhile can skip an asset; asking again by id
    both protects it from a wrong deletion and brings it up to date.
    """
    missing = list(
        Asset.objects.filter(deleted_in_canto=False, last_seen_at__lt=run.started_at).values_list(
            "scheme", "canto_id"
        )
    )
    for offset in range(0, len(missing), 100):
        chunk = missing[offset : offset + 100]
        present = client.batch_content(chunk)
        apply_assets(present, mapping=mapping, detailed=False)
        present_ids = {str(a.get("id")) for a in present if isinstance(a, dict)}
        gone = [canto_id for _, canto_id in chunk if canto_id not in present_ids]
        mark_deleted(gone, run=run)


def mark_deleted(canto_ids: list[str], run: SyncRun | None = None) -> int:
    if not canto_ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        assets = list(
            Asset.objects.select_for_update().filter(canto_id__in=canto_ids, deleted_in_canto=False)
        )
        Asset.objects.filter(pk__in=[a.pk for a in assets]).update(
            deleted_in_canto=True, deleted_at=now, updated_at=now
        )
        record_many(
            [
                {"action": "catalog.asset_deleted", "obj": a, "after": {"version": a.version_no}}
                for a in assets
            ]
        )
        for asset in assets:
            asset.deleted_in_canto, asset.deleted_at = True, now
        if assets:
            catalog_changed.send(sender=Asset, assets=assets)
        if run is not None:
            from django.db.models import F

            SyncRun.objects.filter(pk=run.pk).update(deleted=F("deleted") + len(assets))
    return len(assets)


def refresh_asset(scheme: str, canto_id: str, client: CantoClient | None = None) -> str:
    """Re-read one asset from Canto (a webhook's hint) and apply it; returns what happened."""
    client = client or CantoClient.from_settings()
    known = Asset.objects.filter(canto_id=canto_id).values_list("scheme", flat=True).first()
    raw = client.get_asset(known or scheme, canto_id)
    if raw is None:
        # Deleted only if Canto cannot find it by id either (a wrong scheme also gives 404).
        found = client.batch_content([(known or scheme, canto_id)])
        if not found:
            return "deleted" if mark_deleted([canto_id]) else "absent"
        raw = found[0]
    result = apply_assets([raw], mapping=CantoFieldMapping.current(), detailed=True)
    if result.failures:
        _, error, _ = result.failures[0]
        raise ValueError(f"Canto asset {canto_id} could not be read: {error}")
    if result.created:
        return "created"
    return "updated" if result.updated else "unchanged"
