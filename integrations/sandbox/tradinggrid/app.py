"""The Trading Grid sandbox as one WSGI application: the adapter API, partner view, control API.

Only the emulated API (``/ac/v1/`` and the tenant token URL) is counted in the statistics and
subject to faults; ``/_sandbox/`` never is. Every error is ``application/problem+json``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from integrations.sandbox.canto.app import Stats
from integrations.sandbox.faults import FaultInjector
from integrations.sandbox.faults import _error_response as injected_error
from integrations.sandbox.server import (
    HttpError,
    Request,
    Response,
    Route,
    Router,
    ThreadingWSGIServer,
    redirect,
    serve,
    to_wsgi,
)
from integrations.sandbox.tradinggrid import (
    api,
    control,
    partner_forms,
    partner_view,
    problems,
    seed,
    tokens,
)
from integrations.sandbox.tradinggrid.events import EventSender
from integrations.sandbox.tradinggrid.idempotency import IdempotencyStore
from integrations.sandbox.tradinggrid.state import Store

API_PREFIX = "/ac/v1/"
TOKEN_PREFIX = "/tenants/"  # noqa: S105  (a URL path, not a secret)
WRITE_METHODS = ("POST", "PATCH")


class TradingGridSandbox:
    """An Active Community tenant in memory, with the knobs tests and people use to steer it."""

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        webhook_url: str,
        webhook_secret: str,
        seed: int = 1,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.seed = seed
        self.store = Store()
        self.tokens = tokens.TokenStore()
        self.faults = FaultInjector()
        self.stats = Stats()
        self.idempotency = IdempotencyStore()
        self.events = EventSender(
            tenant_id, webhook_url, webhook_secret, lambda: list(self.store.subscriptions.values())
        )
        self.api_routes = Router()
        api.register(self.api_routes, self)
        self.control_routes = Router()
        control.register(self.control_routes, self)
        partner_view.register(self.control_routes, self)
        partner_forms.register(self.control_routes, self)
        self.reset(seed)

    def reset(self, seed_value: int = 1) -> None:
        """Reseed; clear faults, statistics, tokens, idempotency keys and the delivery log."""
        self.store.replace(seed.build(seed_value), seed_value)
        self.seed = seed_value
        self.faults.reset()
        self.stats.reset()
        self.tokens.reset()
        self.idempotency.reset()
        self.events.clear()

    def fire(
        self,
        event_type: str,
        community_id: str | None,
        data: dict[str, Any],
        from_api: bool = False,
    ) -> dict[str, Any]:
        """Send an event (call without holding the store's lock)."""
        return self.events.fire(event_type, community_id, data, from_api)

    def handle(self, request: Request) -> Response:
        """Answer one request."""
        request.environ[problems.REQUEST_ID_KEY] = uuid.uuid4().hex
        response = self._handle(request)
        response.headers.append(("X-Request-Id", problems.request_id(request)))
        return response

    def _handle(self, request: Request) -> Response:
        path = request.path
        if path in ("/", "/_sandbox"):
            return redirect("/_sandbox/")
        try:
            if path.startswith("/_sandbox/"):
                route, request.params = self.control_routes.match(request.method, path)
                return route.handler(request)
            if not path.startswith((API_PREFIX, TOKEN_PREFIX)):
                raise problems.Problem(404, "No such resource.")
        except HttpError as exc:
            return problems.render(exc, request)
        try:
            route, request.params = self.api_routes.match(request.method, path)
        except HttpError as exc:
            self.stats.count(f"{request.method} (no route)")
            return problems.render(exc, request)
        self.stats.count(route.label)
        reached: list[bool] = []
        dispatch = self._dispatcher(route, request, reached)
        response = self.faults.handle(request, dispatch)
        if not reached and response.status >= 400:
            return self._as_problem(response, request)
        return response

    def _dispatcher(
        self, route: Route, request: Request, reached: list[bool]
    ) -> Callable[[], Response]:
        def dispatch() -> Response:
            reached.append(True)
            try:
                if request.path.startswith(API_PREFIX):
                    tokens.authenticate(self, request)
                    if request.method in WRITE_METHODS:
                        return self.idempotency.run(
                            self.tenant_id, request, lambda: self._call(route, request)
                        )
                return route.handler(request)
            except HttpError as exc:
                return problems.render(exc, request)

        return dispatch

    @staticmethod
    def _call(route: Route, request: Request) -> Response:
        try:
            return route.handler(request)
        except HttpError as exc:
            return problems.render(exc, request)

    @staticmethod
    def _as_problem(response: Response, request: Request) -> Response:
        """An injected fault as the API would answer it, unless a test scripted its body."""
        if response.body != injected_error(response.status).body:
            return response
        detail = {
            429: "Too many requests; retry after the time given in Retry-After.",
            502: "An upstream system did not answer properly.",
            503: "The service is temporarily unavailable.",
            504: "An upstream system did not answer in time.",
        }.get(response.status, "")
        headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        return problems.problem_response(
            response.status, detail, problems.request_id(request), headers=headers
        )

    def info(self) -> dict[str, Any]:
        """A summary for the control API."""
        with self.store.lock:
            communities = [
                {
                    "id": community.id,
                    "name": community.name,
                    "partners": len(self.store.members(community.id)),
                }
                for community in self.store.communities.values()
            ]
            counts = {
                "partners": len(self.store.partners),
                "contacts": len(self.store.contacts),
                "requests": len(self.store.requests),
                "publications": len(self.store.publications),
                "subscriptions": len(self.store.subscriptions),
            }
        return {
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "seed": self.seed,
            "token_ttl": self.tokens.ttl,
            "idempotency_keys": len(self.idempotency),
            "communities": communities,
            **counts,
        }

    def wsgi(self) -> Callable[..., Any]:
        """The WSGI application."""
        return to_wsgi(self.handle)


def start(
    host: str,
    port: int,
    *,
    seed_value: int,
    tenant_id: str,
    client_id: str,
    client_secret: str,
    webhook_url: str,
    webhook_secret: str,
) -> tuple[ThreadingWSGIServer, TradingGridSandbox]:
    """Seed a sandbox and serve it from a background thread."""
    sandbox = TradingGridSandbox(
        tenant_id=tenant_id,
        client_id=client_id,
        client_secret=client_secret,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        seed=seed_value,
    )
    return serve(sandbox.wsgi(), host, port), sandbox
