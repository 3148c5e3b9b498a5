"""The work a fault scenario puts through the portal, and how it is counted.

``Outbound``: a release of assets x communities approved by a reviewer, so that the outbox owes
the Trading Grid sandbox one publication per pair. Delivered means the sandbox holds that
publication; duplicated means it holds more than one for the same pair.

``Inbound``: distinct signed Trading Grid events posted to the portal's web server, as Trading
Grid sends them (a delivery that fails is sent again until it is answered 2xx). Delivered means
the inbox processed the event; duplicated means it was stored or handled more than once.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections

from benchmarks.chaos.report import Row
from benchmarks.release_latency import _as, _communities, _eligible, _person, _release
from benchmarks.webhooks import _request
from integrations import inbox
from integrations.canto.runs import run_catalog_sync
from integrations.models import InboxEvent, OutboxMessage
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants, roles
from portal.models import JobRun
from portal.releases import publishing, services

UNSETTLED = (
    OutboxMessage.Status.PENDING,
    OutboxMessage.Status.SENDING,
    OutboxMessage.Status.RETRYING,
)
ALREADY_DONE = "already processed or in progress"


def shape(n: int) -> tuple[int, int]:
    """Assets x communities for ``n`` publications: 500 → 25 x 20, 50 → 10 x 5."""
    for communities in (20, 10, 5, 4, 2, 1):
        if n % communities == 0 and n // communities <= 60:
            return n // communities, communities
    raise ValueError(f"cannot lay out {n} publications as assets x communities")


def world(stack, communities: int) -> tuple:
    """Catalog and partners mirrored from the sandboxes, a manager and a reviewer with grants
    on ``communities`` communities; done once per database."""
    cached = getattr(stack, "_chaos_world", None)
    if (
        cached is not None
        and len(cached[2]) >= communities
        and get_user_model().objects.filter(pk=cached[0].pk, username="chaos-manager").exists()
    ):  # built in this database (each scenario starts from a fresh one)
        return cached[0], cached[1], cached[2][:communities]
    stack._chaos_assets_used = 0
    run_catalog_sync(full=True)
    run_partner_sync(full=True)
    roles.sync_roles()
    manager = _person("chaos-manager", roles.CONTENT_MANAGER)
    reviewer = _person("chaos-reviewer", roles.COMPLIANCE_REVIEWER)
    targets = _communities(stack.tradinggrid, communities)
    for person in (manager, reviewer):
        for community in targets:
            grants.grant_community(person, community)
    stack._chaos_world = (manager, reviewer, targets)
    return manager, reviewer, targets


def wait_for(predicate: Callable[[], object], timeout: float, interval: float = 0.25) -> bool:
    """Poll until ``predicate`` holds; False when ``timeout`` seconds passed first."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class Outbound:
    """``n`` publications owed to the Trading Grid sandbox, waiting for the reviewer."""

    def __init__(self, stack, n: int, name: str = ""):
        self.stack = stack
        assets, communities = shape(n)
        manager, self.reviewer, targets = world(stack, communities)
        used = getattr(stack, "_chaos_assets_used", 0)
        eligible = list(_eligible()[used : used + assets])
        if len(eligible) < assets:  # the catalog is exhausted: start again from its beginning
            used, eligible = 0, list(_eligible()[:assets])
        if len(eligible) < assets:
            raise RuntimeError(f"only {len(eligible)} eligible assets in the Canto sandbox")
        stack._chaos_assets_used = used + assets
        self.release = _release(
            manager,
            self.reviewer,
            name or f"Chaos: {assets} assets to {communities} communities",
            eligible,
            targets[:communities],
        )
        self.expected = n
        self.approved_at: float | None = None

    def approve(self) -> None:
        """The reviewer's decision, through the service layer, as the web page makes it."""
        self.release.refresh_from_db()
        with _as(self.reviewer):
            services.approve(self.reviewer, self.release, revision=self.release.revision)
        self.approved_at = time.monotonic()

    def approve_over_http(self) -> requests.Response:
        """The reviewer's decision through the web server (REST API, token, If-Match), as a
        person's browser or script makes it; the answer is returned, whatever its status."""
        from rest_framework.authtoken.models import Token

        self.stack.web()
        token, _ = Token.objects.get_or_create(user=self.reviewer)
        url = f"http://127.0.0.1:{settings.BENCH_WEB_PORT}/api/v1/releases/{self.release.pk}/"
        headers = {"Authorization": f"Token {token.key}"}
        etag = requests.get(url, headers=headers, timeout=30).headers["ETag"]
        self.approved_at = time.monotonic()
        return requests.post(url + "approve/", headers={**headers, "If-Match": etag}, timeout=60)

    def messages(self):
        return publishing.messages(self.release)

    def settled(self) -> bool:
        """Every message of the release is sent, dead or cancelled (none still owed)."""
        messages = self.messages()
        return (
            messages.count() == self.expected and not messages.filter(status__in=UNSETTLED).exists()
        )

    def converged(self) -> bool:
        """Settled, and the sandbox holds every write that was not given up."""
        if not self.settled():
            return False
        counts = self.counts()
        return counts["delivered"] + counts["dead_undelivered"] == counts["sent"]

    def wait(self, timeout: float, since: float | None = None) -> float | None:
        """Seconds from ``since`` (default: the approval) until converged, None on timeout."""
        started = since if since is not None else self.approved_at or time.monotonic()
        if not wait_for(self.settled, timeout, 0.25):
            return None
        remaining = max(5.0, timeout - (time.monotonic() - started))
        if not wait_for(self.converged, remaining, 1.0):
            return None
        return time.monotonic() - started

    def _held(self) -> Counter:
        """Publications the sandbox holds for this release, by (community, external_ref)."""
        prefix = f"release-{self.release.pk}-asset-"
        held: Counter = Counter()
        for pub in self.stack.tradinggrid.control("GET", "publications"):
            ref = pub.get("external_ref") or ""
            if ref.startswith(prefix):
                held[(pub["community_id"], ref)] += 1
        return held

    def counts(self) -> dict[str, int]:
        held = self._held()
        sent = delivered = dead = dead_undelivered = 0
        for operation, payload, status in self.messages().values_list(
            "operation", "payload", "status"
        ):
            if operation != "tradinggrid.publish":
                continue
            sent += 1
            pair = (payload["community_id"], payload["publication"].get("external_ref"))
            there = held.get(pair, 0) > 0
            delivered += there
            if status == OutboxMessage.Status.DEAD:
                dead += 1
                dead_undelivered += not there
        duplicated = sum(count - 1 for count in held.values() if count > 1)
        return {
            "sent": sent,
            "delivered": delivered,
            "duplicated": duplicated,
            "lost": max(0, sent - delivered - dead_undelivered),
            "dead": dead,
            "dead_undelivered": dead_undelivered,
        }

    def release_state(self) -> str:
        self.release.refresh_from_db()
        return self.release.state


class Inbound:
    """``n`` distinct Trading Grid events (``publication.viewed``), posted to the web server.

    The events name a publication the portal does not hold, so that handling one is cheap and
    touches no remote system: what is counted is the inbox (stored once, handled once)."""

    def __init__(self, stack, n: int, threads: int = 4):
        self.stack = stack
        stack.web()
        self.url = f"http://127.0.0.1:{settings.BENCH_WEB_PORT}"
        run = uuid.uuid4().hex[:8]
        self.keys = [f"chaos-{run}-{number}" for number in range(n)]
        self.posted = 0
        self.threads = threads
        self.accepted: set[str] = set()
        self.failures: Counter = Counter()  # answers other than 2xx, and connection errors
        self.started_at: float | None = None
        self.finished_at: float | None = None

    @property
    def fingerprints(self) -> dict[str, str]:
        return {
            inbox.fingerprint("tradinggrid", "publication.viewed", f"evt_bench_{key}"): key
            for key in self.keys
        }

    def _deliver(self, key: str, deadline: float, pace: float) -> None:
        """Post one event until it is answered 2xx, as Trading Grid retries its deliveries."""
        time.sleep(pace)
        while time.monotonic() < deadline:
            path, body, headers = _request("tradinggrid", key)
            try:
                response = requests.post(self.url + path, data=body, headers=headers, timeout=30)
            except requests.RequestException as exc:
                self.failures[type(exc).__name__] += 1
            else:
                if 200 <= response.status_code < 300:
                    self.accepted.add(key)
                    return
                self.failures[f"HTTP {response.status_code}"] += 1
            time.sleep(0.5)

    def post(self, fraction: float = 1.0, timeout: float = 600, pace: float = 0.0) -> None:
        """Deliver the next ``fraction`` of the events (several senders at once, each waiting
        ``pace`` seconds before each event)."""
        if self.started_at is None:
            self.started_at = time.monotonic()
        end = min(len(self.keys), self.posted + max(1, round(fraction * len(self.keys))))
        batch, self.posted = self.keys[self.posted : end], end
        deadline = time.monotonic() + timeout
        with ThreadPoolExecutor(self.threads) as pool:
            list(pool.map(lambda key: self._deliver(key, deadline, pace), batch))
        self.finished_at = time.monotonic()

    def _events(self):
        return InboxEvent.objects.filter(fingerprint__in=list(self.fingerprints)).exclude(
            status=InboxEvent.Status.REJECTED
        )

    def _handled(self) -> Counter:
        """How many times the handler ran to completion for each stored event (job records
        of ``process_inbox_event`` that did not find the event already taken)."""
        ids = set(self._events().values_list("pk", flat=True))
        runs: Counter = Counter()
        for arguments, result in JobRun.objects.filter(
            task_name="integrations.tasks.process_inbox_event", state=JobRun.State.SUCCEEDED
        ).values_list("arguments", "result"):
            match = re.match(r"\s*\((\d+),?\)", arguments or "")
            if match and int(match[1]) in ids and ALREADY_DONE not in (result or ""):
                runs[int(match[1])] += 1
        return runs

    def counts(self) -> dict[str, int]:
        rows = Counter(self._events().values_list("fingerprint", flat=True))
        processed = set(
            self._events()
            .filter(status=InboxEvent.Status.PROCESSED)
            .values_list("fingerprint", flat=True)
        )
        failed = set(
            self._events()
            .filter(status=InboxEvent.Status.FAILED, attempts__gte=inbox.MAX_ATTEMPTS)
            .values_list("fingerprint", flat=True)
        )
        prints = self.fingerprints
        accepted = {p for p, key in prints.items() if key in self.accepted}
        duplicated = sum(n - 1 for n in rows.values() if n > 1)
        duplicated += sum(n - 1 for n in self._handled().values() if n > 1)
        return {
            "sent": self.posted,
            "delivered": len(processed & set(prints)),
            "duplicated": duplicated,
            "lost": len((accepted | set(rows)) - processed - failed),
            "dead": len(failed),
            "refused": sum(self.failures.values()),
        }

    def converged(self) -> bool:
        counts = self.counts()
        return counts["delivered"] + counts["dead"] == self.posted and self.posted > 0

    def wait(self, timeout: float, since: float | None = None) -> float | None:
        """Seconds from ``since`` (default: the first post) until converged, None on timeout."""
        started = since if since is not None else self.started_at or time.monotonic()
        if not wait_for(self.converged, timeout, 0.5):
            return None
        return time.monotonic() - started


def close_connections() -> None:
    """Drop this process's database connections (before a fault, or after one)."""
    connections.close_all()


def combined(*counts: dict[str, int]) -> dict[str, int]:
    """Outbound and inbound counts added up, for one row."""
    total: Counter = Counter()
    for part in counts:
        total.update(
            {k: part.get(k, 0) for k in ("sent", "delivered", "duplicated", "lost", "dead")}
        )
    return dict(total)


@contextmanager
def environment(**values: str):
    """Environment variables for the processes started inside the block (they copy it)."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def sent_so_far(outbound: Outbound) -> int:
    return outbound.messages().filter(status=OutboxMessage.Status.SENT).count()


def row(counts: dict[str, int], seconds: float | None, note: str, timeout: float) -> Row:
    """The scenario's row; not converging within ``timeout`` is an error, not a figure."""
    result = Row(
        "",
        counts["sent"],
        counts["delivered"],
        counts["duplicated"],
        counts["lost"],
        counts["dead"],
        seconds if seconds is not None else timeout,
        note,
    )
    if seconds is None:
        result.error = f"did not converge within {timeout:.0f} s"
    return result


def queue_length(private_redis) -> tuple[int, int]:
    """Tasks waiting in the broker's queue, and tasks delivered but not yet acknowledged."""
    import redis

    client = redis.Redis.from_url(private_redis.url, socket_timeout=5)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    return client.llen(queue), client.hlen("unacked")


def converge(timeout: float, since: float, *works) -> list[float | None]:
    """Seconds from ``since`` until each of ``works`` (Outbound, Inbound) converged, polled
    side by side; None for any that did not within ``timeout``."""
    done: list[float | None] = [None] * len(works)
    deadline = since + timeout
    while True:
        for index, work in enumerate(works):
            if done[index] is None and work.converged():
                done[index] = time.monotonic() - since
        if all(seconds is not None for seconds in done) or time.monotonic() >= deadline:
            return done
        time.sleep(0.5)
