"""Fixtures of the release tests that fake Trading Grid: two communities, the faked remote
API, a movable clock and Celery tasks run in the test's process."""

import pytest

from tests.release_support import (
    Clock,
    apac_resellers,
    emea_distributors,
    fake_trading_grid,
    grant,
    tasks_run_here,
)


@pytest.fixture
def emea(manager, reviewer):
    """EMEA distributors, granted to the manager and the reviewer."""
    return emea_distributors(manager, reviewer)


@pytest.fixture
def apac(db):
    """APAC resellers, granted to nobody."""
    return apac_resellers()


@pytest.fixture
def both(manager, reviewer, emea, apac):
    grant(apac, manager, reviewer)
    return [emea, apac]


@pytest.fixture
def trading_grid(settings):
    with fake_trading_grid(settings) as tg:
        yield tg


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def eager_tasks():
    with tasks_run_here():
        yield
