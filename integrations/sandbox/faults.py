"""Injectable latency and faults for the sandboxes' emulated APIs.

Random faults come from ``random.Random(seed)`` so that a run can be replayed; a ``script`` of
one-shot responses makes a test fully deterministic: ``delay`` waits before the request is
handled, ``hold`` handles it (a write is done) and then withholds the answer that long, as a
network that loses the way back does. Control APIs are never faulted: the app
decides which requests go through ``FaultInjector.handle``.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from http import HTTPStatus
from typing import Any

from integrations.sandbox.server import HttpError, Request, Response, json_response, text_response

SCRIPT_KEYS = {
    "status",
    "retry_after",
    "path_prefix",
    "method",
    "body",
    "content_type",
    "truncate",
    "delay",
    "hold",
}
RATE_FIELDS = ("error_rate", "rate_limit_rate", "timeout_rate", "truncate_rate", "html_rate")

HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
    "<body><h1>Internal Server Error</h1><p>The server encountered an unexpected condition."
    "</p><hr><address>nginx</address></body></html>"
)


@dataclass
class FaultConfig:
    """What goes wrong, and how often; every field has a harmless default."""

    latency_ms: int = 0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    truncate_rate: float = 0.0
    html_rate: float = 0.0
    seed: int = 1
    script: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        """Validate a JSON object; missing fields take their defaults, unknown ones are refused."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise HttpError(400, {"error": f"unknown fields: {', '.join(sorted(unknown))}"})
        config = cls()
        for name in ("latency_ms", "retry_after", "seed"):
            if name in data:
                setattr(config, name, _number(data[name], name, int))
        for name in (*RATE_FIELDS, "timeout_seconds"):
            if name in data:
                setattr(config, name, _number(data[name], name, float))
        if any(not 0 <= getattr(config, name) <= 1 for name in RATE_FIELDS):
            raise HttpError(400, {"error": "rates must lie between 0 and 1"})
        if sum(getattr(config, name) for name in RATE_FIELDS) > 1:
            raise HttpError(400, {"error": "the rates must not add up to more than 1"})
        config.script = [_script_item(item) for item in data.get("script") or []]
        return config

    def to_dict(self) -> dict[str, Any]:
        """The configuration as JSON-ready data."""
        return asdict(self)


def _number(value: Any, name: str, kind: type) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError) as exc:
        raise HttpError(400, {"error": f"{name} must be a number"}) from exc
    if number < 0:
        raise HttpError(400, {"error": f"{name} must not be negative"})
    return number


def _script_item(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not set(item) <= SCRIPT_KEYS:
        raise HttpError(400, {"error": f"script items are objects with keys {sorted(SCRIPT_KEYS)}"})
    if not ({"status", "truncate", "delay", "hold"} & set(item)):
        raise HttpError(400, {"error": "a script item needs status, truncate, delay or hold"})
    if "status" in item:
        item["status"] = _number(item["status"], "status", int)
    for name in ("delay", "hold"):
        if name in item:
            item[name] = _number(item[name], name, float)
    return dict(item)


class FaultInjector:
    """Applies a FaultConfig to requests; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.configure(FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        """Replace the configuration; the random generator restarts from its seed."""
        with self._lock:
            self._config = config
            self._random = random.Random(config.seed)
            self._script = [dict(item) for item in config.script]

    def reset(self) -> None:
        """Back to no faults at all."""
        self.configure(FaultConfig())

    def snapshot(self) -> dict[str, Any]:
        """The configuration, its script reduced to the items not yet used."""
        with self._lock:
            data = self._config.to_dict()
            data["script"] = [dict(item) for item in self._script]
        return data

    def handle(self, request: Request, call_next: Callable[[], Response]) -> Response:
        """Answer ``request`` through ``call_next``, with latency and any due fault applied."""
        with self._lock:
            config = self._config
            item = self._take_script_item(request)
            draw = None if item else self._draw(config)
        if config.latency_ms:
            time.sleep(config.latency_ms / 1000)
        if item is not None:
            return self._scripted(item, call_next)
        if draw is None:
            return call_next()
        kind, status = draw
        if kind == "error":
            return _error_response(status)
        if kind == "rate_limit":
            response = _error_response(429)
            response.headers.append(("Retry-After", str(config.retry_after)))
            return response
        if kind == "timeout":
            time.sleep(config.timeout_seconds)
            return call_next()
        if kind == "truncate":
            return _truncated(call_next())
        return text_response(HTML_ERROR_PAGE, 500, "text/html")

    def _take_script_item(self, request: Request) -> dict[str, Any] | None:
        for index, item in enumerate(self._script):
            if request.path.startswith(item.get("path_prefix", "")) and (
                item.get("method", request.method).upper() == request.method
            ):
                return self._script.pop(index)
        return None

    def _draw(self, config: FaultConfig) -> tuple[str, int] | None:
        if not any(getattr(config, name) for name in RATE_FIELDS):
            return None
        roll = self._random.random()
        for name in RATE_FIELDS:
            rate = getattr(config, name)
            if roll < rate:
                kind = name.removesuffix("_rate")
                status = self._random.choice((500, 502, 503)) if kind == "error" else 0
                return kind, status
            roll -= rate
        return None

    def _scripted(self, item: dict[str, Any], call_next: Callable[[], Response]) -> Response:
        if item.get("delay"):
            time.sleep(item["delay"])
        if item.get("hold"):
            response = call_next()
            time.sleep(item["hold"])
            return response
        if item.get("truncate"):
            return _truncated(call_next())
        if "status" not in item:
            return call_next()
        status = item["status"]
        if "body" in item:
            body = str(item["body"])
            content_type = item.get("content_type") or _guess_content_type(body)
            response = Response(status, body.encode(), content_type)
        else:
            response = _error_response(status)
        if "retry_after" in item:
            response.headers.append(("Retry-After", str(item["retry_after"])))
        return response


def _truncated(response: Response) -> Response:
    """The same response with its body cut in half (Content-Length follows the cut body)."""
    if response.status != 200 or not response.body:
        return response
    headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
    return Response(200, response.body[: len(response.body) // 2], response.content_type, headers)


def _guess_content_type(body: str) -> str:
    stripped = body.lstrip()
    if stripped.startswith("<"):
        return "text/html; charset=utf-8"
    if stripped.startswith(("{", "[")):
        return "application/json"
    return "text/plain; charset=utf-8"


def _error_response(status: int) -> Response:
    """The body a gateway or the API would plausibly send with ``status``."""
    if status == 401:
        return json_response({"error": "invalid_token", "message": "Access token is invalid"}, 401)
    if status == 429:
        return json_response({"error": "rate_limited", "message": "Too many requests"}, 429)
    if status == 502:
        return text_response("502 Bad Gateway", 502)
    if status == 503:
        return text_response("Service Temporarily Unavailable", 503)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return json_response({"error": phrase.lower().replace(" ", "_"), "message": phrase}, status)
