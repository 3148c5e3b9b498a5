import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from portal import roles
from tests.factories import UserFactory
from tests.processes import Worker, purge_test_broker

pytest_plugins = ["tests.release_fixtures", "tests.flow_fixtures"]

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def _clean_test_broker():
    """Messages left by an interrupted earlier run must not reach this run's workers."""
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    folder = options.get("data_folder_in")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)
    else:
        purge_test_broker()


@pytest.fixture
def manager(db):
    return UserFactory(username="max", role=roles.CONTENT_MANAGER)


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rita", role=roles.COMPLIANCE_REVIEWER)


@pytest.fixture
def auditor(db):
    return UserFactory(username="aldo", role=roles.AUDITOR)


@pytest.fixture
def portal_admin(db):
    return UserFactory(username="ada", role=roles.PORTAL_ADMIN, is_staff=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    worker = Worker(tmp_path / "worker.log").start()
    yield worker
    worker.stop()


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip("not run: Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def _canto_process(tmp_path_factory):
    from tests.sandboxes import Sandbox

    sandbox = Sandbox(
        "canto",
        settings.CANTO_SANDBOX_TEST_PORT,
        tmp_path_factory.mktemp("canto") / "sandbox.log",
        "--assets",
        "40",
        "--webhook-url",
        "http://127.0.0.1:9/webhooks/canto/",
    ).start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def canto(_canto_process):
    """The Canto sandbox, reset to its 40 seeded assets with no faults, and no cached token."""
    from django.core.cache import cache

    _canto_process.reset(assets=40)
    cache.clear()
    return _canto_process


@pytest.fixture(scope="session")
def _tradinggrid_process(tmp_path_factory):
    from tests.sandboxes import Sandbox

    sandbox = Sandbox(
        "tradinggrid",
        settings.TRADINGGRID_SANDBOX_TEST_PORT,
        tmp_path_factory.mktemp("tradinggrid") / "sandbox.log",
        "--webhook-url",
        "http://127.0.0.1:9/webhooks/tradinggrid/",
    ).start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def tradinggrid(_tradinggrid_process):
    """The Trading Grid sandbox, reset to its seeded communities, with no cached token."""
    from django.core.cache import cache

    _tradinggrid_process.control("POST", "reset", {"seed": 1})
    cache.clear()
    return _tradinggrid_process


@pytest.fixture
def wired_canto(canto, live_server):
    """The Canto sandbox delivering its webhooks to the live test server."""
    canto.control(
        "POST",
        "webhooks",
        {
            "url": f"{live_server.url}/webhooks/canto/",
            "token": settings.CANTO_WEBHOOK_TOKEN,
            "enabled": True,
        },
    )
    return canto
