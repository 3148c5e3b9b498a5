"""Fixtures of the end-to-end tests: the Trading Grid sandbox delivering its events to the live
test server, and a worker that writes usage back to Canto a second after it arrives."""

import pytest

from tests.processes import Worker
from tests.request_flow_support import unwire_tradinggrid, wire_tradinggrid


@pytest.fixture
def quick_worker(monkeypatch, transactional_db, tmp_path):
    """A worker that writes usage back to Canto a second after it arrives."""
    monkeypatch.setenv("USAGE_WRITEBACK_DELAY_SECONDS", "1")
    worker = Worker(tmp_path / "worker.log").start()
    yield worker
    worker.stop()


@pytest.fixture
def wired_tradinggrid(tradinggrid, live_server):
    wire_tradinggrid(tradinggrid, live_server.url)
    yield tradinggrid
    unwire_tradinggrid(tradinggrid)
