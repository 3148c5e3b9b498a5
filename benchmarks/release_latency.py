"""Releases against both sandboxes, with the portal's web server and a real Celery worker.

- latency from a Canto "new version" (the Canto sandbox fires its webhook at the web server)
  to partners seeing the new file in the Trading Grid sandbox, for a release that updates
  non-regulated assets automatically: p50 and p95 over a series of changes (goal p95 ≤ 5 s)
- a release of many assets to many communities: wall time from the reviewer's approval until
  every publication is live, and Trading Grid write calls ÷ publications (goal ≤ 1.0), as the
  Trading Grid sandbox counted them
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone

from benchmarks.harness import Figure, PortalProcess, SandboxProcess, fresh_database, purge_broker
from integrations.canto.runs import run_catalog_sync
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants, roles
from portal.context import USER, Actor, acting_as
from portal.models import Asset, Community, Partner, Publication, Release
from portal.releases import services

WRITE_ROUTES = {
    "POST /ac/v1/communities/{id}/publications",
    "PATCH /ac/v1/publications/{id}",
    "POST /ac/v1/publications/{id}:archive",
}
CANTO_ASSETS = 300
CHANGE_TIMEOUT = 60.0


def _wait(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"benchmark: {what} within {timeout:.0f}s")


def _person(name: str, role: str):
    user, _ = get_user_model().objects.get_or_create(
        username=name, defaults={"email": f"{name}@example.com"}
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def _as(user):
    return acting_as(Actor(USER, user.get_username(), user.pk), via="web")


def _eligible(regulated: bool | None = None):
    assets = Asset.objects.filter(approval_status="Approved", deleted_in_canto=False).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now() + timedelta(days=1))
    )
    if regulated is not None:
        assets = assets.filter(regulated=regulated)
    return assets.order_by("pk")


def _release(manager, reviewer, name, assets, communities, **values) -> Release:
    """Created and submitted by the manager; the reviewer's approval is left to the caller."""
    with _as(manager):
        release = services.create(manager, communities=communities, name=name, **values)
        for asset in assets:
            services.add_item(manager, release, asset)
        services.submit(manager, release)
    release.refresh_from_db()
    return release


def _published(release: Release, publications: int) -> bool:
    release.refresh_from_db()
    return (
        release.state == Release.State.PUBLISHED
        and Publication.objects.filter(release=release, state=Publication.State.LIVE).count()
        == publications
    )


def _percentile(values: list[float], percent: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _latencies(canto, tradinggrid, release, partner: Partner, assets) -> list[float]:
    """One new version per asset, one after the other; the first warms the processes up."""
    shown = dict(
        Publication.objects.filter(release=release, state="live").values_list("asset_id", "tg_id")
    )
    seconds = []
    for asset in assets:
        started = time.perf_counter()
        changed = canto.control("POST", f"assets/{asset.canto_id}/version", {"comment": "bench"})
        tg_id, md5 = shown[asset.pk], changed["md5"]

        def visible(tg_id=tg_id, md5=md5) -> bool:
            return any(
                p["id"] == tg_id and [f["md5"] for f in p["files"]] == [md5]
                for p in tradinggrid.control("GET", f"partners/{partner.tg_id}/visible")
            )

        _wait(visible, CHANGE_TIMEOUT, f"the new version of {asset.name} was not shown")
        seconds.append(time.perf_counter() - started)
        # The next change starts from a settled release, as a person would find it.
        _wait(lambda: _state(release) == "published", CHANGE_TIMEOUT, "release did not settle")
    return seconds[1:]


def _state(release: Release) -> str:
    release.refresh_from_db()
    return release.state


def _communities(tradinggrid, wanted: int) -> list[Community]:
    """``wanted`` communities, created in the Trading Grid sandbox beyond its seeded ones."""
    have = len(tradinggrid.control("GET", "info")["communities"])
    for number in range(have, wanted):
        tradinggrid.control(
            "POST", "communities", {"name": f"Benchmark community {number + 1:02d}"}
        )
    if wanted > have:
        run_partner_sync(full=True)
    return list(Community.objects.order_by("pk")[:wanted])


def run(*, changes: int, assets: int, communities: int) -> list[Figure]:
    started: list[PortalProcess | SandboxProcess] = []
    try:
        canto = SandboxProcess("canto", settings.BENCH_CANTO_PORT, assets=CANTO_ASSETS)
        started.append(canto)
        tradinggrid = SandboxProcess("tradinggrid", settings.BENCH_TRADINGGRID_PORT, assets=0)
        started.append(tradinggrid)
        fresh_database()
        purge_broker()
        started.append(PortalProcess.web(settings.BENCH_WEB_PORT))
        started.append(PortalProcess.worker())
        canto.control(
            "POST",
            "webhooks",
            {
                "url": f"http://127.0.0.1:{settings.BENCH_WEB_PORT}/webhooks/canto/",
                "token": settings.CANTO_WEBHOOK_TOKEN,
                "enabled": True,
            },
        )
        run_catalog_sync(full=True)
        run_partner_sync(full=True)
        roles.sync_roles()
        manager = _person("bench-manager", roles.CONTENT_MANAGER)
        reviewer = _person("bench-reviewer", roles.COMPLIANCE_REVIEWER)
        targets = _communities(tradinggrid, communities)
        for person in (manager, reviewer):
            for community in targets:
                grants.grant_community(person, community)

        # (i) Canto new version → partners see it.
        home = next(
            c
            for c in targets
            if Partner.objects.filter(
                status="active", memberships__community=c, memberships__active=True
            ).exists()
        )
        partner = Partner.objects.filter(
            status="active", memberships__community=home, memberships__active=True
        ).first()
        followed = list(_eligible(regulated=False)[: changes + 1])
        if len(followed) < changes + 1:
            raise RuntimeError(f"only {len(followed)} eligible non-regulated assets in Canto")
        live = _release(
            manager,
            reviewer,
            "Benchmark: follows Canto",
            followed,
            [home],
            on_new_version=Release.OnNewVersion.AUTO,
        )
        with _as(reviewer):
            services.approve(reviewer, live, revision=live.revision)
        _wait(lambda: _published(live, len(followed)), 120, "the followed release was not live")
        latencies = _latencies(canto, tradinggrid, live, partner, followed)

        # (ii) many assets to many communities: approval → everything live.
        chosen = [a for a in _eligible() if a not in followed][:assets]
        if len(chosen) < assets:
            raise RuntimeError(f"only {len(chosen)} eligible assets left in Canto")
        big = _release(manager, reviewer, "Benchmark: wide release", chosen, targets)
        expected = len(chosen) * len(targets)
        before = tradinggrid.control("GET", "info")["publications"]
        tradinggrid.control("DELETE", "stats")
        approved = time.perf_counter()
        with _as(reviewer):
            services.approve(reviewer, big, revision=big.revision)
        _wait(lambda: _published(big, expected), 1800, "the wide release was not live", 0.1)
        wall = time.perf_counter() - approved
        calls = tradinggrid.control("GET", "stats")["requests"]
        writes = sum(n for route, n in calls.items() if route in WRITE_ROUTES)
        created = tradinggrid.control("GET", "info")["publications"] - before
        if created != expected:
            raise RuntimeError(f"Trading Grid holds {created} new publications, not {expected}")
    finally:
        for process in reversed(started):
            process.stop()

    p50, p95 = statistics.median(latencies), _percentile(latencies, 95)
    ratio = writes / expected
    return [
        Figure(
            f"release: Canto new version → partners see it, p50 ({len(latencies)} changes)",
            p50,
            "s",
            "-",
            None,
            f"min {min(latencies):.2f}s, max {max(latencies):.2f}s",
        ),
        Figure(
            f"release: Canto new version → partners see it, p95 ({len(latencies)} changes)",
            p95,
            "s",
            "<= 5",
            p95 <= 5,
            "webhook → web → worker → Trading Grid, auto-update policy",
        ),
        Figure(
            f"release of {len(chosen)} assets to {len(targets)} communities: approval → all live",
            wall,
            "s",
            "-",
            None,
            f"{expected} publications, {wall / expected * 1000:.1f} ms each",
        ),
        Figure(
            f"trading grid write calls ÷ publications ({expected})",
            ratio,
            "x",
            "<= 1.0",
            ratio <= 1.0,
            f"{writes} write calls for {expected} publications",
        ),
    ]
