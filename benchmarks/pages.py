"""The busiest pages on a large installation, each beside the Django admin's page on the table.

On the data of ``seed_scale`` (full: 100,000 assets, 1,000,000 audit events, 10,000 requests,
5,000 releases), in process with Django's test client, per page:

- p95 server time over K requests after two warm-up requests (goal ≤ 150 ms)
- that p95 ÷ the admin's p95 on the same table and filter, requests interleaved (goal < 1.0)
- queries at page size 25 vs 100 (goal: the same count, i.e. no query per row)

The slowest SQL of a page that misses its time goal goes, with its plan, to
``var/bench-pages-slow.txt``.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max, Min
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, resolve, reverse

from audit.models import AuditChainHead, AuditEvent
from benchmarks.harness import Figure, fresh_database
from portal.models import Release, ReleaseItem
from requests_app.models import PartnerRequest

SIZES = {
    False: {"assets": 100_000, "audit_events": 1_000_000, "requests": 10_000, "releases": 5_000},
    True: {"assets": 1_500, "audit_events": 20_000, "requests": 300, "releases": 150},
}
GOAL_MS = 150
SEARCH_WORD = "pump"  # a product every seeded asset name may carry
MANAGER, REVIEWER = "scale-manager", "scale-reviewer"
AUDITOR, ADMIN = "scale-auditor", "scale-admin"
ADMIN_URLCONF = "benchmarks.pages_admin_urls"

_installation: dict = {}


def build_installation(quick: bool) -> dict:
    """A fresh database holding one ``seed_scale`` installation of the run's size."""
    fresh_database()
    sizes = SIZES[quick]
    started = time.perf_counter()
    call_command("seed_scale", **sizes, verbosity=0)
    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum gathers them within a minute of bulk writes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    _installation.clear()
    _installation.update(
        database=settings.DATABASES["default"]["NAME"],
        quick=quick,
        seconds=time.perf_counter() - started,
        **sizes,
    )
    return dict(_installation)


def installation(quick: bool) -> dict | None:
    """What ``build_installation`` made in this process, if the database still holds it."""
    if _installation.get("quick") != quick:
        return None
    if _installation["database"] != settings.DATABASES["default"]["NAME"]:
        return None
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.seq < _installation["audit_events"]:
        return None
    return dict(_installation)


@dataclass
class Page:
    name: str
    user: str
    url: str
    admin_url: str
    admin_what: str = "changelist"
    # Queries compared between a small and a large page: (url, page size or None) each.
    small: tuple[str, int | None] = ("", None)
    large: tuple[str, int | None] = ("", None)
    compared: str = "paginate_by set on the view: the page has no size parameter"
    timings: list[float] = field(default_factory=list)
    admin_timings: list[float] = field(default_factory=list)


def _query(base: str, **params) -> str:
    return f"{base}?{urlencode(params)}" if params else base


def _pages() -> list[Page]:
    """The pages, their filters and their admin counterparts, chosen from the seeded data."""
    catalog, audit = reverse("catalog:list"), reverse("audit:list")
    queue, reviews = reverse("requests:list"), reverse("reviews:queue")

    # Ninety days of one person's events, ending in the middle of the trail.
    span = AuditEvent.objects.filter(actor_name=MANAGER).aggregate(
        first=Min("time"), last=Max("time")
    )
    end = span["first"] + (span["last"] - span["first"]) / 2
    start = end - timedelta(days=90)
    audit_url = _query(
        audit,
        actor=MANAGER,
        date_after=start.date().isoformat(),
        date_before=end.date().isoformat(),
    )
    admin_audit = _query(
        "/admin/audit/auditevent/",
        actor_name=MANAGER,
        time__gte=start.date().isoformat() + "T00:00:00+00:00",
        time__lt=(end.date() + timedelta(days=1)).isoformat() + "T00:00:00+00:00",
    )

    in_releases = ReleaseItem.objects.values("asset_id").annotate(n=Count("id"))
    top = in_releases.order_by("-n", "asset_id")[0]
    busiest = top["asset_id"]
    quiet = in_releases.filter(n=1, asset__version_no=1).order_by("asset_id").first() or top
    quiet = quiet["asset_id"]
    detail = reverse("catalog:detail", args=[busiest])

    open_states = ",".join(PartnerRequest.OPEN_STATES)
    search = _query(catalog, q=SEARCH_WORD)
    return [
        Page("catalog list", MANAGER, catalog, "/admin/portal/asset/"),
        Page("catalog search", MANAGER, search, _query("/admin/portal/asset/", q=SEARCH_WORD)),
        Page("audit log", AUDITOR, audit_url, admin_audit),
        Page(
            "request queue",
            MANAGER,
            queue,
            _query("/admin/requests_app/partnerrequest/", state__in=open_states),
        ),
        Page("review queue", REVIEWER, reviews, _query(_release_admin(), state="in_review")),
        Page(
            "asset detail",
            MANAGER,
            detail,
            f"/admin/portal/asset/{busiest}/change/",
            admin_what="change page",
            small=(reverse("catalog:detail", args=[quiet]), None),
            large=(detail, None),
            compared=(
                "no page size: an asset in 1 release with 1 version vs the asset in most "
                f"releases ({top['n']})"
            ),
        ),
    ]


def _release_admin() -> str:
    """The admin changelist of releases: a default ModelAdmin when the product registers none."""
    if admin.site.is_registered(Release):
        return "/admin/portal/release/"
    return "/bench-admin/portal/release/"


class _ReleaseAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "submitted_by", "submitted_at"]
    list_filter = ["state"]
    list_select_related = ["submitted_by"]


def _urlconf() -> str:
    """The benchmark's URLs plus, at /bench-admin/, an admin site that lists releases."""
    if ADMIN_URLCONF not in sys.modules:
        site = admin.AdminSite(name="bench_admin")
        site.register(Release, _ReleaseAdmin)
        module = types.ModuleType(ADMIN_URLCONF)
        module.urlpatterns = [
            path("bench-admin/", site.urls),
            path("", include(settings.ROOT_URLCONF)),
        ]
        sys.modules[ADMIN_URLCONF] = module
    return ADMIN_URLCONF


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise AssertionError(f"GET {url} answered {response.status_code}")
    return elapsed


@contextmanager
def _page_size(url: str, size: int | None) -> Iterator[None]:
    """Let a list view show ``size`` rows a page for the duration (None: leave it)."""
    view = getattr(resolve(url.split("?")[0]).func, "view_class", None)
    if size is None or view is None or not hasattr(view, "paginate_by"):
        yield
        return
    saved = view.__dict__.get("paginate_by")
    view.paginate_by = size
    try:
        yield
    finally:
        if saved is None:
            del view.paginate_by
        else:
            view.paginate_by = saved


def _captured(client: Client, url: str, size: int | None = None) -> list[dict]:
    """The queries of one request, after one that fills the process's caches."""
    with _page_size(url, size):
        _get(client, url)
        with CaptureQueriesContext(connection) as queries:
            _get(client, url)
    return list(queries.captured_queries)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _explain(sql: str) -> str:
    postgres = connection.vendor == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def _measure(page: Page, clients: dict[str, Client], repeats: int) -> dict:
    own, staff = clients[page.user], clients[ADMIN]
    for _ in range(2):
        _get(own, page.url)
        _get(staff, page.admin_url)
    for _ in range(repeats):
        page.timings.append(_get(own, page.url))
        page.admin_timings.append(_get(staff, page.admin_url))
    queries = _captured(own, page.url)
    admin_queries = _captured(staff, page.admin_url)
    small_url, small_size = page.small if page.small[0] else (page.url, 25)
    large_url, large_size = page.large if page.large[0] else (page.url, 100)
    slowest = max(queries, key=lambda q: float(q["time"]))
    return {
        "queries": len(queries),
        "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
        "admin_queries": len(admin_queries),
        "small": len(_captured(own, small_url, small_size)),
        "large": len(_captured(own, large_url, large_size)),
        "slowest": slowest,
        "all": queries,
    }


def _figures(page: Page, facts: dict) -> list[Figure]:
    p50, top = statistics.median(page.timings), p95(page.timings)
    admin_p50, admin_top = statistics.median(page.admin_timings), p95(page.admin_timings)
    ratio = top / admin_top
    growth = facts["large"] - facts["small"]
    slow_ms = float(facts["slowest"]["time"]) * 1000
    return [
        Figure(
            f"page {page.name} p95",
            top,
            "ms",
            f"<= {GOAL_MS}",
            top <= GOAL_MS,
            f"p50 {p50:.1f} ms over {len(page.timings)} requests; {facts['queries']} queries "
            f"took {facts['sql_ms']:.0f} ms, the slowest {slow_ms:.0f} ms",
        ),
        Figure(
            f"page {page.name} p95 ÷ admin {page.admin_what} p95",
            ratio,
            "x",
            "< 1.0",
            ratio < 1.0,
            f"page p50/p95 {p50:.1f}/{top:.1f} ms; admin p50/p95 {admin_p50:.1f}/{admin_top:.1f} "
            f"ms, {facts['admin_queries']} queries",
        ),
        Figure(
            f"page {page.name} queries, page size 25 vs 100"
            if not page.small[0]
            else f"page {page.name} queries, few vs many rows",
            growth,
            "q",
            "0",
            growth == 0,
            f"{facts['small']} vs {facts['large']} queries; {page.compared}",
        ),
    ]


def _write_slow(report: list[tuple[Page, dict]]) -> None:
    lines = []
    for page, facts in report:
        if p95(page.timings) <= GOAL_MS:
            continue
        sql = facts["slowest"]["sql"]
        lines += [
            f"== page {page.name}: p95 {p95(page.timings):.1f} ms ({page.url}); "
            f"{facts['queries']} queries took {facts['sql_ms']:.0f} ms",
            *(
                f"   {float(q['time']) * 1000:6.1f} ms  {q['sql'][:150]}"
                for q in sorted(facts["all"], key=lambda q: -float(q["time"]))[:5]
            ),
            f"-- slowest SQL, {float(facts['slowest']['time']) * 1000:.1f} ms:",
            sql,
            "-- plan:",
            _explain(sql),
            "",
        ]
    out = settings.VAR_DIR / "bench-pages-slow.txt"
    out.write_text("\n".join(lines) if lines else "Every page met its time goal.\n")


def _collect_static() -> None:
    """As production deploys: hashed static files need their manifest (with DEBUG off)."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if isinstance(staticfiles_storage, ManifestFilesMixin):
        call_command("collectstatic", interactive=False, verbosity=0)
        manifest = staticfiles_storage.load_manifest()
        staticfiles_storage.hashed_files, staticfiles_storage.manifest_hash = manifest


def run(quick: bool, reuse: bool = False) -> list[Figure]:
    """Build the installation (or reuse the one this process built) and measure the pages."""
    if not (reuse and installation(quick)):
        build_installation(quick)
    _collect_static()
    repeats = 5 if quick else 40
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts, ROOT_URLCONF=_urlconf(), SECURE_SSL_REDIRECT=False):
        pages = _pages()
        clients = {name: _client(name) for name in {p.user for p in pages} | {ADMIN}}
        report = [(page, _measure(page, clients, repeats)) for page in pages]
        _write_slow(report)
    figures = []
    for page, facts in report:
        figures += _figures(page, facts)
    return figures
