"""Scenario 7: two beat processes started by mistake.

Both schedule every periodic task, so the outbox relay, the inbox sweep and the rest are queued
twice as often. Nothing may be done twice: each outbox message is sent once (one publish call
per message; the sandbox counts them), and each inbox event is stored and handled once.
"""

from __future__ import annotations

import time

from django.utils import timezone

from benchmarks.chaos.workload import Inbound, Outbound, combined, converge, row
from portal.models import JobRun

PUBLISH = "POST /ac/v1/communities/{id}/publications"
RELAY = "integrations.tasks.relay_outbox"
LATENCY_MS = 20


def run(stack, size: int):
    timeout = 300.0 if size < 200 else 900.0
    outbound = Outbound(stack, size)
    inbound = Inbound(stack, size)
    tradinggrid = stack.tradinggrid
    tradinggrid.control("POST", "faults", {"latency_ms": LATENCY_MS})
    stack.workers(2, concurrency=4)
    stack.beat()
    stack.beat()
    since = timezone.now()
    tradinggrid.control("DELETE", "stats")
    started = time.monotonic()
    outbound.approve()
    inbound.post(1.0)
    out_seconds, in_seconds = converge(timeout, started, outbound, inbound)
    seconds = None if None in (out_seconds, in_seconds) else max(out_seconds, in_seconds)
    took = f"outbound converged in {out_seconds or 0:.1f} s, inbound in {in_seconds or 0:.1f} s; "
    window = time.monotonic() - started
    scheduled = JobRun.objects.filter(task_name=RELAY, trigger="beat", queued_at__gte=since)
    relays = scheduled.count()
    out, into = outbound.counts(), inbound.counts()
    calls = tradinggrid.control("GET", "stats")["requests"].get(PUBLISH, 0)
    resent = max(0, calls - out["sent"])
    counts = combined(out, into)
    counts["duplicated"] += resent
    note = took + (
        f"two celery beat processes; {relays} relays scheduled in {window:.0f} s (one beat: "
        f"~{window / 2:.0f}); {calls} publish calls for {out['sent']} messages; outbound "
        f"{out['delivered']}/{out['sent']}, inbound {into['delivered']}/{into['sent']}"
    )
    return row(counts, seconds, note, timeout)
