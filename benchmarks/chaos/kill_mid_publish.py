"""Scenario 1: a worker SIGKILLed in the middle of publishing.

The Trading Grid sandbox performs a publish and then holds its answer (a ``hold`` fault); while
it is held, the worker's whole process group is killed. The write is done but the portal never
heard of it: the message stays claimed until its claim expires, and the next relay (another
worker, or beat's periodic relay) sends it again with the same ``Idempotency-Key``. The sandbox
must answer with the publication it already made, not make a second one.
"""

from __future__ import annotations

import os
import sys
import time

from benchmarks.chaos.workload import Outbound, environment, row, wait_for
from benchmarks.harness import PortalProcess
from integrations.models import OutboxMessage

PUBLISH = "POST /ac/v1/communities/{id}/publications"
HOLD = {"hold": 30, "path_prefix": "/ac/v1/communities/", "method": "POST"}
LATENCY_MS = 20
CLAIM_SECONDS = 10


def _worker_now(stack, name: str) -> PortalProcess:
    """A worker started without waiting for it to be ready (its first relay may be held)."""
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=WARNING"]
    command += ["--concurrency=4", "--without-gossip", "--without-mingle"]
    command += ["--hostname", f"chaos-{name}-{os.getpid()}@%h"]
    process = PortalProcess(name, command, lambda: True)
    stack.worker_processes.append(process)
    return process


def _done_but_unanswered(outbound: Outbound) -> int:
    """Writes the sandbox holds whose message the portal still has as being sent."""
    held = outbound._held()
    return sum(
        1
        for payload in outbound.messages()
        .filter(status=OutboxMessage.Status.SENDING)
        .values_list("payload", flat=True)
        if held.get((payload["community_id"], payload["publication"].get("external_ref")))
    )


def run(stack, size: int):
    kills = 2 if size < 200 else 3
    timeout = 300.0 if size < 200 else 900.0
    tradinggrid = stack.tradinggrid
    caught = []
    with environment(OUTBOX_CLAIM_SECONDS=str(CLAIM_SECONDS)):
        outbound = Outbound(stack, size)
        tradinggrid.control("POST", "faults", {"latency_ms": LATENCY_MS})
        stack.workers(1, concurrency=4)
        stack.beat()  # relays every 2 s: what finds the messages a killed worker held
        tradinggrid.control("DELETE", "stats")
        fault_at = None
        for number in range(kills):
            tradinggrid.control("POST", "faults", {"latency_ms": LATENCY_MS, "script": [HOLD]})
            if number == 0:
                outbound.approve()
            else:
                _worker_now(stack, f"chaos-kill-{number}")
            taken = wait_for(lambda: not tradinggrid.control("GET", "faults")["script"], 120)
            if not taken:
                raise RuntimeError("no publish reached the held answer within 120 s")
            time.sleep(1.0)  # the write itself takes milliseconds; its answer is being held
            fault_at = fault_at or time.monotonic()
            caught.append(_done_but_unanswered(outbound))
            stack.stop_workers(kill=True)
        tradinggrid.control("POST", "faults", {"latency_ms": LATENCY_MS})
        stack.workers(2, concurrency=4)
        seconds = outbound.wait(timeout, since=fault_at)
    counts = outbound.counts()
    calls = tradinggrid.control("GET", "stats")["requests"].get(PUBLISH, 0)
    note = (
        f"{size} publications, {kills} SIGKILLs of the worker's process group while a publish "
        f"was done but its answer held (writes done but unanswered at each kill: {caught}); "
        f"{calls} publish calls for {counts['sent']} messages (re-sent with their keys); "
        f"claims expire after {CLAIM_SECONDS} s, then beat's relay (every 2 s) sends again"
    )
    result = row(counts, seconds, note, timeout)
    if not all(caught):
        # Without a write made and its answer held at each kill, nothing was proven.
        result.error = result.error or f"a kill found no write done but unanswered: {caught}"
    return result
