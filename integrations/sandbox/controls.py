"""Control routes every sandbox has: faults, request statistics and token lifetimes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrations.sandbox.faults import FaultConfig
from integrations.sandbox.server import Request, Response, json_response

Body = Callable[[Request], dict[str, Any]]
Integer = Callable[[dict[str, Any], str, int, int], int]
Route = tuple[str, str, Callable[[Any, Request], Response]]


def common_routes(body: Body, integer: Integer) -> list[Route]:
    """The shared routes, reading bodies and numbers the way the sandbox reports errors."""

    def faults(sb: Any, request: Request) -> Response:
        """``GET`` / ``POST faults``: a POST replaces the whole configuration."""
        if request.method == "POST":
            sb.faults.configure(FaultConfig.from_dict(body(request)))
        return json_response(sb.faults.snapshot())

    def stats(sb: Any, request: Request) -> Response:
        """``GET`` / ``DELETE stats``: API requests by ``METHOD route-pattern``."""
        if request.method == "DELETE":
            sb.stats.reset()
        return json_response(sb.stats.snapshot())

    def revoke_tokens(sb: Any, request: Request) -> Response:
        """``POST tokens/revoke``: every issued token stops working."""
        sb.tokens.revoke_all()
        return json_response({"revoked": True})

    def token_ttl(sb: Any, request: Request) -> Response:
        """``GET`` / ``POST token-ttl`` ``{"seconds": N}`` for tokens issued later."""
        if request.method == "POST":
            sb.tokens.ttl = integer(body(request), "seconds", sb.tokens.ttl, 10 * 365 * 86400)
        return json_response({"seconds": sb.tokens.ttl})

    return [
        ("GET", "/faults", faults),
        ("POST", "/faults", faults),
        ("GET", "/stats", stats),
        ("DELETE", "/stats", stats),
        ("POST", "/tokens/revoke", revoke_tokens),
        ("GET", "/token-ttl", token_ttl),
        ("POST", "/token-ttl", token_ttl),
    ]
