"""Trading Grid's signed events: accepted once, refused with the right status when forged,
stale, tampered with, malformed or oversized, and every refusal kept for inspection."""

import hashlib
import hmac
import json
import time

import pytest
from django.conf import settings

from integrations.models import InboxEvent

URL = "/webhooks/tradinggrid/"


def _event(**changes):
    return {
        "id": "evt_01HXA",
        "type": "request.created",
        "time": "2025-03-04T16:00:01Z",
        "tenant_id": settings.TRADINGGRID_TENANT_ID,
        "community_id": "com_01",
        "data": {"request": {"id": "req_8801", "partner_id": "par_7Q2", "status": "new"}},
        **changes,
    }


def _signed(body: bytes, *, at: float | None = None, secret: str | None = None) -> str:
    stamp = int(at if at is not None else time.time())
    key = (secret or settings.TRADINGGRID_WEBHOOK_SECRET).encode()
    digest = hmac.new(key, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def _post(client, body: bytes, signature: str, event_type: str = "request.created"):
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        HTTP_X_AC_EVENT=event_type,
        HTTP_X_AC_DELIVERY="dlv_77",
        HTTP_X_AC_SIGNATURE=signature,
    )


@pytest.mark.django_db
def test_a_valid_event_is_accepted_once_even_when_delivered_three_times(client):
    body = json.dumps(_event()).encode()
    answers = [_post(client, body, _signed(body)) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert [a.json()["status"] for a in answers] == ["accepted", "duplicate", "duplicate"]
    stored = InboxEvent.objects.get()
    assert (stored.source, stored.event_type, stored.status) == (
        "tradinggrid",
        "request.created",
        "pending",
    )
    assert stored.headers["HTTP_X_AC_DELIVERY"] == "dlv_77"


@pytest.mark.django_db
def test_the_same_event_processed_earlier_is_still_a_duplicate(client):
    body = json.dumps(_event()).encode()
    first = _post(client, body, _signed(body)).json()["id"]
    InboxEvent.objects.filter(pk=first).update(status="processed")
    assert _post(client, body, _signed(body)).json() == {"status": "duplicate", "id": first}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("forged", "Signature does not match"),
        ("stale", "more than five minutes off"),
        ("future", "more than five minutes off"),
        ("tampered", "Signature does not match"),
        ("missing", "no timestamp"),
        ("not_ascii", "Signature does not match"),
    ],
)
def test_unauthentic_events_get_401_and_are_kept(client, case, message):
    body = json.dumps(_event()).encode()
    signature = {
        "forged": _signed(body, secret="guessed"),
        "stale": _signed(body, at=time.time() - 310),
        "future": _signed(body, at=time.time() + 310),
        "tampered": _signed(body),
        "missing": "",
        "not_ascii": f"t={int(time.time())},v1=\u00e9",
    }[case]
    if case == "tampered":
        body = body.replace(b"req_8801", b"req_9999")
    response = _post(client, body, signature)
    assert response.status_code == 401 and message in response.json()["error"]
    kept = InboxEvent.objects.get()
    assert kept.status == "rejected" and message in kept.error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (json.dumps({"type": "request.created", "data": {}}).encode(), "'id'"),
        (json.dumps(_event(type="request.teleported")).encode(), "Unknown event 'type'"),
        (json.dumps(_event(data="x")).encode(), "'data' object"),
    ],
)
def test_malformed_events_get_400_with_a_message(client, body, message):
    response = _post(client, body, _signed(body))
    assert response.status_code == 400 and message in response.json()["error"]
    assert InboxEvent.objects.get().status == "rejected"


@pytest.mark.django_db
def test_oversized_events_are_refused(client):
    body = json.dumps(_event(data={"padding": "x" * 70000})).encode()
    assert _post(client, body, _signed(body)).status_code == 413
    assert InboxEvent.objects.get().status == "rejected"
