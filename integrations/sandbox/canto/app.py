"""The Canto sandbox as one WSGI application: the emulated API plus the control page and API.

Only the emulated API (``/api/v1/``, ``/api_binary/``, the OAuth token URL, ``/direct/``) is
counted in the statistics and subject to faults; ``/_sandbox/`` never is.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from integrations.sandbox.canto import api, control, page, seed
from integrations.sandbox.canto.state import Catalog
from integrations.sandbox.canto.tokens import TokenStore
from integrations.sandbox.canto.webhooks import WebhookSender
from integrations.sandbox.faults import FaultInjector
from integrations.sandbox.server import (
    HttpError,
    Request,
    Response,
    Route,
    Router,
    ThreadingWSGIServer,
    error_response,
    redirect,
    serve,
    to_wsgi,
)

OAUTH_PATH = "/oauth/api/oauth2/token"
EMULATED_PREFIXES = ("/api/v1/", "/api_binary/", "/direct/", OAUTH_PATH)
AUTHENTICATED_PREFIXES = ("/api/v1/", "/api_binary/")


class Stats:
    """Emulated-API requests counted by method and route pattern."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def count(self, label: str) -> None:
        """Count one request."""
        with self._lock:
            self._counts[label] += 1

    def snapshot(self) -> dict[str, Any]:
        """``{"requests": {label: n}, "total": n}``."""
        with self._lock:
            return {"requests": dict(self._counts), "total": sum(self._counts.values())}

    def reset(self) -> None:
        """Start counting from zero."""
        with self._lock:
            self._counts.clear()


class CantoSandbox:
    """A Canto tenant in memory, with the knobs tests and people use to steer it."""

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        webhook_url: str,
        webhook_token: str,
        assets: int = 300,
        seed: int = 1,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.seed = seed
        self.catalog = Catalog()
        self.tokens = TokenStore()
        self.faults = FaultInjector()
        self.stats = Stats()
        self.webhooks = WebhookSender(webhook_url, webhook_token)
        self.api_routes = Router()
        api.register(self.api_routes, self)
        self.control_routes = Router()
        control.register(self.control_routes, self)
        page.register(self.control_routes, self)
        self.reset(assets, seed)

    def reset(self, assets: int, seed_value: int = 1) -> None:
        """Reseed the catalog and clear faults, statistics, tokens and the delivery log."""
        assets_list, nodes, fields = seed.build(assets, seed_value)
        self.catalog.replace(assets_list, nodes, fields, seed_value)
        self.seed = seed_value
        self.faults.reset()
        self.stats.reset()
        self.tokens.reset()
        self.webhooks.clear()

    def handle(self, request: Request) -> Response:
        """Answer one request."""
        path = request.path
        if path in ("/", "/_sandbox"):
            return redirect("/_sandbox/")
        if path.startswith("/_sandbox/"):
            route, request.params = self.control_routes.match(request.method, path)
            return route.handler(request)
        if not path.startswith(EMULATED_PREFIXES):
            raise HttpError(404, {"error": "not found"})
        try:
            route, request.params = self.api_routes.match(request.method, path)
        except HttpError as exc:
            self.stats.count(f"{request.method} (no route)")
            return error_response(exc)
        self.stats.count(route.label)
        return self.faults.handle(request, self._dispatcher(route, request))

    def _dispatcher(self, route: Route, request: Request) -> Callable[[], Response]:
        def dispatch() -> Response:
            try:
                if request.path.startswith(AUTHENTICATED_PREFIXES):
                    self._authenticate(request)
                return route.handler(request)
            except HttpError as exc:
                return error_response(exc)

        return dispatch

    def _authenticate(self, request: Request) -> None:
        scheme, _, token = request.header("Authorization").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HttpError(
                401, {"error": "invalid_token", "message": "Authorization: Bearer token required"}
            )
        if not self.tokens.valid(token.strip()):
            raise HttpError(
                401, {"error": "invalid_token", "message": "Access token expired or revoked"}
            )

    def info(self) -> dict[str, Any]:
        """A summary for the control API: counts, seed and the album/folder ids."""
        with self.catalog.lock:
            nodes = [
                {**_node_ref(self.catalog, node_id), "scheme": self.catalog.nodes[node_id].scheme}
                for node_id in self.catalog.nodes
            ]
            total = len(self.catalog.assets)
            live = len(self.catalog.ordered())
        return {
            "assets": live,
            "deleted": total - live,
            "seed": self.seed,
            "app_id": self.app_id,
            "token_ttl": self.tokens.ttl,
            "albums": [node for node in nodes if node["scheme"] == "album"],
            "folders": [node for node in nodes if node["scheme"] == "folder"],
        }

    def wsgi(self) -> Callable[..., Any]:
        """The WSGI application."""
        return to_wsgi(self.handle)


def _node_ref(catalog: Catalog, node_id: str) -> dict[str, str]:
    id_path, name_path = catalog.node_path(node_id)
    return {
        "id": node_id,
        "name": catalog.nodes[node_id].name,
        "idPath": id_path,
        "namePath": name_path,
    }


def start(
    host: str,
    port: int,
    *,
    assets: int,
    seed_value: int,
    app_id: str,
    app_secret: str,
    webhook_url: str,
    webhook_token: str,
) -> tuple[ThreadingWSGIServer, CantoSandbox]:
    """Seed a sandbox and serve it from a background thread."""
    sandbox = CantoSandbox(
        app_id=app_id,
        app_secret=app_secret,
        webhook_url=webhook_url,
        webhook_token=webhook_token,
        assets=assets,
        seed=seed_value,
    )
    return serve(sandbox.wsgi(), host, port), sandbox
