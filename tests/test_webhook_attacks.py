"""Forged, stale, replayed and oversized webhook deliveries: each refused with the right 4xx
and a message, kept for inspection, and nothing processed; a replay of a genuine event is
answered as a duplicate and does no work twice."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings
from hypothesis import assume, given
from hypothesis import strategies as st

from audit.models import AuditEvent
from integrations import inbox
from integrations.canto.client import CantoClient
from integrations.models import InboxEvent
from integrations.tradinggrid.client import TradingGridClient
from portal.models import Asset, Partner
from tests.fuzz_support import (
    CANTO_HINT,
    FUZZ,
    TG_EVENT,
    assert_refusal_kept,
    json_bytes,
    junk,
    odd_text,
    post_canto,
    post_tradinggrid,
    rejected_count,
    signature,
    with_token,
)

pytestmark = pytest.mark.django_db


def _nothing_waiting() -> bool:
    return not InboxEvent.objects.exclude(status="rejected").exists()


# Forged ------------------------------------------------------------------------------------------
@FUZZ
@given(
    token=st.one_of(
        odd_text,
        junk,
        st.sampled_from(["prefix", "suffix", "case"]).map(
            lambda how: {
                "prefix": settings.CANTO_WEBHOOK_TOKEN[:-1],
                "suffix": settings.CANTO_WEBHOOK_TOKEN + " ",
                "case": settings.CANTO_WEBHOOK_TOKEN.upper(),
            }[how]
        ),
    )
)
def test_a_forged_canto_token_is_refused_kept_without_it_and_not_processed(client, token):
    before = rejected_count("canto")
    response = post_canto(client, "metadata", json_bytes(with_token(CANTO_HINT, token)))
    assert response.status_code == 403
    kept = assert_refusal_kept(response, "canto", before, json.dumps(CANTO_HINT, sort_keys=True))
    assert "Secure token" in kept.error and _nothing_waiting()


@FUZZ
@given(secret=st.text(min_size=1, max_size=40), tamper=st.booleans())
def test_a_forged_tradinggrid_signature_is_refused_and_kept(client, secret, tamper):
    assume(tamper or secret != settings.TRADINGGRID_WEBHOOK_SECRET)
    body = json_bytes(TG_EVENT)
    sig = signature(body, secret=secret) if not tamper else signature(body)
    sent = body.replace(b"req_8801", b"req_0666") if tamper else body
    before = rejected_count("tradinggrid")
    response = post_tradinggrid(client, sent, sig)
    assert response.status_code == 401
    kept = assert_refusal_kept(response, "tradinggrid", before, sent.decode())
    assert "does not match" in kept.error and _nothing_waiting()


# Stale -------------------------------------------------------------------------------------------
@FUZZ
@given(
    offset=st.one_of(st.integers(301, 10**12), st.integers(-(10**12), -301)),
)
def test_a_correctly_signed_event_outside_five_minutes_is_refused(client, offset):
    body = json_bytes(TG_EVENT)
    before = rejected_count("tradinggrid")
    response = post_tradinggrid(client, body, signature(body, at=time.time() + offset))
    assert response.status_code == 401
    kept = assert_refusal_kept(response, "tradinggrid", before, body.decode())
    assert "five minutes" in kept.error and _nothing_waiting()


@FUZZ
@given(offset=st.integers(-295, 295), event_id=st.text(min_size=1, max_size=30))
def test_a_correctly_signed_event_within_five_minutes_is_accepted(client, offset, event_id):
    body = json_bytes({**TG_EVENT, "id": event_id})
    response = post_tradinggrid(client, body, signature(body, at=time.time() + offset))
    assert response.status_code == 202


# Replayed ----------------------------------------------------------------------------------------
@pytest.fixture
def partner_id(tradinggrid):
    tg = TradingGridClient.from_settings()
    community = next(iter(tg.communities()))["id"]
    return next(iter(tg.community_partners(community)))["id"]


def test_a_replayed_tradinggrid_event_does_no_work_twice(client, tradinggrid, partner_id, canto):
    event = {**TG_EVENT, "type": "partner.updated", "data": {"partner": {"id": partner_id}}}
    body = json_bytes(event)
    sig = signature(body)
    first = post_tradinggrid(client, body, sig, event_type="partner.updated").json()
    assert inbox.process(first["id"]) == "created"
    assert Partner.objects.filter(tg_id=partner_id).exists()
    tradinggrid.clear_stats()
    audited = AuditEvent.objects.count()
    # The same delivery again, and the same event re-sent with a fresh signature and another
    # serialisation: duplicates of the processed event.
    again = post_tradinggrid(client, body, sig, event_type="partner.updated")
    resent = json.dumps(event, indent=2).encode()
    other = post_tradinggrid(client, resent, signature(resent), event_type="partner.updated")
    assert again.json() == other.json() == {"status": "duplicate", "id": first["id"]}
    assert InboxEvent.objects.exclude(status="rejected").count() == 1
    assert InboxEvent.objects.get(pk=first["id"]).attempts == 1
    assert not tradinggrid.stats() and AuditEvent.objects.count() == audited
    # Captured and replayed later: the old signature is stale.
    late = post_tradinggrid(client, body, signature(body, at=time.time() - 600))
    assert late.status_code == 401 and "five minutes" in late.json()["error"]


def test_a_replayed_canto_hint_changes_nothing_in_the_catalog(client, canto):
    asset = CantoClient.from_settings().search(limit=1).results[0]
    hint = json_bytes(with_token({**CANTO_HINT, "scheme": asset["scheme"], "id": asset["id"]}))
    first = post_canto(client, "new-version", hint).json()
    # A copy while the first still waits is merged into it.
    assert post_canto(client, "new-version", hint).json()["status"] == "duplicate"
    assert inbox.process(first["id"]) == "created"
    row = Asset.objects.get(canto_id=asset["id"])
    audited = AuditEvent.objects.count()
    # Canto's hints carry no event id: after work started, the same hint is a new event (it
    # may mean a later change), and re-reading an unchanged asset changes nothing.
    replay = post_canto(client, "new-version", hint).json()
    assert replay["status"] == "accepted" and replay["id"] != first["id"]
    assert inbox.process(replay["id"]) == "unchanged"
    after = Asset.objects.get(canto_id=asset["id"])
    assert (after.content_hash, after.version_no) == (row.content_hash, row.version_no)
    assert Asset.objects.count() == 1 and AuditEvent.objects.count() == audited


# Oversized ---------------------------------------------------------------------------------------
def _canto_body(size: int) -> bytes:
    token = {"secure_token": settings.CANTO_WEBHOOK_TOKEN}
    body = json_bytes({**token, **CANTO_HINT, "displayname": ""})
    return json_bytes({**token, **CANTO_HINT, "displayname": "x" * (size - len(body))})


def _tg_body(size: int) -> bytes:
    body = json_bytes({**TG_EVENT, "padding": ""})
    return json_bytes({**TG_EVENT, "padding": "x" * (size - len(body))})


@pytest.mark.parametrize("source", ["canto", "tradinggrid"])
@pytest.mark.parametrize("length", ["truthful", "claims more", "claims less", "not a number"])
def test_a_body_just_over_the_limit_is_refused_kept_and_not_processed(client, source, length):
    limit = (
        settings.CANTO_WEBHOOK_MAX_BYTES
        if source == "canto"
        else settings.TRADINGGRID_WEBHOOK_MAX_BYTES
    )
    body = (_canto_body if source == "canto" else _tg_body)(limit + 1)
    assert len(body) == limit + 1
    declared = {
        "truthful": str(len(body)),
        "claims more": str(10 * limit),
        "claims less": str(limit - 100),
        "not a number": "many",
    }[length]
    before = rejected_count(source)
    if source == "canto":
        response = post_canto(client, "metadata", body, CONTENT_LENGTH=declared)
    else:
        response = post_tradinggrid(client, body, signature(body), CONTENT_LENGTH=declared)
    kept = assert_refusal_kept(response, source, before)
    if length in ("truthful", "claims more"):
        assert response.status_code == 413 and str(limit) in kept.error
        # The start of the body is kept to inspect; never Canto's Secure Token.
        if source == "canto":
            assert kept.body.startswith('{"secure_token": "[removed]", "scheme": "image"')
            assert settings.CANTO_WEBHOOK_TOKEN not in kept.body
        else:
            assert kept.body == body[:4096].decode()
    else:
        # Only as much as the sender declared is read: a cut body, refused as such.
        assert response.status_code in (400, 401, 403)
    assert _nothing_waiting()


@pytest.mark.parametrize("source", ["canto", "tradinggrid"])
def test_a_body_exactly_at_the_limit_is_accepted(client, source):
    if source == "canto":
        body = _canto_body(settings.CANTO_WEBHOOK_MAX_BYTES)
        response = post_canto(client, "metadata", body)
    else:
        body = _tg_body(settings.TRADINGGRID_WEBHOOK_MAX_BYTES)
        response = post_tradinggrid(client, body, signature(body))
    assert response.status_code == 202 and response.json()["status"] == "accepted"
