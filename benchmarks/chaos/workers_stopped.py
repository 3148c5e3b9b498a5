"""Scenario 2: every worker stopped for a minute (SIGKILL), then started again.

A release is being published and beat keeps running when every worker dies; inbound events keep
arriving at the web server meanwhile (stored in the inbox, their tasks queued in Redis). When
the workers come back they must finish the release and process every event: what a killed
worker had claimed is sent again once its claim expires.
"""

from __future__ import annotations

import time

from benchmarks.chaos.workload import (
    Inbound,
    Outbound,
    combined,
    converge,
    environment,
    row,
    sent_so_far,
    wait_for,
)

LATENCY_MS = 50
CLAIM_SECONDS = 20


def run(stack, size: int):
    quick = size < 200
    outage = 5.0 if quick else 60.0
    timeout = 300.0 if quick else 900.0
    with environment(OUTBOX_CLAIM_SECONDS=str(CLAIM_SECONDS)):
        outbound = Outbound(stack, size)
        inbound = Inbound(stack, size)
        stack.tradinggrid.control("POST", "faults", {"latency_ms": LATENCY_MS})
        stack.workers(2, concurrency=4)
        stack.beat()
        outbound.approve()
        wait_for(lambda: sent_so_far(outbound) >= size // 4, 120, 0.05)
        fault_at = time.monotonic()
        stack.stop_workers(kill=True)
        before = sent_so_far(outbound)
        inbound.post(1.0)
        time.sleep(max(0.0, outage - (time.monotonic() - fault_at)))
        stack.workers(2, concurrency=4)
        out_seconds, in_seconds = converge(timeout, fault_at, outbound, inbound)
    seconds = None if None in (out_seconds, in_seconds) else max(out_seconds, in_seconds)
    took = f"outbound converged in {out_seconds or 0:.1f} s, inbound in {in_seconds or 0:.1f} s; "
    out, into = outbound.counts(), inbound.counts()
    note = took + (
        f"outbound {out['delivered']}/{out['sent']} ({before} sent before the kill), inbound "
        f"{into['delivered']}/{into['sent']} (all posted while no worker ran, "
        f"{into['refused']} refused answers); every worker SIGKILLed for {outage:.0f} s, beat "
        f"running; claims expire after {CLAIM_SECONDS} s"
    )
    return row(combined(out, into), seconds, note, timeout)
