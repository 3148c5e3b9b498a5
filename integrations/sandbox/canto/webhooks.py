"""Outgoing Canto-style webhooks: one URL per event, a flat body naming no event.

One daemon worker sends them in the order they were fired; a failure is recorded, not retried.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from datetime import UTC, datetime
from typing import Any

from integrations.sandbox.canto.state import Asset

EVENTS = ("new-asset", "new-version", "metadata", "delete", "add-to-album", "remove-from-album")
TIMEOUT_SECONDS = 5
KEPT_DELIVERIES = 50


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        """Report redirects as their status instead of following them."""
        return None


# No proxies from the environment: webhook targets are usually on this machine.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


class WebhookSender:
    """Where webhooks go, a queue of pending ones and the log of the last deliveries."""

    def __init__(self, url: str, token: str, enabled: bool = True) -> None:
        self.url = url
        self.token = token
        self.enabled = enabled
        # Whether changes made through the emulated API (not only the control page) fire too.
        self.api_events = True
        self._queue: queue.Queue[tuple[str, str, dict[str, str]]] = queue.Queue()
        self._deliveries: deque[dict[str, Any]] = deque(maxlen=KEPT_DELIVERIES)
        self._pending = 0
        self._idle = threading.Condition()
        self._worker = threading.Thread(target=self._run, name="canto-webhooks", daemon=True)
        self._worker.start()

    def configure(self, data: dict[str, Any]) -> None:
        """Change any of ``url``, ``token``, ``enabled`` and ``api_events``."""
        if "url" in data:
            url = str(data["url"] or "")
            if url and not url.startswith(("http://", "https://")):
                raise ValueError("the webhook URL must start with http:// or https://")
            self.url = url
        if "token" in data:
            self.token = str(data["token"] or "")
        if "enabled" in data:
            self.enabled = bool(data["enabled"])
        if "api_events" in data:
            self.api_events = bool(data["api_events"])

    def fire(self, event: str, asset: Asset, album: str = "", from_api: bool = False) -> None:
        """Queue one webhook about ``asset`` (ignored while disabled or without a URL)."""
        if event not in EVENTS:
            raise ValueError(f"unknown webhook event {event!r}")
        if not self.enabled or not self.url or (from_api and not self.api_events):
            return
        target = f"{self.url.rstrip('/')}/{event}/"
        body = {
            "secure_token": self.token,
            "scheme": asset.scheme,
            "id": asset.id,
            "album": album,
            "displayname": asset.name,
        }
        with self._idle:
            self._pending += 1
        self._queue.put((event, target, body))

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued webhook was sent; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def clear(self) -> None:
        """Forget the delivery log."""
        self._deliveries.clear()

    def snapshot(self) -> dict[str, Any]:
        """Configuration, number still queued and the last deliveries (oldest first)."""
        with self._idle:
            pending = self._pending
        return {
            "url": self.url,
            "token": self.token,
            "enabled": self.enabled,
            "api_events": self.api_events,
            "pending": pending,
            "deliveries": list(self._deliveries),
        }

    def _run(self) -> None:
        while True:
            event, target, body = self._queue.get()
            record: dict[str, Any] = {
                "event": event,
                "url": target,
                "status": None,
                "error": None,
                "body": body,
                "sent_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            }
            try:
                record["status"] = _post(target, body)
            except (OSError, ValueError) as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
            self._deliveries.append(record)
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()


def _post(url: str, body: dict[str, str]) -> int:
    request = urllib.request.Request(  # noqa: S310  (URL configured by the operator)
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "Canto-Webhook-Sandbox"},
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code
