"""``Idempotency-Key`` on writes: the same key and body give the original answer again.

Keys are scoped per tenant and kept for 24 hours. Only successful (2xx) answers are kept, so a
write that failed (a fault, a validation error) can be retried with the same key. Writes with
the same key run one at a time.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from integrations.sandbox.server import Request, Response
from integrations.sandbox.tradinggrid.problems import Problem

KEY_TTL_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255
MAX_IDLE_LOCKS = 10_000


@dataclass(slots=True)
class Stored:
    """A kept answer and what it answered."""

    fingerprint: str
    response: Response
    expires: float


def fingerprint(request: Request) -> str:
    """Method, path and body; JSON bodies compare by content, not by spacing or key order."""
    try:
        body = json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":"))
        payload = body.encode()
    except (ValueError, UnicodeDecodeError):
        payload = request.body
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(payload)
    return digest.hexdigest()


class IdempotencyStore:
    """Kept answers by ``(tenant, key)``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stored: dict[tuple[str, str], Stored] = {}
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}

    def reset(self) -> None:
        """Forget every key."""
        with self._lock:
            self._stored.clear()
            self._key_locks.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._stored)

    def run(self, tenant: str, request: Request, call: Callable[[], Response]) -> Response:
        """Answer ``request`` through ``call`` unless its key already holds an answer."""
        key = request.header("Idempotency-Key").strip()
        if not key:
            return call()
        if len(key) > MAX_KEY_LENGTH:
            raise Problem(
                400,
                f"Idempotency-Key must not exceed {MAX_KEY_LENGTH} characters.",
                errors=[{"field": "Idempotency-Key", "code": "too_long"}],
            )
        scope = (tenant, key)
        wanted = fingerprint(request)
        with self._lock:
            self._purge()
            key_lock = self._key_locks.setdefault(scope, threading.Lock())
        with key_lock:
            with self._lock:
                stored = self._stored.get(scope)
            if stored is not None:
                if stored.fingerprint != wanted:
                    raise Problem(
                        422,
                        "This Idempotency-Key was already used with a different request.",
                        slug="idempotency-key-reused",
                        errors=[{"field": "Idempotency-Key", "code": "reused"}],
                    )
                return _replay(stored.response)
            response = call()
            if 200 <= response.status < 300:
                with self._lock:
                    kept = Response(
                        response.status, response.body, response.content_type, [*response.headers]
                    )
                    self._stored[scope] = Stored(wanted, kept, time.monotonic() + KEY_TTL_SECONDS)
            return response

    def _purge(self) -> None:
        now = time.monotonic()
        for scope in [s for s, stored in self._stored.items() if stored.expires <= now]:
            del self._stored[scope]
        if len(self._key_locks) > MAX_IDLE_LOCKS:
            for scope, lock in list(self._key_locks.items()):
                if scope not in self._stored and not lock.locked():
                    del self._key_locks[scope]


def _replay(original: Response) -> Response:
    headers = [(name, value) for name, value in original.headers if name != "Idempotent-Replayed"]
    headers.append(("Idempotent-Replayed", "true"))
    return Response(original.status, original.body, original.content_type, headers)
