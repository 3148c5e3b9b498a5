"""Scenario 9, drift: a release of ``size`` publications goes live in the Trading Grid sandbox;
then, behind the portal's back (the sandbox's drift control, which tells nobody), a tenth of
them is deleted, a tenth archived and a tenth shown at another version. The reconciliation
task, queued to a real worker as beat queues it, must find every one, write one repair each
through the outbox, and leave the sandbox showing exactly what the portal decided; a second
run must find nothing left. Every finding and every repair is audited.

Sent: drifted publications; delivered: repaired ones; duplicated: repairs beyond one per
drifted publication (outbox messages, sandbox write calls or a second publication for the same
pair); lost: drifted ones still wrong; seconds: from queuing the reconciliation to the last
repair.
"""

from __future__ import annotations

import random
import time
from collections import Counter

from django.db.models import Max

from audit.models import AuditEvent
from benchmarks.chaos.report import Row
from benchmarks.chaos.workload import Outbound, wait_for
from benchmarks.release_latency import WRITE_ROUTES
from integrations.models import OutboxMessage, SyncRun
from integrations.tradinggrid.bodies import expected_version
from integrations.tradinggrid.tasks import reconcile_publications
from portal.models import Publication, Release

ACTIONS = ("delete", "archive", "change_version")
REPAIRED_BY = {
    "delete": "publication.published",
    "archive": "publication.published",
    "change_version": "publication.corrected",
}


def _drift(stack, live: list[Publication], size: int) -> dict[int, str]:
    """A tenth of the publications per kind of drift, chosen at random; pk → action."""
    chosen = random.Random(9).sample(live, min(len(live), 3 * max(1, size // 10)))
    drifted = {}
    for number, publication in enumerate(chosen):
        action = ACTIONS[number % len(ACTIONS)]
        body = {"action": action}
        if action == "change_version":
            body["version"] = str(publication.version_no + 100)
        stack.tradinggrid.control("POST", f"publications/{publication.tg_id}/drift", body)
        drifted[publication.pk] = action
    return drifted


def _wrong(stack, release: Release) -> set[int]:
    """Live publications of the release the sandbox does not show as decided."""
    shown = {p["id"]: p for p in stack.tradinggrid.control("GET", "publications")}
    wrong = set()
    for publication in Publication.objects.filter(release=release).select_related(
        "asset", "community"
    ):
        remote = shown.get(publication.tg_id)
        if (
            publication.state != Publication.State.LIVE
            or remote is None
            or remote["status"] != "published"
            or str(remote.get("version")) != expected_version(publication)
        ):
            wrong.add(publication.pk)
    return wrong


def _reconciled(after: int) -> SyncRun | None:
    return (
        SyncRun.objects.filter(kind=SyncRun.Kind.TG_RECONCILE, pk__gt=after)
        .exclude(state=SyncRun.State.RUNNING)
        .first()
    )


def _owed() -> bool:
    return OutboxMessage.objects.filter(
        status__in=[
            OutboxMessage.Status.PENDING,
            OutboxMessage.Status.SENDING,
            OutboxMessage.Status.RETRYING,
        ]
    ).exists()


def run(stack, size: int) -> Row:
    outbound = Outbound(stack, size, name="Chaos: drifts")
    stack.workers(1, concurrency=4)
    outbound.approve()
    if outbound.wait(120 + size) is None:
        raise RuntimeError(f"the release was not published: {outbound.counts()}")
    release = outbound.release
    if not wait_for(lambda: outbound.release_state() == Release.State.PUBLISHED, 60):
        raise RuntimeError(f"the release stayed {outbound.release_state()}")
    live = list(Publication.objects.filter(release=release, state=Publication.State.LIVE))

    drifted = _drift(stack, live, size)
    wrong_before = _wrong(stack, release)
    since_seq = AuditEvent.objects.aggregate(last=Max("seq"))["last"] or 0
    since_message = OutboxMessage.objects.aggregate(last=Max("pk"))["last"] or 0
    since_run = SyncRun.objects.aggregate(last=Max("pk"))["last"] or 0
    stack.tradinggrid.control("DELETE", "stats")

    started = time.monotonic()
    reconcile_publications.delay()
    first = None
    if wait_for(lambda: _reconciled(since_run), 120 + size):
        first = _reconciled(since_run)
    wait_for(lambda: not _owed() and not _wrong(stack, release), 120 + size, 0.5)
    seconds = time.monotonic() - started
    wrong_after = _wrong(stack, release)

    reconcile_publications.delay()  # a second pass finds nothing left to repair
    after_first = first.pk if first else since_run
    second = None
    if wait_for(lambda: _reconciled(after_first), 120 + size):
        second = _reconciled(after_first)
    wait_for(lambda: not _owed(), 60)

    repairs = Counter(
        int(object_id)
        for object_id in OutboxMessage.objects.filter(
            pk__gt=since_message, object_type="portal.publication"
        ).values_list("object_id", flat=True)
    )
    calls = stack.tradinggrid.control("GET", "stats")["requests"]
    writes = sum(n for route, n in calls.items() if route in WRITE_ROUTES)
    held = Counter(
        (p["community_id"], p.get("external_ref"))
        for p in stack.tradinggrid.control("GET", "publications")
        if p["status"] == "published"
    )
    audits = Counter(
        AuditEvent.objects.filter(seq__gt=since_seq, object_type="portal.publication")
        .filter(object_id__in=[str(pk) for pk in drifted])
        .values_list("action", flat=True)
    )
    dead = OutboxMessage.objects.filter(pk__gt=since_message, status="dead").count()

    repaired = [pk for pk in drifted if pk not in wrong_after]
    duplicated = sum(n - 1 for n in repairs.values() if n > 1)
    duplicated += sum(1 for pk in repairs if pk not in drifted)
    duplicated += max(0, writes - len(drifted))
    duplicated += sum(n - 1 for n in held.values() if n > 1)
    expected_audits = Counter(REPAIRED_BY[a] for a in drifted.values())
    expected_audits["publication.drift_found"] = len(drifted)
    problems = []
    if wrong_before != set(drifted):
        problems.append(f"drift not visible as made: {len(wrong_before)} wrong of {len(drifted)}")
    if first is None or first.state != SyncRun.State.SUCCEEDED:
        problems.append(f"first reconciliation {first.state if first else 'never finished'}")
    elif first.updated != len(drifted):
        problems.append(f"first reconciliation found {first.updated} of {len(drifted)}")
    if second is None or second.updated:
        problems.append(f"second reconciliation found {second.updated if second else '?'}")
    missing_audits = {
        action: n - audits[action] for action, n in expected_audits.items() if audits[action] < n
    }
    if missing_audits:
        problems.append(f"audit events missing: {missing_audits}")
    kinds = Counter(drifted.values())
    return Row(
        "",
        sent=len(drifted),
        delivered=len(repaired),
        duplicated=duplicated,
        lost=len(drifted) - len(repaired),
        dead=dead,
        seconds=seconds,
        note=(
            f"{len(live)} live; drifted: {kinds['delete']} deleted, {kinds['archive']} archived,"
            f" {kinds['change_version']} at another version; first pass checked"
            f" {first.seen if first else '?'}, found {first.updated if first else '?'}; second"
            f" found {second.updated if second else '?'}; {writes} sandbox writes; audit"
            f" {dict(audits)}"
        ),
        error="; ".join(problems),
    )
