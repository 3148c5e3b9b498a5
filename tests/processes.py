"""Real processes against the test database: Celery workers and concurrent writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """A DATABASE_URL naming the test database this session created."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=test_database_url(),
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="false",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Worker:
    """A real ``celery worker`` process consuming the test broker."""

    def __init__(self, log_path: Path, concurrency: int = 2):
        self.log_path = log_path
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Worker:
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={self.concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"tests-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=child_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Celery worker exited:\n" + self.log_path.read_text())
            if " ready." in self.log_path.read_text():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("Celery worker did not start:\n" + self.log_path.read_text())

    def stop(self) -> None:
        """Kill the worker's whole process group, then drop what it left in the test broker.

        Called once the test has made its assertions, so the worker's unfinished work is not
        wanted. A warm shutdown takes seconds (the file broker's loop polls for 2 s before it
        sees the signal, then the pool and timer threads are joined) and hands prefetched
        messages back to the queue, where the next test's worker would run them. SIGKILL of the
        group ends every process at once and returns nothing to the queue; the purge then drops
        whatever is still queued or, on Redis, held as unacknowledged for later redelivery.
        """
        if self.process is None:
            return
        group = self.process.pid  # its own session: the group id is its pid
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=10)
        wait_until(
            lambda: not _group_alive(group),
            timeout=10,
            interval=0.01,
            message=f"a process of the worker's group {group} is still alive",
        )
        purge_test_broker()


def _group_alive(group: int) -> bool:
    """Whether a process of ``group`` can still run (an unreaped zombie cannot)."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for stat in proc.glob("[0-9]*/stat"):
        with suppress(OSError, IndexError, ValueError):
            state, _ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(pgrp) == group and state not in ("Z", "X"):
                return True
    return False


def purge_test_broker() -> None:
    """Drop every message of the test queue: waiting ones and, on Redis, unacknowledged ones
    that a killed worker had taken (Redis would hand those out again after the visibility
    timeout)."""
    from portal.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_purge(app.conf.task_default_queue)
        if conn.transport.driver_type == "redis":
            channel.client.delete(
                channel.unacked_key, channel.unacked_index_key, channel.unacked_mutex_key
            )


def wait_until(predicate, timeout: float = 30, interval: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or "condition not met in time")
