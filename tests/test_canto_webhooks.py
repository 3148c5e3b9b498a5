"""The Canto webhook receiver: refusals, the inbox, and deduplication of replays."""

import json

import pytest
from django.conf import settings

from integrations.models import InboxEvent

URL = "/webhooks/canto/{}/"


def _post(client, event, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL.format(event), data=data, content_type="application/json", **extra)


def _hint(**changes):
    return {
        "secure_token": settings.CANTO_WEBHOOK_TOKEN,
        "scheme": "image",
        "id": "vjbnb7df8t6b3al3sumpo66s0n",
        "album": "PP4QV",
        "displayname": "IMG_0599.jpeg",
        **changes,
    }


@pytest.mark.django_db
def test_valid_event_is_stored_and_answered_at_once(client):
    response = _post(client, "new-version", _hint())
    assert response.status_code == 202 and response.json()["status"] == "accepted"
    event = InboxEvent.objects.get()
    assert (event.source, event.event_type, event.status) == ("canto", "new-version", "pending")
    assert settings.CANTO_WEBHOOK_TOKEN not in event.body
    assert json.loads(event.body)["id"] == "vjbnb7df8t6b3al3sumpo66s0n"


@pytest.mark.django_db
def test_a_replayed_event_is_stored_once(client):
    first = _post(client, "metadata", _hint())
    second = _post(client, "metadata", _hint())
    assert second.status_code == 202 and second.json() == {
        "status": "duplicate",
        "id": first.json()["id"],
    }
    assert InboxEvent.objects.count() == 1
    # The same asset under another event type is another event.
    _post(client, "delete", _hint())
    assert InboxEvent.objects.count() == 2


@pytest.mark.django_db
def test_wrong_or_missing_token_is_refused_and_kept(client):
    assert _post(client, "metadata", _hint(secure_token="guess")).status_code == 403
    body = _hint()
    del body["secure_token"]
    response = _post(client, "metadata", body)
    assert response.status_code == 403 and "Secure token" in response.json()["error"]
    rejected = InboxEvent.objects.filter(status="rejected")
    assert rejected.count() == 2 and "guess" not in rejected.first().body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"secure_token": "sandbox-webhook-token", "scheme": "image"}), "'id'"),
    ],
)
def test_malformed_bodies_get_400_with_a_message_and_are_kept(client, body, message):
    body = body.replace("sandbox-webhook-token", settings.CANTO_WEBHOOK_TOKEN)
    response = _post(client, "new-asset", body)
    assert response.status_code == 400 and message in response.json()["error"]
    kept = InboxEvent.objects.get()
    assert kept.status == "rejected" and message in kept.error


@pytest.mark.django_db
def test_oversized_body_is_refused(client):
    response = _post(client, "metadata", _hint(displayname="x" * 20000))
    assert response.status_code == 413
    assert InboxEvent.objects.get().status == "rejected"


@pytest.mark.django_db
def test_unknown_event_type_and_wrong_method(client):
    assert _post(client, "teleport", _hint()).status_code == 404
    assert client.get(URL.format("metadata")).status_code == 405
    assert not InboxEvent.objects.filter(status="pending").exists()


@pytest.mark.django_db
def test_the_same_hint_after_work_started_is_a_new_event(client):
    first = _post(client, "metadata", _hint()).json()["id"]
    InboxEvent.objects.filter(pk=first).update(status="processed")
    again = _post(client, "metadata", _hint())
    assert again.json()["status"] == "accepted" and again.json()["id"] != first
    assert InboxEvent.objects.filter(status="pending").count() == 1


@pytest.mark.django_db
def test_unknown_scheme_is_refused(client):
    response = _post(client, "new-version", _hint(scheme="hologram"))
    assert response.status_code == 400 and "scheme" in response.json()["error"]
