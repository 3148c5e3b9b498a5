"""Scenario 6, both sandboxes misbehaving at once: 10% 5xx, 5% 429 with ``Retry-After: 1``,
2% hanging past the client's read timeout, 3% truncated bodies, on every API call.

``size`` publications go out through the outbox while ``size`` events come in whose handling
reads the APIs (Canto new versions make the worker re-read the asset; Trading Grid new
requests make it read the request and its comments). A worker and beat run as in production.

The portal's clients wait ``READ_TIMEOUT`` seconds for an answer in this scenario (30 by
default); the sandbox hangs ``HANG`` seconds, so that every injected timeout is one the client
runs into, and the write behind it still happens late on the sandbox's side.
"""

from __future__ import annotations

import time

from django.db.models import Max

from audit.models import AuditEvent
from benchmarks.chaos.events import effects, outbound_and_events_row, post, prepare
from benchmarks.chaos.report import Row
from benchmarks.chaos.workload import Outbound, environment, wait_for
from integrations.models import InboxEvent, OutboxMessage

READ_TIMEOUT = 3
HANG = 4
FAULTS = {
    "error_rate": 0.10,
    "rate_limit_rate": 0.05,
    "retry_after": 1,
    "timeout_rate": 0.02,
    "timeout_seconds": HANG,
    "truncate_rate": 0.03,
    "seed": 6,
}


def run(stack, size: int) -> Row:
    outbound = Outbound(stack, size, name="Chaos: remote faults")
    exclude = outbound.release.items.values_list("asset_id", flat=True)
    events = prepare(stack, size, mirror=False, exclude=exclude)
    since = AuditEvent.objects.aggregate(last=Max("seq"))["last"] or 0
    timeouts = {
        "CANTO_READ_TIMEOUT": str(READ_TIMEOUT),
        "TRADINGGRID_READ_TIMEOUT": str(READ_TIMEOUT),
    }
    with environment(**timeouts):
        stack.web()
        stack.workers(1, concurrency=4)
        stack.beat()
    for sandbox in (stack.canto, stack.tradinggrid):
        sandbox.control("POST", "faults", FAULTS)
        sandbox.control("DELETE", "stats")

    started = time.monotonic()
    outbound.approve()
    deliveries = post(events)
    timeout = 600 + 2 * size

    def converged() -> bool:
        found = effects(events, since)
        return outbound.converged() and found.unfinished == 0 and found.missing == 0

    done = wait_for(converged, timeout, 1.0)
    seconds = time.monotonic() - started
    calls = {
        name: sum(sandbox.control("GET", "stats")["requests"].values())
        for name, sandbox in (("Canto", stack.canto), ("Trading Grid", stack.tradinggrid))
    }
    for sandbox in (stack.canto, stack.tradinggrid):
        sandbox.control("POST", "faults", {})
    out = outbound.counts()
    found = effects(events, since)
    retried = OutboxMessage.objects.filter(attempts__gt=1).count()
    dead_reasons = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).values_list(
            "last_error", flat=True
        )[:3]
    )
    inbox_errors = list(
        InboxEvent.objects.exclude(error="")
        .exclude(status=InboxEvent.Status.PROCESSED)
        .values_list("error", flat=True)[:3]
    )
    inbox_retried = InboxEvent.objects.filter(attempts__gt=1).count()
    problems = []
    if not done:
        problems.append(f"not converged within {timeout} s: outbound {out}, inbound {found}")
    if deliveries.refused or deliveries.errors:
        problems.append(f"refused deliveries {dict(deliveries.answers)}")
    if dead_reasons or found.failed:
        problems.append(f"dead: {dead_reasons} {inbox_errors}")
    note = (
        f"{out['sent']} publications ({out['delivered']} delivered, {retried} needed more"
        f" than one relay attempt) + {len(events)} events ({found.applied} applied,"
        f" {inbox_retried} needed more than one attempt); API calls under fault: {calls};"
        f" client read timeout {READ_TIMEOUT} s, sandbox hang {HANG} s"
    )
    return outbound_and_events_row(out, found, events, seconds, note, problems)
