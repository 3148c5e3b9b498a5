"""Webhook intake under gunicorn as production runs it (``--workers 4``, sync workers).

- sustained requests/s of the Canto receiver and of the Trading Grid receiver, each ÷ the same
  server's rate for a view that only answers 200 (goal ≥ 0.5), with p50/p99 latency
- every accepted event is in the inbox afterwards (inbox rows ÷ accepted events, goal = 1.0)

Load comes from several client processes, each with one keep-alive HTTP connection (gunicorn's
sync workers close it after every answer, so clients reconnect as a proxy would), the same
number for every target, for a fixed time. Every request is a distinct, valid event,
authenticated as the real sender does it; only 2xx answers count. No Celery worker runs: the
intake (store, answer 202, queue the task) is what is measured.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import multiprocessing
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections

from benchmarks.harness import Figure, PortalProcess, fresh_database, purge_broker
from integrations.models import InboxEvent

CLIENTS = 4
WEB_WORKERS = 4
TARGETS = ("ok", "canto", "tradinggrid")
LABELS = {"ok": "200-only view", "canto": "Canto receiver", "tradinggrid": "Trading Grid receiver"}


def _request(target: str, key: str) -> tuple[str, bytes, dict[str, str]]:
    """Path, body and headers of one distinct event, signed the way its sender signs it."""
    headers = {"Content-Type": "application/json"}
    if target == "tradinggrid":
        event = {
            "id": f"evt_bench_{key}",
            "type": "publication.viewed",
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "tenant_id": settings.TRADINGGRID_TENANT_ID,
            "community_id": "com_bench",
            "data": {"publication": {"id": "pub_bench"}, "partner_id": "ptn_bench"},
        }
        body = json.dumps(event, separators=(",", ":")).encode()
        stamp = int(time.time())
        secret = settings.TRADINGGRID_WEBHOOK_SECRET.encode()
        digest = hmac.new(secret, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        headers.update(
            {
                "X-AC-Event": event["type"],
                "X-AC-Delivery": f"dlv_{key}",
                "X-AC-Signature": f"t={stamp},v1={digest}",
            }
        )
        return "/webhooks/tradinggrid/", body, headers
    body = json.dumps(
        {
            "secure_token": settings.CANTO_WEBHOOK_TOKEN,
            "scheme": "image",
            "id": f"bench{key}",
            "album": "",
            "displayname": "Benchmark asset.jpg",
        }
    ).encode()
    path = "/webhooks/canto/new-version/" if target == "canto" else "/_bench/ok"
    return path, body, headers


def _client(target: str, port: int, tag: str, start_at: float, stop_at: float, results) -> None:
    """One client process: requests one after the other until ``stop_at``."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    accepted = duplicates = errors = 0
    first_error = ""
    conn: http.client.HTTPConnection | None = None
    number = 0
    time.sleep(max(0.0, start_at - time.time()))
    while time.time() < stop_at:
        number += 1
        path, body, headers = _request(target, f"{tag}-{number}")
        started = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"
            if conn is not None:
                conn.close()
            conn = None
            continue
        latencies.append(time.perf_counter() - started)
        statuses[response.status] += 1
        if 200 <= response.status < 300 and target != "ok":
            if b'"accepted"' in data:
                accepted += 1
            else:
                duplicates += 1
        elif not 200 <= response.status < 300 and not first_error:
            first_error = f"HTTP {response.status}: {data[:200]!r}"
        if response.will_close:
            conn.close()
            conn = None
    results.put(
        {
            "latencies": latencies,
            "statuses": dict(statuses),
            "accepted": accepted,
            "duplicates": duplicates,
            "errors": errors,
            "first_error": first_error,
            "finished": time.time(),
        }
    )


@dataclass
class Load:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    accepted: int = 0
    duplicates: int = 0
    errors: int = 0
    first_error: str = ""

    @property
    def successes(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def failures(self) -> int:
        return self.errors + sum(self.statuses.values()) - self.successes

    @property
    def rate(self) -> float:
        return self.successes / self.seconds

    def percentile(self, percent: int) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))] * 1000

    def describe(self) -> str:
        text = f"p50 {self.percentile(50):.1f} ms, p99 {self.percentile(99):.1f} ms"
        if self.failures:
            others = {s: n for s, n in self.statuses.items() if not 200 <= s < 300}
            text += f"; FAILED {self.failures}: {others} errors={self.errors} {self.first_error}"
        if self.duplicates:
            text += f"; {self.duplicates} answered as duplicates"
        return text


def _load(target: str, seconds: float, port: int) -> Load:
    """``CLIENTS`` processes hammer one target for ``seconds``."""
    connections.close_all()  # nothing of the database is shared with the forked clients
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 0.5
    stop_at = start_at + seconds
    run = uuid.uuid4().hex[:10]
    clients = [
        context.Process(
            target=_client, args=(target, port, f"{run}-{i}", start_at, stop_at, results)
        )
        for i in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    parts = [results.get(timeout=seconds + 120) for _ in clients]
    for client in clients:
        client.join(timeout=30)
    load = Load(seconds=max(p["finished"] for p in parts) - start_at)
    for part in parts:
        load.latencies += part["latencies"]
        load.statuses.update({int(s): n for s, n in part["statuses"].items()})
        load.accepted += part["accepted"]
        load.duplicates += part["duplicates"]
        load.errors += part["errors"]
        load.first_error = load.first_error or part["first_error"]
    return load


def run(quick: bool) -> list[Figure]:
    seconds, warm = (2.0, 0.5) if quick else (15.0, 2.0)
    port = settings.BENCH_WEB_PORT
    fresh_database()
    purge_broker()
    web = PortalProcess.web(port, workers=WEB_WORKERS)
    accepted: Counter[str] = Counter()
    try:
        for target in TARGETS:  # every worker has imported and connected before timing
            accepted[target] += _load(target, warm, port).accepted
        loads: dict[str, Load] = {}
        baseline = []
        for target in ("ok", "canto", "tradinggrid", "ok"):
            load = _load(target, seconds, port)
            accepted[target] += load.accepted
            if target == "ok":
                baseline.append(load)
            else:
                loads[target] = load
    finally:
        web.stop()
        purge_broker()  # the events' tasks: no worker was meant to run them
    ok_rate = statistics.mean(load.rate for load in baseline)
    figures = [
        Figure(
            f"webhooks: {LABELS['ok']}, requests/s ({CLIENTS} clients, {WEB_WORKERS} gunicorn"
            " workers)",
            ok_rate,
            "req/s",
            "-",
            None if not any(b.failures for b in baseline) else False,
            f"before {baseline[0].rate:.0f}, after {baseline[1].rate:.0f}; "
            + baseline[0].describe(),
        )
    ]
    for target, load in loads.items():
        label = LABELS[target]
        ratio = load.rate / ok_rate
        stored = (
            InboxEvent.objects.filter(source=target)
            .exclude(status=InboxEvent.Status.REJECTED)
            .count()
        )
        rejected = InboxEvent.objects.filter(
            source=target, status=InboxEvent.Status.REJECTED
        ).count()
        kept = stored / accepted[target] if accepted[target] else 0.0
        clean = not load.failures and not load.duplicates
        figures += [
            Figure(
                f"webhooks: {label}, requests/s",
                load.rate,
                "req/s",
                "-",
                None if clean else False,
                f"{load.successes} accepted in {load.seconds:.1f}s; " + load.describe(),
            ),
            Figure(
                f"webhooks: {label} ÷ 200-only view",
                ratio,
                "x",
                ">= 0.5",
                ratio >= 0.5 and clean,
                "" if clean else load.describe(),
            ),
            Figure(f"webhooks: {label}, p50 latency", load.percentile(50), "ms", "-", None),
            Figure(f"webhooks: {label}, p99 latency", load.percentile(99), "ms", "-", None),
            Figure(
                f"webhooks: {label}, inbox rows ÷ accepted events",
                kept,
                "x",
                "= 1.0",
                stored == accepted[target] and not rejected,
                f"{stored} rows for {accepted[target]} accepted (warm-up included)"
                + (f", {rejected} rejected" if rejected else ""),
            ),
        ]
    return figures
