"""Outbound HTTP shared by the Canto and Trading Grid clients.

Timeouts on every call, a client-side rate limit per tenant, and one retry policy: 429
honours ``Retry-After`` (seconds or an HTTP date), 5xx, timeouts and dropped connections back
off exponentially with jitter up to a cap, and other 4xx are never retried.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests

log = logging.getLogger(__name__)
RETRYABLE_STATUS = {429, 500, 502, 503, 504}


class ApiError(Exception):
    """An external API call failed; carries the status and a short excerpt of the body."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: str = "",
        method: str = "",
        url: str = "",
        problem: dict | None = None,
    ):
        self.status = status
        self.body = body
        self.method = method
        self.url = url
        # An RFC 7807 problem document, when the service sent one.
        self.problem = problem or {}
        detail = f" (HTTP {status})" if status else ""
        excerpt = f": {body}" if body else ""
        super().__init__(f"{message}{detail} {method} {url}{excerpt}".strip())

    @property
    def field_errors(self) -> list[tuple[str, str]]:
        errors = self.problem.get("errors") if isinstance(self.problem, dict) else None
        return [
            (str(e.get("field", "")), str(e.get("code", "")))
            for e in errors or []
            if isinstance(e, dict)
        ]


class TransientError(ApiError):
    """Worth trying again later: throttling, upstream trouble, timeouts."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any):
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ClientError(ApiError):
    """The request itself was refused (4xx); repeating it will not help."""


class AuthError(ClientError):
    """Credentials were refused."""


class NotFound(ClientError):
    pass


class MalformedResponse(ApiError):
    """The answer could not be read (truncated JSON, an HTML page where JSON was due, ...)."""


def problem_document(response: requests.Response) -> dict | None:
    """The ``application/problem+json`` body of an error response, if that is what it is."""
    if "problem+json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def body_excerpt(response: requests.Response, limit: int = 300) -> str:
    """A readable, short excerpt of an error body: JSON message, plain text or an HTML page."""
    try:
        text = response.text or ""
    except Exception:
        return ""
    content_type = response.headers.get("Content-Type", "")
    if "html" in content_type or text.lstrip().lower().startswith(("<!doctype", "<html")):
        import re

        title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
        stripped = re.sub(r"<[^>]+>", " ", title.group(1) if title else text)
        text = " ".join(stripped.split())
    return " ".join(text.split())[:limit]


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the given (1-based) failed attempt."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter, not security)


class RateLimiter:
    """A token bucket shared by every client of one tenant in this process."""

    _buckets: dict[str, RateLimiter] = {}
    _registry_lock = threading.Lock()

    def __init__(self, rate: float, burst: float | None = None):
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    @classmethod
    def for_key(cls, key: str, rate: float) -> RateLimiter:
        with cls._registry_lock:
            bucket = cls._buckets.get(key)
            if bucket is None or bucket.rate != rate:
                bucket = cls._buckets[key] = cls(rate)
            return bucket

    def acquire(self) -> None:
        if self.rate <= 0:
            return
        while True:
            with self.lock:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            time.sleep(wait)


class HttpClient:
    """``requests`` with timeouts, the retry policy, the rate limit and one re-auth on 401."""

    def __init__(
        self,
        *,
        name: str,
        timeout: tuple[float, float],
        retry: RetryPolicy,
        limiter: RateLimiter,
        authorize: Callable[[bool], str] | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.name = name
        self.timeout = timeout
        self.retry = retry
        self.limiter = limiter
        self.authorize = authorize
        self.session = session or requests.Session()
        self.sleep = sleep

    def request(
        self,
        method: str,
        url: str,
        *,
        expected: tuple[int, ...] = (200,),
        authenticated: bool = True,
        **kwargs: Any,
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("allow_redirects", False)
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            headers = dict(kwargs.pop("headers", None) or {})
            if authenticated and self.authorize:
                headers["Authorization"] = self.authorize(False)
            self.limiter.acquire()
            try:
                response = self.session.request(method, url, headers=headers, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as exc:
                error = TransientError(f"{self.name}: {type(exc).__name__}", method=method, url=url)
                kwargs["headers"] = headers
                self._wait_or_raise(error, attempt)
                continue
            kwargs["headers"] = headers
            status = response.status_code
            if status in expected:
                return response
            if status == 401 and authenticated and self.authorize and not renewed:
                renewed = True
                self.authorize(True)
                attempt -= 1  # a renewal is not a failed attempt
                continue
            excerpt = body_excerpt(response)
            if status in RETRYABLE_STATUS:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                error = TransientError(
                    f"{self.name} is unavailable",
                    status=status,
                    body=excerpt,
                    method=method,
                    url=url,
                    retry_after=retry_after,
                )
                self._wait_or_raise(error, attempt)
                continue
            error_class = {401: AuthError, 403: AuthError, 404: NotFound}.get(status, ClientError)
            raise error_class(
                f"{self.name} refused the request",
                status=status,
                body=excerpt,
                method=method,
                url=url,
                problem=problem_document(response),
            )

    def _wait_or_raise(self, error: TransientError, attempt: int) -> None:
        if attempt >= self.retry.max_attempts:
            raise error
        if error.retry_after is not None:
            if error.retry_after > self.retry.max_delay:
                raise error  # too long to hold a worker: the caller reschedules
            delay = error.retry_after
        else:
            delay = self.retry.backoff(attempt)
        log.warning(
            "%s; retrying in %.2fs (attempt %d of %d)",
            error,
            delay,
            attempt,
            self.retry.max_attempts,
        )
        self.sleep(delay)
