"""Signed outgoing events, delivered at least once by one background sender.

Each event goes to the configured URL and to every matching subscription, as one delivery
each. A delivery answered with anything but 2xx, or not answered, is tried again after 1 s,
2 s, 4 s … up to five attempts, then given up (and logged). The signature is
``t=<unix>,v1=<hex HMAC-SHA256(secret, f"{t}.{raw body}")>``, made fresh for every attempt.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import http.client
import itertools
import json
import logging
import secrets
import threading
import time
import urllib.parse
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from integrations.sandbox.tradinggrid.state import Subscription, rfc3339, utcnow

EVENT_TYPES = (
    "request.created",
    "request.updated",
    "request.comment.created",
    "publication.acknowledged",
    "publication.viewed",
    "publication.downloaded",
    "partner.joined",
    "partner.left",
    "partner.updated",
)
TIMEOUT_SECONDS = 5
KEPT_DELIVERIES = 500
KEPT_EVENTS = 2000
ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

logger = logging.getLogger(__name__)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-AC-Signature`` header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def _event_id() -> str:
    value = (int(time.time() * 1000) << 80) | int.from_bytes(secrets.token_bytes(10), "big")
    chars = [ULID_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5)]
    return "evt_" + "".join(chars)


@dataclass(slots=True)
class Delivery:
    """One event on its way to one URL."""

    id: str
    event_id: str
    event_type: str
    url: str
    secret: str
    body: bytes
    created_at: str
    status: str = "pending"
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The log entry: no secret, the event parsed."""
        return {
            "id": self.id,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "url": self.url,
            "status": self.status,
            "created_at": self.created_at,
            "attempts": [dict(a) for a in self.attempts],
            "event": json.loads(self.body),
        }


class EventSender:
    """Where events go, the retry schedule and the delivery log."""

    def __init__(
        self,
        tenant_id: str,
        url: str,
        secret: str,
        subscriptions: Callable[[], list[Subscription]],
    ) -> None:
        """``subscriptions`` returns the registered subscriptions without taking any lock."""
        self.tenant_id = tenant_id
        self.url = url
        self.secret = secret
        self.enabled = True
        self.api_events = True
        self.max_attempts = 5
        self.backoff_seconds = 1.0
        self._subscriptions = subscriptions
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, int, Delivery]] = []
        self._order = itertools.count()
        self._numbers = itertools.count(1)
        self._generation = 0
        self._pending = 0
        self._log: deque[Delivery] = deque(maxlen=KEPT_DELIVERIES)
        self._events: OrderedDict[str, dict[str, Any]] = OrderedDict()
        threading.Thread(target=self._run, name="tradinggrid-events", daemon=True).start()

    def configure(self, data: dict[str, Any]) -> None:
        """Change any of url, secret, enabled, api_events, max_attempts, backoff_seconds."""
        url = str(data.get("url", self.url) or "")
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("the webhook URL must start with http:// or https://")
        try:
            attempts = int(data.get("max_attempts", self.max_attempts))
            backoff = float(data.get("backoff_seconds", self.backoff_seconds))
        except (TypeError, ValueError) as exc:
            raise ValueError("max_attempts and backoff_seconds must be numbers") from exc
        if not 1 <= attempts <= 20 or not 0 <= backoff <= 60:
            raise ValueError("max_attempts lies between 1 and 20, backoff_seconds 0 and 60")
        with self._cond:
            self.url = url
            self.secret = str(data.get("secret", self.secret) or "")
            self.enabled = bool(data.get("enabled", self.enabled))
            self.api_events = bool(data.get("api_events", self.api_events))
            self.max_attempts, self.backoff_seconds = attempts, backoff

    def fire(
        self,
        event_type: str,
        community_id: str | None,
        data: dict[str, Any],
        from_api: bool = False,
    ) -> dict[str, Any]:
        """Build an event and queue its deliveries; returns the event."""
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type!r}")
        event = {
            "id": _event_id(),
            "type": event_type,
            "time": rfc3339(utcnow()),
            "tenant_id": self.tenant_id,
            "community_id": community_id,
            "data": data,
        }
        with self._cond:
            self._events[event["id"]] = event
            while len(self._events) > KEPT_EVENTS:
                self._events.popitem(last=False)
            if not (from_api and not self.api_events):
                self._send(event)
        return event

    def redeliver(self, event_id: str) -> list[str]:
        """Send a kept event again (same event id, new deliveries); KeyError when unknown."""
        with self._cond:
            return self._send(self._events[event_id])

    def _send(self, event: dict[str, Any]) -> list[str]:
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        targets = [(self.url, self.secret)] if self.enabled and self.url else []
        for subscription in self._subscriptions():
            if not subscription.events or event["type"] in subscription.events:
                targets.append((subscription.url, subscription.secret))
        ids = []
        for url, secret in targets:
            delivery = Delivery(
                f"dlv_{next(self._numbers)}",
                event["id"],
                event["type"],
                url,
                secret,
                body,
                rfc3339(utcnow()) or "",
            )
            self._log.append(delivery)
            self._pending += 1
            self._schedule(delivery, time.monotonic())
            ids.append(delivery.id)
        return ids

    def _schedule(self, delivery: Delivery, due: float) -> None:
        heapq.heappush(self._heap, (due, next(self._order), self._generation, delivery))
        self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no delivery is pending (retries included); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def clear(self) -> None:
        """Drop the delivery log, the kept events and anything still queued."""
        with self._cond:
            self._generation += 1
            self._heap.clear()
            self._log.clear()
            self._events.clear()
            self._pending = 0
            self._numbers = itertools.count(1)
            self._cond.notify_all()

    def snapshot(self, limit: int = 100) -> dict[str, Any]:
        """Configuration, number pending and the last ``limit`` deliveries (oldest first)."""
        with self._cond:
            deliveries = [d.as_json() for d in list(self._log)[-limit:]]
            return {
                "url": self.url,
                "secret": self.secret,
                "enabled": self.enabled,
                "api_events": self.api_events,
                "max_attempts": self.max_attempts,
                "backoff_seconds": self.backoff_seconds,
                "subscriptions": len(self._subscriptions()),
                "pending": self._pending,
                "deliveries": deliveries,
            }

    def _next(self) -> tuple[int, Delivery]:
        with self._cond:
            while True:
                if self._heap:
                    delay = self._heap[0][0] - time.monotonic()
                    if delay <= 0:
                        _, _, generation, delivery = heapq.heappop(self._heap)
                        return generation, delivery
                    self._cond.wait(delay)
                else:
                    self._cond.wait()

    def _run(self) -> None:
        while True:
            generation, delivery = self._next()
            started = rfc3339(utcnow())
            status, error = _post(delivery)
            with self._cond:
                if generation != self._generation:
                    continue
                delivery.attempts.append({"at": started, "status": status, "error": error})
                if status is not None and 200 <= status < 300:
                    delivery.status = "delivered"
                elif len(delivery.attempts) < self.max_attempts:
                    wait = self.backoff_seconds * 2 ** (len(delivery.attempts) - 1)
                    self._schedule(delivery, time.monotonic() + wait)
                    continue
                else:
                    delivery.status = "failed"
                    logger.warning(
                        "Gave up delivering %s (%s) to %s after %d attempts: %s",
                        delivery.event_id,
                        delivery.event_type,
                        delivery.url,
                        len(delivery.attempts),
                        error or f"HTTP {status}",
                    )
                self._pending -= 1
                self._cond.notify_all()


def _post(delivery: Delivery) -> tuple[int | None, str | None]:
    """One attempt; headers are sent with exactly the contract's spelling."""
    target = urllib.parse.urlsplit(delivery.url)
    connection_class = (
        http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    )
    path = target.path or "/"
    if target.query:
        path += "?" + target.query
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "TradingGrid-ActiveCommunity-Sandbox",
        "X-AC-Event": delivery.event_type,
        "X-AC-Delivery": delivery.id,
        "X-AC-Signature": sign(delivery.secret, int(time.time()), delivery.body),
    }
    try:
        connection = connection_class(target.netloc, timeout=TIMEOUT_SECONDS)
        try:
            connection.request("POST", path, body=delivery.body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, None
        finally:
            connection.close()
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
