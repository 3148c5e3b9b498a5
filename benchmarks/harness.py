"""What every benchmark shares: a fresh database, the sandboxes, timing and the report."""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    goal: str
    met: bool | None
    note: str = ""


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "database": connection.vendor,
        "broker": "redis" if settings.REDIS_URL else "filesystem",
    }


def fresh_database() -> None:
    """Drop every table of the benchmark database and migrate it from scratch."""
    connections.close_all()
    if connection.vendor == "sqlite":
        Path(settings.DATABASES["default"]["NAME"]).unlink(missing_ok=True)
    else:
        name = settings.DATABASES["default"]["NAME"]
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0, interactive=False)


class SandboxProcess:
    def __init__(self, kind: str, port: int, assets: int):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_sandbox",
                kind,
                "--port",
                str(port),
                "--assets",
                str(assets),
                "--webhook-url",
                "http://127.0.0.1:9/",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"},
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/_sandbox/api/stats", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError(f"{kind} sandbox did not start")

    def control(self, method: str, path: str, body=None):
        response = requests.request(
            method, f"{self.url}/_sandbox/api/{path}", json=body, timeout=600
        )
        response.raise_for_status()
        return response.json() if response.content else {}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def purge_broker() -> None:
    """Drop messages an interrupted earlier run left for the benchmark's workers."""
    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)
        return
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


class PortalProcess:
    """A process of the portal itself (web server or Celery worker) on the benchmark settings,
    in a session of its own so that stopping it stops its children too."""

    def __init__(self, name: str, command: list[str], ready: Callable[[], bool], timeout=120):
        self.name = name
        self.log = settings.VAR_DIR / f"bench-{name}.log"
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"},
            start_new_session=True,
        )
        try:
            self._wait(ready, timeout)
        except BaseException:
            self.stop()
            raise

    def _wait(self, ready: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start:\n{self.log.read_text()[-3000:]}")

    @classmethod
    def web(cls, port: int, workers: int = 2) -> PortalProcess:
        """gunicorn serving the portal (webhooks land here); production runs ``--workers 4``."""
        url = f"http://127.0.0.1:{port}/healthz"

        def ready() -> bool:
            try:
                return requests.get(url, timeout=5).status_code == 200
            except requests.RequestException:  # not listening yet, or its workers still booting
                return False

        command = [sys.executable, "-m", "gunicorn", "portal.wsgi:application"]
        return cls(
            "web", [*command, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)], ready
        )

    @classmethod
    def worker(cls, concurrency: int = 2, name: str = "worker") -> PortalProcess:
        """A Celery worker; ready once it has run a task queued before it started.

        ``name`` tells several workers' logs and node names apart."""
        from integrations.tasks import relay_outbox
        from portal.models import JobRun

        probe = relay_outbox.delay().id
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=WARNING"]
        command += [f"--concurrency={concurrency}", "--without-gossip", "--without-mingle"]
        return cls(
            name,
            [*command, "--hostname", f"bench-{name}-{os.getpid()}@%h"],
            lambda: JobRun.objects.filter(task_id=probe, state="succeeded").exists(),
        )

    def kill(self) -> None:
        """SIGKILL of the whole session at once, as a crashed machine or the OOM killer would."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown of the main process, then nothing left of its session."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.process.wait(timeout=5)


@contextmanager
def timed():
    result = {}
    started = time.perf_counter()
    yield result
    result["seconds"] = time.perf_counter() - started


def report(figures: list[Figure], path: Path) -> None:
    width = max(len(f.name) for f in figures)
    print(f"\n{'figure':<{width}}  {'value':>12}  {'goal':<14} met")
    for f in figures:
        met = {True: "yes", False: "NO", None: "-"}[f.met]
        print(
            f"{f.name:<{width}}  {f.value:>12.3f} {f.unit:<6} {f.goal:<14} {met}"
            + (f"  ({f.note})" if f.note else "")
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"machine": machine(), "figures": [asdict(f) for f in figures]}, indent=2)
    )
    print(f"\nWritten to {path}")
