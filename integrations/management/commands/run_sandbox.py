"""Run a sandbox (a stand-in for an outside system) until SIGTERM or Ctrl-C.

Needs no database: it only reads settings for its defaults.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from integrations.sandbox.server import ThreadingWSGIServer

# What `make run` serves; anything seeded from a sandbox must match it.
DEFAULT_ASSETS = 300
DEFAULT_SEED = 1


def run_canto(host: str, port: int, options: dict[str, Any]) -> tuple[ThreadingWSGIServer, str]:
    """Seed and serve the Canto sandbox; returns the server and its announcement."""
    from integrations.sandbox.canto import start

    server, sandbox = start(
        host,
        port,
        assets=options["assets"],
        seed_value=options["seed"],
        app_id=options["app_id"] or getattr(settings, "CANTO_APP_ID", "sandbox-app"),
        app_secret=options["app_secret"] or getattr(settings, "CANTO_APP_SECRET", "sandbox-secret"),
        webhook_url=options["webhook_url"]
        or getattr(settings, "CANTO_SANDBOX_WEBHOOK_URL", "http://127.0.0.1:8000/webhooks/canto/"),
        webhook_token=options["webhook_token"]
        or getattr(settings, "CANTO_WEBHOOK_TOKEN", "sandbox-webhook-token"),
    )
    count = sandbox.catalog.live_count()
    return server, f"Canto sandbox listening on {server.url} ({count} assets)"


def run_tradinggrid(
    host: str, port: int, options: dict[str, Any]
) -> tuple[ThreadingWSGIServer, str]:
    """Seed and serve the Trading Grid sandbox; returns the server and its announcement."""
    from integrations.sandbox.tradinggrid import start

    server, sandbox = start(
        host,
        port,
        seed_value=options["seed"],
        tenant_id=options["tenant"] or getattr(settings, "TRADINGGRID_TENANT_ID", "sandbox-tenant"),
        client_id=options["client_id"]
        or getattr(settings, "TRADINGGRID_CLIENT_ID", "sandbox-client"),
        client_secret=options["client_secret"]
        or getattr(settings, "TRADINGGRID_CLIENT_SECRET", "sandbox-secret"),
        webhook_url=options["webhook_url"]
        or getattr(
            settings,
            "TRADINGGRID_SANDBOX_WEBHOOK_URL",
            "http://127.0.0.1:8000/webhooks/tradinggrid/",
        ),
        webhook_secret=options["webhook_secret"]
        or getattr(settings, "TRADINGGRID_WEBHOOK_SECRET", "sandbox-webhook-secret"),
    )
    info = sandbox.info()
    return server, (
        f"Trading Grid sandbox listening on {server.url} "
        f"({len(info['communities'])} communities, {info['partners']} partners)"
    )


RUNNERS: dict[str, Callable[[str, int, dict[str, Any]], tuple[ThreadingWSGIServer, str]]] = {
    "canto": run_canto,
    "tradinggrid": run_tradinggrid,
}


def serve_in_background(kind: str, host: str, port: int) -> ThreadingWSGIServer:
    """The sandbox `make run` starts, seeded alike, served from a thread of this process."""
    options: dict[str, Any] = dict.fromkeys(
        (
            "app_id",
            "app_secret",
            "webhook_url",
            "webhook_token",
            "tenant",
            "client_id",
            "client_secret",
            "webhook_secret",
        ),
        "",
    )
    options.update(assets=DEFAULT_ASSETS, seed=DEFAULT_SEED)
    server, _ = RUNNERS[kind](host, port, options)
    return server


class Command(BaseCommand):
    help = "Run a sandbox standing in for an outside system (e.g. `run_sandbox canto --port 8101`)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(RUNNERS), help="which sandbox to run")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8101, help="0 picks a free port")
        parser.add_argument("--assets", type=int, default=DEFAULT_ASSETS, help="assets to seed")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="seed of the generated catalog"
        )
        parser.add_argument("--webhook-url", default="", help="base URL webhooks are sent to")
        parser.add_argument("--webhook-token", default="", help="secure_token sent with webhooks")
        parser.add_argument("--app-id", default="", help="OAuth app_id the sandbox accepts")
        parser.add_argument("--app-secret", default="", help="OAuth app_secret it accepts")
        parser.add_argument("--webhook-secret", default="", help="HMAC secret of sent events")
        parser.add_argument("--tenant", default="", help="tenant id of the token URL")
        parser.add_argument("--client-id", default="", help="OAuth client id it accepts")
        parser.add_argument("--client-secret", default="", help="OAuth client secret it accepts")

    def handle(self, *args: Any, kind: str, host: str, port: int, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        server, announcement = RUNNERS[kind](host, port, options)
        self.stdout.write(announcement)
        self.stdout.flush()
        try:
            while not stop.wait(0.5):
                pass
        finally:
            server.shutdown()
            server.server_close()
