"""A received event whose handling meets a passing fault of the remote API is tried again by
the worker task at once, not left failed until the sweep comes by minutes later."""

import pytest
from django.conf import settings
from django.test import Client

from audit.models import AuditEvent
from integrations.canto.runs import run_catalog_sync
from integrations.models import InboxEvent
from integrations.tasks import process_inbox_event
from portal.models import Asset

pytestmark = pytest.mark.django_db


def _new_version_event(canto) -> tuple[Asset, InboxEvent]:
    run_catalog_sync(full=True)
    asset = Asset.objects.order_by("pk").first()
    canto.control("POST", f"assets/{asset.canto_id}/version", {"comment": "retry"})
    body = {
        "secure_token": settings.CANTO_WEBHOOK_TOKEN,
        "scheme": asset.scheme,
        "id": asset.canto_id,
        "album": "",
        "displayname": asset.name,
    }
    response = Client().post(
        "/webhooks/canto/new-version/", data=body, content_type="application/json"
    )
    assert response.status_code == 202
    return asset, InboxEvent.objects.get(pk=response.json()["id"])


def test_a_truncated_answer_is_retried_by_the_task(canto):
    asset, event = _new_version_event(canto)
    canto.faults(script=[{"truncate": True, "path_prefix": f"/api/v1/{asset.scheme}/"}])
    process_inbox_event.apply(args=(event.pk,))
    event.refresh_from_db()
    assert (event.status, event.attempts, event.error) == ("processed", 2, "")
    assert AuditEvent.objects.filter(
        action="catalog.asset_new_version", object_id=str(asset.pk)
    ).exists()


def test_a_refusal_is_not_retried(canto):
    asset, event = _new_version_event(canto)
    canto.faults(script=[{"status": 400, "body": "{}", "path_prefix": f"/api/v1/{asset.scheme}/"}])
    process_inbox_event.apply(args=(event.pk,))
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("failed", 1)
    assert "HTTP 400" in event.error
