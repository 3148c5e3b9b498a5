"""The sandboxes as real processes, reached over real HTTP like the real services."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.processes import ROOT, child_env


class Sandbox:
    def __init__(self, kind: str, port: int, log_path: Path, *extra: str):
        self.kind = kind
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.extra = extra
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Sandbox:
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_sandbox",
                self.kind,
                "--port",
                str(self.port),
                *self.extra,
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
                raise RuntimeError(f"{self.kind} sandbox exited:\n{self.log_path.read_text()}")
            try:
                requests.get(self.url + "/_sandbox/api/stats", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.kind} sandbox did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def control(self, method: str, path: str, json=None) -> dict | list:
        response = requests.request(
            method, f"{self.url}/_sandbox/api/{path.lstrip('/')}", json=json, timeout=60
        )
        response.raise_for_status()
        return response.json() if response.content else {}

    # Conveniences for tests -------------------------------------------------------------------
    def reset(self, assets: int = 40, seed: int = 1) -> None:
        self.control("POST", "reset", {"assets": assets, "seed": seed})

    def faults(self, **config) -> None:
        self.control("POST", "faults", config)

    def stats(self) -> dict[str, int]:
        return self.control("GET", "stats")["requests"]

    def clear_stats(self) -> None:
        self.control("DELETE", "stats")
