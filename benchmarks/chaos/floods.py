"""Scenario 8, webhook floods: ``size`` distinct events (Canto new versions and Trading Grid
new requests), each delivered three times, shuffled, by concurrent clients to the portal's web
server while a worker processes them.

Each must be applied exactly once (one audit event of its effect), none refused. A Trading
Grid event id is stored once whatever its state; a Canto hint names an asset and not a change,
so a copy arriving after work on the first has started is stored again by design and re-reads
an asset that has nothing new: counted in the note, never as a duplicate unless it changes
something twice.
"""

from __future__ import annotations

import time

from django.db.models import Max

from audit.models import AuditEvent
from benchmarks.chaos.events import effects, post, prepare
from benchmarks.chaos.report import Row

COPIES = 3


def converge(events, since_seq: int, timeout: float):
    """Wait until no inbox row is waiting or running and every effect is in; the counts."""
    deadline = time.monotonic() + timeout
    while True:
        found = effects(events, since_seq)
        if (found.unfinished == 0 and found.missing == 0) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def run(stack, size: int) -> Row:
    stack.web()
    stack.workers(1, concurrency=4)
    events = prepare(stack, size)
    since = AuditEvent.objects.aggregate(last=Max("seq"))["last"] or 0
    started = time.monotonic()
    deliveries = post(events, copies=COPIES, shuffle=True)
    found = converge(events, since, timeout=120 + size)
    seconds = time.monotonic() - started
    time.sleep(2)  # a late duplicate would show now
    found = effects(events, since)
    canto = sum(1 for e in events if e.source == "canto")
    row = Row(
        "",
        sent=len(events),
        delivered=found.applied,
        duplicated=found.twice,
        lost=found.missing,
        dead=found.failed,
        seconds=seconds,
        note=(
            f"{canto} Canto + {len(events) - canto} Trading Grid events, {COPIES} deliveries"
            f" each ({sum(deliveries.answers.values())} posted: {dict(deliveries.answers)});"
            f" inbox rows {dict(found.inbox_rows)}; Canto copies stored again after"
            f" processing began {found.stored_again} (no second effect)"
        ),
    )
    problems = []
    if deliveries.refused or deliveries.errors:
        problems.append(f"refused deliveries {deliveries.refused} {deliveries.errors[:3]}")
    if found.rejected:
        problems.append(f"{found.rejected} inbox rows rejected")
    if found.unfinished:
        problems.append(f"{found.unfinished} inbox rows unfinished")
    row.error = "; ".join(problems)
    return row
