"""Scenario 4: Redis down while people make decisions.

With Redis stopped, the reviewer approves a release through the web server's API and Trading
Grid keeps posting events. The decision must be saved and answered (no 500: the write is in the
outbox, committed with the decision; the relay that could not be queued is beat's job later),
the events stored in the inbox and answered. When Redis is back, beat's periodic relay
publishes the release and the inbox sweep queues the stored events.
"""

from __future__ import annotations

import os
import threading
import time

from benchmarks.chaos.workload import Inbound, Outbound, combined, converge, environment, row


def run(stack, size: int):
    quick = size < 200
    down = 10.0 if quick else 60.0
    # Events stored while Redis was away are queued by the inbox sweep.
    timeout = int(os.environ["INBOX_SWEEP_AFTER_SECONDS"]) + (300.0 if quick else 900.0)
    # Web server and workers as in production: Redis is their cache too.
    with environment(BENCH_CACHE="redis"):
        outbound = Outbound(stack, size)
        inbound = Inbound(stack, size)
        stack.workers(2, concurrency=4)
        stack.beat()
        fault_at = time.monotonic()
        stack.redis.stop()
        answer = outbound.approve_over_http()
        saved = outbound.messages().count()
        state = outbound.release_state()
        # Events arrive over the outage (a sender retries any answer other than 2xx).
        pace = inbound.threads * down / size
        sender = threading.Thread(target=inbound.post, kwargs={"fraction": 1.0, "pace": pace})
        sender.start()
        time.sleep(max(0.0, down - (time.monotonic() - fault_at)))
        stack.redis.start()
        sender.join()
        out_seconds, in_seconds = converge(timeout, fault_at, outbound, inbound)
    seconds = None if None in (out_seconds, in_seconds) else max(out_seconds, in_seconds)
    took = f"outbound converged in {out_seconds or 0:.1f} s, inbound in {in_seconds or 0:.1f} s; "
    out, into = outbound.counts(), inbound.counts()
    note = took + (
        f"approval with Redis down answered {answer.status_code}, release {state}, "
        f"{saved} writes owed; outbound {out['delivered']}/{out['sent']}, inbound "
        f"{into['delivered']}/{into['sent']} (answers other than 2xx while down: "
        f"{dict(inbound.failures) or 'none'}); Redis down {down:.0f} s"
    )
    result = row(combined(out, into), seconds, note, timeout)
    if answer.status_code >= 500 or inbound.failures:
        result.error = "the web server failed requests while Redis was down"
    return result
