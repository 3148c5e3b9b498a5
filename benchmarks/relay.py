"""Outbox relay throughput: publications of a release delivered to the Trading Grid sandbox,
which answers every API call 20 ms late, by one Celery worker process with 1 and then with 4
pool processes (``--concurrency``: what "4 workers" means here, as ``celery worker`` runs one
pool process per CPU by default).

- messages/s from the approval's commit (which queues the relay) until the last one is sent
- 4 workers ÷ 1 worker (goal ≥ 2.5: the work waits on the network, not on the CPU)
- Trading Grid write calls ÷ messages (goal ≤ 1.0: nothing is sent twice)
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone

from benchmarks.harness import Figure, PortalProcess, SandboxProcess, fresh_database, purge_broker
from benchmarks.release_latency import (
    CANTO_ASSETS,
    WRITE_ROUTES,
    _as,
    _communities,
    _eligible,
    _person,
    _release,
    _wait,
)
from integrations.canto.runs import run_catalog_sync
from integrations.models import OutboxMessage
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants, roles
from portal.models import Release
from portal.releases import publishing, services

LATENCY_MS = 20
POOLS = (1, 4)


def _relayed(release: Release, expected: int) -> bool:
    messages = publishing.messages(release)
    dead = messages.filter(status=OutboxMessage.Status.DEAD).first()
    if dead is not None:
        raise RuntimeError(f"benchmark: outbox message {dead.pk} went dead: {dead.last_error}")
    return messages.filter(status=OutboxMessage.Status.SENT).count() == expected


def _measure(tradinggrid, release: Release, reviewer, expected: int, pool: int) -> dict:
    """Approve the release with a worker of ``pool`` processes running; time its writes."""
    purge_broker()
    worker = PortalProcess.worker(concurrency=pool, name=f"relay-{pool}")
    try:
        tradinggrid.control("DELETE", "stats")
        before = tradinggrid.control("GET", "info")["publications"]
        with _as(reviewer):
            services.approve(reviewer, release, revision=release.revision)
        queued = timezone.now()  # the commit has queued the relay
        _wait(lambda: _relayed(release, expected), 900, "the relay did not send everything", 0.05)
        _wait(lambda: _state(release) == Release.State.PUBLISHED, 120, "release did not settle")
        settled = timezone.now()
        calls = tradinggrid.control("GET", "stats")["requests"]
        created = tradinggrid.control("GET", "info")["publications"] - before
    finally:
        worker.stop()
    times = publishing.messages(release).aggregate(first=Min("sent_at"), last=Max("sent_at"))
    seconds = (times["last"] - queued).total_seconds()
    return {
        "seconds": seconds,
        "rate": expected / seconds,
        "first": (times["first"] - queued).total_seconds(),
        "settled": (settled - queued).total_seconds(),
        "writes": sum(n for route, n in calls.items() if route in WRITE_ROUTES),
        "created": created,
    }


def _state(release: Release) -> str:
    release.refresh_from_db()
    return release.state


def run(quick: bool) -> list[Figure]:
    # Quick: four full batches (OUTBOX_BATCH 50), so that four relays have work at once.
    assets, communities = (20, 10) if quick else (25, 20)
    expected = assets * communities
    started: list[SandboxProcess] = []
    try:
        canto = SandboxProcess("canto", settings.BENCH_CANTO_PORT, assets=CANTO_ASSETS)
        started.append(canto)
        tradinggrid = SandboxProcess("tradinggrid", settings.BENCH_TRADINGGRID_PORT, assets=0)
        started.append(tradinggrid)
        fresh_database()
        run_catalog_sync(full=True)
        run_partner_sync(full=True)
        roles.sync_roles()
        manager = _person("bench-manager", roles.CONTENT_MANAGER)
        reviewer = _person("bench-reviewer", roles.COMPLIANCE_REVIEWER)
        targets = _communities(tradinggrid, communities)
        for person in (manager, reviewer):
            for community in targets:
                grants.grant_community(person, community)
        eligible = list(_eligible()[: assets * len(POOLS)])
        if len(eligible) < assets * len(POOLS):
            raise RuntimeError(f"only {len(eligible)} eligible assets in Canto")
        releases = {
            pool: _release(
                manager,
                reviewer,
                f"Benchmark: relay with {pool} worker(s)",
                eligible[n * assets : (n + 1) * assets],
                targets,
            )
            for n, pool in enumerate(POOLS)
        }
        tradinggrid.control("POST", "faults", {"latency_ms": LATENCY_MS})
        results = {
            pool: _measure(tradinggrid, release, reviewer, expected, pool)
            for pool, release in releases.items()
        }
    finally:
        for process in reversed(started):
            process.stop()
        purge_broker()

    for pool, result in results.items():
        if result["created"] != expected:
            raise RuntimeError(
                f"{pool} worker(s): Trading Grid holds {result['created']} new publications, "
                f"not {expected}"
            )
    one, four = results[1], results[4]
    speedup = four["rate"] / one["rate"]
    writes = one["writes"] + four["writes"]
    per_message = writes / (2 * expected)

    def note(result: dict) -> str:
        return (
            f"{expected} messages in {result['seconds']:.2f}s, first sent after "
            f"{result['first']:.2f}s, release published after {result['settled']:.2f}s"
        )

    return [
        Figure(
            f"outbox relay msgs/s, 1 worker ({LATENCY_MS} ms Trading Grid latency)",
            one["rate"],
            "msg/s",
            "-",
            None,
            note(one),
        ),
        Figure(
            f"outbox relay msgs/s, 4 workers ({LATENCY_MS} ms Trading Grid latency)",
            four["rate"],
            "msg/s",
            "-",
            None,
            note(four),
        ),
        Figure(
            "outbox relay 4 workers ÷ 1 worker",
            speedup,
            "x",
            ">= 2.5",
            speedup >= 2.5,
            f"one worker process, --concurrency 4 vs 1; OUTBOX_BATCH {settings.OUTBOX_BATCH}",
        ),
        Figure(
            f"outbox relay: sandbox write calls ÷ messages ({2 * expected})",
            per_message,
            "x",
            "<= 1.0",
            per_message <= 1.0,
            f"{one['writes']} + {four['writes']} write calls",
        ),
    ]
