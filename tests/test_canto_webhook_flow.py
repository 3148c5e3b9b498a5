"""End to end: a change in the Canto sandbox reaches the catalog through its webhook and a
real Celery worker, within seconds, without a sync run."""

import time

import pytest
import requests
from django.conf import settings

from audit.models import AuditEvent
from integrations.canto.runs import run_catalog_sync
from integrations.models import InboxEvent
from portal.models import Asset
from tests.processes import wait_until


@pytest.mark.django_db(transaction=True)
def test_new_version_webhook_updates_the_asset_through_a_worker(wired_canto, celery_worker):
    run_catalog_sync(full=True)
    asset = Asset.objects.order_by("pk").first()
    started = time.monotonic()
    wired_canto.control("POST", f"assets/{asset.canto_id}/version", {"comment": "v-next"})

    def updated():
        asset.refresh_from_db()
        return asset.versions.filter(comment="v-next").exists()

    wait_until(updated, timeout=30, message="the webhook did not update the asset")
    assert time.monotonic() - started < 10
    event = InboxEvent.objects.get(event_type="new-version")
    assert (event.status, event.attempts) == ("processed", 1)
    audit = AuditEvent.objects.get(action="catalog.asset_new_version", object_id=str(asset.pk))
    assert (audit.actor_type, audit.actor_name, audit.via) == ("webhook", "Canto webhook", "task")


@pytest.mark.django_db(transaction=True)
def test_delete_webhook_marks_the_asset_deleted(wired_canto, celery_worker):
    run_catalog_sync(full=True)
    asset = Asset.objects.order_by("pk").last()
    wired_canto.control("DELETE", f"assets/{asset.canto_id}")
    wait_until(
        lambda: Asset.objects.filter(pk=asset.pk, deleted_in_canto=True).exists(),
        timeout=30,
        message="the delete webhook did not mark the asset deleted",
    )


@pytest.mark.django_db(transaction=True)
def test_a_replayed_webhook_is_processed_once(canto, live_server, tmp_path):
    from tests.processes import Worker

    run_catalog_sync(full=True)
    asset = Asset.objects.order_by("pk").first()
    body = {
        "secure_token": settings.CANTO_WEBHOOK_TOKEN,
        "scheme": asset.scheme,
        "id": asset.canto_id,
        "album": "",
        "displayname": asset.name,
    }
    url = f"{live_server.url}/webhooks/canto/metadata/"
    # Three deliveries of one event before any worker runs.
    answers = [requests.post(url, json=body, timeout=10).json()["status"] for _ in range(3)]
    assert answers == ["accepted", "duplicate", "duplicate"]
    worker = Worker(tmp_path / "worker.log").start()
    try:
        wait_until(lambda: InboxEvent.objects.filter(status="processed").exists(), timeout=30)
    finally:
        worker.stop()
    event = InboxEvent.objects.get()
    assert (event.status, event.attempts) == ("processed", 1)
