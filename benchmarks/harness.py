"""What every benchmark shares: a fresh database, the sandboxes, timing and the report."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from contextlib import contextmanager
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
