"""A Redis server of the chaos run's own, so that a scenario can stop, kill and restart it.

It runs with the settings production should use (see the README's "Reliability and
security"): append-only persistence, fsync every second, and no eviction.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from contextlib import suppress
from pathlib import Path

import redis


class PrivateRedis:
    def __init__(self, port: int, folder: Path):
        self.port = port
        self.folder = folder
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("chaos: redis-server is not installed")
        self.process = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=(self.folder / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chaos: redis-server on port {self.port} exited")
            if self.up():
                return
            time.sleep(0.05)
        raise RuntimeError(f"chaos: redis-server on port {self.port} did not start")

    def up(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """A clean shutdown: the append-only file keeps every queued message."""
        if self.process is None or self.process.poll() is not None:
            return
        with suppress(redis.ConnectionError):  # the server closes the connection as it goes
            redis.Redis(port=self.port, socket_timeout=5).shutdown()
        self.process.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL: what an out-of-memory kill or a lost machine does."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def wipe(self) -> None:
        """Stop, and forget everything (between scenarios)."""
        self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
