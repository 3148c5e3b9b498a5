"""Canto catalog sync against the Canto sandbox.

- full sync wall time ÷ the time to merely GET every page with the same client (goal ≤ 1.3),
  for the nightly full sync of a known catalog and for the very first sync into an empty one
- incremental sync with 1% changed ÷ full sync (goal ≤ 0.05)
- peak Python memory of a full sync at the small vs the large catalog (goal: growth ≤ 10%)
- database queries per page of 1000 (constant)
"""

from __future__ import annotations

import tracemalloc

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.harness import Figure, SandboxProcess, fresh_database, timed
from integrations.canto.client import CantoClient
from integrations.canto.runs import run_catalog_sync
from integrations.models import SyncRun


def _raw_fetch(client: CantoClient) -> int:
    count = 0
    for page in client.iter_search(
        page_size=settings.CANTO_PAGE_SIZE, sortBy="time", sortDirection="ascending"
    ):
        count += len(page.results)
    return count


def _full_sync_peak() -> tuple[SyncRun, int]:
    tracemalloc.start()
    run = run_catalog_sync(full=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return run, peak


def run(large: int, small: int) -> list[Figure]:
    sandbox = SandboxProcess("canto", settings.BENCH_CANTO_PORT, assets=small)
    try:
        fresh_database()
        _, small_peak = _full_sync_peak()

        sandbox.control("POST", "reset", {"assets": large})
        fresh_database()
        client = CantoClient.from_settings()
        client.search(limit=1)  # the token, outside the timings
        with timed() as raw:
            fetched = _raw_fetch(client)
        with timed() as first, CaptureQueriesContext(connection) as queries:
            full_run = run_catalog_sync(full=True)
        with timed() as full:
            run_catalog_sync(full=True)
        changed = max(1, large // 100)
        sandbox.control("POST", "touch", {"count": changed})
        with timed() as incremental:
            incremental_run = run_catalog_sync(full=False)
        fresh_database()
        _, large_peak = _full_sync_peak()
    finally:
        sandbox.stop()

    pages = max(1, full_run.pages)
    assert fetched == large == full_run.seen, (fetched, large, full_run.seen)
    assert incremental_run.seen >= changed
    first_ratio = first["seconds"] / raw["seconds"]
    full_ratio = full["seconds"] / raw["seconds"]
    incremental_ratio = incremental["seconds"] / full["seconds"]
    growth = large_peak / small_peak
    return [
        Figure(
            f"canto first full sync (empty catalog) ÷ raw page fetch ({large:,})",
            first_ratio,
            "x",
            "<= 1.3",
            first_ratio <= 1.3,
            f"sync {first['seconds']:.1f}s, fetch {raw['seconds']:.1f}s",
        ),
        Figure(
            f"canto full sync ÷ raw page fetch ({large:,} assets)",
            full_ratio,
            "x",
            "<= 1.3",
            full_ratio <= 1.3,
            f"sync {full['seconds']:.1f}s, fetch {raw['seconds']:.1f}s",
        ),
        Figure(
            f"canto incremental 1% ÷ full ({changed:,} changed)",
            incremental_ratio,
            "x",
            "<= 0.05",
            incremental_ratio <= 0.05,
            f"incremental {incremental['seconds']:.2f}s, {incremental_run.seen} read",
        ),
        Figure(
            f"canto sync peak memory {large:,} ÷ {small:,} assets",
            growth,
            "x",
            "<= 1.10",
            growth <= 1.10,
            f"{small_peak / 2**20:.1f} MiB vs {large_peak / 2**20:.1f} MiB",
        ),
        Figure(
            "canto sync queries per page of 1000",
            len(queries) / pages,
            "q",
            "constant",
            None,
            f"{len(queries)} queries over {pages} pages",
        ),
    ]
