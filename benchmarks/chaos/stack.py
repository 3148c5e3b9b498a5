"""The processes a fault scenario works with: both sandboxes, the portal's web server, Celery
workers and beat, all on the benchmark settings and the chaos run's private Redis."""

from __future__ import annotations

import os
import secrets
import sys
import time

from django.conf import settings

from benchmarks.chaos.redis import PrivateRedis
from benchmarks.harness import PortalProcess, SandboxProcess, fresh_database, purge_broker

CANTO_ASSETS = 300


class Stack:
    def __init__(self, redis: PrivateRedis):
        self.redis = redis
        self.canto: SandboxProcess | None = None
        self.tradinggrid: SandboxProcess | None = None
        self.web_process: PortalProcess | None = None
        self.worker_processes: list[PortalProcess] = []
        self.beat_processes: list[PortalProcess] = []

    def __enter__(self) -> Stack:
        self.canto = SandboxProcess("canto", settings.BENCH_CANTO_PORT, assets=CANTO_ASSETS)
        try:
            self.tradinggrid = SandboxProcess("tradinggrid", settings.BENCH_TRADINGGRID_PORT, 0)
        except BaseException:
            self.canto.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()
        for sandbox in (self.tradinggrid, self.canto):
            if sandbox is not None:
                sandbox.stop()

    def reset(self) -> None:
        """A clean start for the next scenario: no processes, faults, data or queued work."""
        self.stop_all()
        if not self.redis.up():
            self.redis.start()
        for sandbox, body in ((self.canto, {"assets": CANTO_ASSETS}), (self.tradinggrid, {})):
            sandbox.control("POST", "faults", {})
            sandbox.control("POST", "reset", body)
        fresh_database()
        purge_broker()

    def web(self) -> PortalProcess:
        if self.web_process is None or self.web_process.process.poll() is not None:
            self.web_process = PortalProcess.web(settings.BENCH_WEB_PORT, workers=4)
        return self.web_process

    def workers(self, count: int = 1, concurrency: int = 4) -> list[PortalProcess]:
        first = len(self.worker_processes)
        started = [
            PortalProcess.worker(concurrency=concurrency, name=f"chaos-{first + n}")
            for n in range(count)
        ]
        self.worker_processes += started
        return started

    def stop_workers(self, kill: bool = False) -> None:
        for worker in self.worker_processes:
            if kill:
                worker.kill()
            else:
                worker.stop()
        self.worker_processes = []

    def beat(self) -> PortalProcess:
        """``celery beat`` with the database scheduler; each has its own pid file."""
        name = f"beat-{len(self.beat_processes)}"
        pidfile = settings.VAR_DIR / f"chaos-{name}.pid"
        pidfile.unlink(missing_ok=True)
        command = [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO"]
        started_at = time.monotonic()
        process = PortalProcess(
            name,
            [*command, f"--pidfile={pidfile}"],
            lambda: (
                "beat: Starting" in _read(settings.VAR_DIR / f"bench-{name}.log")
                or time.monotonic() - started_at > 10
            ),
        )
        self.beat_processes.append(process)
        return process

    def stop_all(self) -> None:
        self.stop_workers(kill=True)
        for process in self.beat_processes:
            process.stop()
        self.beat_processes = []
        if self.web_process is not None:
            self.web_process.stop()
            self.web_process = None


def _read(path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def environment(redis: PrivateRedis, ports: dict[str, int]) -> None:
    """Point the benchmark settings, and every process started from here, at the chaos run's
    own database, Redis and ports. Beat relays the outbox every 2 s instead of 30 s and sweeps
    the inbox every 5 s for events waiting 10 s instead of every minute for events waiting two,
    so that the periodic safety nets show within a scenario. A run without SECRET_KEY gets a random
    one: its data is thrown away."""
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.update(
        REDIS_URL=redis.url,
        BENCH_DATABASE_NAME=os.environ.get("CHAOS_DATABASE_NAME", "portal_chaos"),
        BENCH_CANTO_PORT=str(ports["canto"]),
        BENCH_TRADINGGRID_PORT=str(ports["tradinggrid"]),
        BENCH_WEB_PORT=str(ports["web"]),
        OUTBOX_RELAY_EVERY_SECONDS="2",
        INBOX_SWEEP_EVERY_SECONDS="5",
        INBOX_SWEEP_AFTER_SECONDS="10",
    )
