"""Scenario 3: Redis restarted while work is queued and while requests arrive.

A worker and beat run, a release is being published and inbound events are posted steadily
when Redis shuts down (append-only file kept), stays down a few seconds and starts again. The
web server must keep accepting events (the inbox first: stored, answered, queued later by the
sweep if the broker was away), queued tasks must survive the restart, and workers and beat must
reconnect on their own.
"""

from __future__ import annotations

import threading
import time

from benchmarks.chaos.workload import (
    Inbound,
    Outbound,
    combined,
    converge,
    environment,
    queue_length,
    row,
    sent_so_far,
    wait_for,
)

LATENCY_MS = 200
CLAIM_SECONDS = 20


def run(stack, size: int):
    quick = size < 200
    down = 3.0 if quick else 15.0
    timeout = 400.0 if quick else 900.0
    # Web server and workers as in production: Redis is their cache too.
    with environment(OUTBOX_CLAIM_SECONDS=str(CLAIM_SECONDS), BENCH_CACHE="redis"):
        outbound = Outbound(stack, size)
        inbound = Inbound(stack, size)
        stack.tradinggrid.control("POST", "faults", {"latency_ms": LATENCY_MS})
        # One pool process, kept busy by the relay (Trading Grid answers slowly), so that the
        # events' tasks wait in Redis when it goes down.
        stack.workers(1, concurrency=1)
        stack.beat()
        # Events arrive over about twice the outage, the restart in the middle of them.
        pace = inbound.threads * 2 * (down + 5) / size
        sender = threading.Thread(target=inbound.post, kwargs={"fraction": 1.0, "pace": pace})
        outbound.approve()
        sender.start()
        wait_for(lambda: sent_so_far(outbound) >= size // 4, 120, 0.05)
        fault_at = time.monotonic()
        queued, unacked = queue_length(stack.redis)
        stack.redis.stop()
        time.sleep(down)
        stack.redis.start()
        sender.join()
        out_seconds, in_seconds = converge(timeout, fault_at, outbound, inbound)
    seconds = None if None in (out_seconds, in_seconds) else max(out_seconds, in_seconds)
    took = f"outbound converged in {out_seconds or 0:.1f} s, inbound in {in_seconds or 0:.1f} s; "
    out, into = outbound.counts(), inbound.counts()
    note = took + (
        f"outbound {out['delivered']}/{out['sent']}, inbound {into['delivered']}/{into['sent']} "
        f"(posted over ~{pace * size / inbound.threads:.0f} s; answers other than 2xx: "
        f"{dict(inbound.failures) or 'none'}); one worker (--concurrency 1) busy relaying, Redis "
        f"shut down for {down:.0f} s" + f" with {queued} tasks queued and {unacked} unacknowledged"
    )
    return row(combined(out, into), seconds, note, timeout)
