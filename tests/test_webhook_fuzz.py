"""Both webhook receivers under generated input: plausible events with odd values, arbitrary
JSON and arbitrary bytes, signed and unsigned. Never a server error; every refusal answers
with a message and is kept; an accepted event is stored once; processing it ends in a final
state (processed, or failed with the reason), never half-way and never with a crash."""

from __future__ import annotations

import contextlib
import json

import pytest
from django.conf import settings
from hypothesis import example, given
from hypothesis import strategies as st

from integrations import inbox
from integrations.canto.webhooks import ASSET_EVENTS, EVENTS
from integrations.http import ApiError
from integrations.models import InboxEvent
from integrations.tradinggrid.webhooks import EVENT_TYPES
from tests.fuzz_support import (
    CANTO_HINT,
    FUZZ,
    FUZZ_NETWORK,
    TG_EVENT,
    arbitrary_bodies,
    assert_refusal_kept,
    json_bytes,
    junk,
    mutated,
    odd_text,
    post_canto,
    post_tradinggrid,
    rejected_count,
    signature,
    with_token,
)

pytestmark = pytest.mark.django_db
SCHEMES = st.sampled_from(["image", "VIDEO", "document", "hologram", ""])
canto_hints = mutated(
    CANTO_HINT, {"scheme": st.one_of(SCHEMES, junk), "id": st.one_of(odd_text, junk)}
)
tg_events = mutated(
    TG_EVENT,
    {
        "id": st.one_of(odd_text, junk),
        "type": st.one_of(st.sampled_from(sorted(EVENT_TYPES)), junk),
        "data": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "request": st.one_of(junk, st.fixed_dictionaries({"id": odd_text})),
                    "partner": st.one_of(junk, st.fixed_dictionaries({"id": odd_text})),
                    "publication": st.one_of(junk, st.fixed_dictionaries({"id": odd_text})),
                    "comment": junk,
                },
            ),
            junk,
        ),
    },
)


def _pending(source: str) -> int:
    return InboxEvent.objects.filter(source=source).exclude(status="rejected").count()


def _assert_stored_once(response, source: str) -> InboxEvent:
    assert response.status_code == 202
    answer = response.json()
    assert answer["status"] in {"accepted", "duplicate"}
    stored = InboxEvent.objects.get(pk=answer["id"])
    assert stored.status == "pending"
    same = InboxEvent.objects.filter(fingerprint=stored.fingerprint).exclude(status="rejected")
    assert same.count() == 1
    return stored


@FUZZ
@given(
    event=st.sampled_from(sorted(EVENTS)),
    body=st.one_of(
        canto_hints.map(with_token),
        st.tuples(canto_hints, st.one_of(odd_text, junk)).map(lambda p: with_token(*p)),
        canto_hints,
    ),
)
@example(event="metadata", body={"secure_token": settings.CANTO_WEBHOOK_TOKEN, "id": "a\x00b"})
def test_canto_receiver_keeps_every_refusal_and_stores_an_accepted_hint_once(client, event, body):
    before, pending = rejected_count("canto"), _pending("canto")
    response = post_canto(client, event, json_bytes(body))
    assert response.status_code < 500
    without_token = {k: v for k, v in body.items() if k != "secure_token"}
    if response.status_code == 202:
        stored = _assert_stored_once(response, "canto")
        assert json.loads(stored.body) == without_token
        again = post_canto(client, event, json_bytes(body))
        assert again.json() == {"status": "duplicate", "id": stored.pk}
        return
    kept = assert_refusal_kept(response, "canto", before)
    assert json.loads(kept.body) == without_token
    assert (kept.event_type, _pending("canto")) == (event, pending)


@FUZZ
@given(event=st.sampled_from(sorted(EVENTS)), raw=arbitrary_bodies)
def test_canto_receiver_refuses_arbitrary_bytes_with_a_message(client, event, raw):
    before, pending = rejected_count("canto"), _pending("canto")
    response = post_canto(client, event, raw)
    assert response.status_code in {400, 403}
    kept = assert_refusal_kept(response, "canto", before)
    if response.status_code == 400 and "not JSON" in kept.error:
        assert kept.body == raw.decode("utf-8", errors="replace").replace("\x00", "")[:4096]
    assert _pending("canto") == pending


signings = st.sampled_from(["good", "none", "wrong secret", "garbage"])


@FUZZ
@given(
    body=st.one_of(tg_events.map(json_bytes), arbitrary_bodies),
    signing=signings,
    garbage=st.text(max_size=80),
    event_header=st.one_of(st.sampled_from(sorted(EVENT_TYPES)), st.text(max_size=80)),
)
@example(body=json.dumps(TG_EVENT).encode("utf-16"), signing="good", garbage="", event_header="x")
@example(
    body=json_bytes({**TG_EVENT, "id": "evt_nul_header"}),
    signing="good",
    garbage="",
    event_header="request.created\x00",
)
@example(
    body=json_bytes({**TG_EVENT, "type": ["request.created"]}),
    signing="good",
    garbage="",
    event_header="request.created\x00",
)
def test_tradinggrid_receiver_refuses_with_a_reason_and_stores_an_event_once(
    client, body, signing, garbage, event_header
):
    sig = {
        "good": signature(body),
        "none": "",
        "wrong secret": signature(body, secret="not-the-secret"),
        "garbage": garbage,
    }[signing]
    before, pending = rejected_count("tradinggrid"), _pending("tradinggrid")
    response = post_tradinggrid(client, body, sig, event_type=event_header)
    assert response.status_code < 500
    if response.status_code == 202:
        assert signing == "good"
        stored = _assert_stored_once(response, "tradinggrid")
        if response.json()["status"] == "accepted":
            assert stored.body == body.decode()
            assert stored.event_type == json.loads(body)["type"]
        replay = post_tradinggrid(client, body, sig, event_type=event_header)
        assert replay.json() == {"status": "duplicate", "id": stored.pk}
        return
    expected_status = 400 if signing == "good" else 401
    assert response.status_code == expected_status
    kept = assert_refusal_kept(response, "tradinggrid", before)
    assert kept.body == body[:4096].decode("utf-8", errors="replace").replace("\x00", "")
    assert kept.headers["HTTP_X_AC_DELIVERY"] == "dlv_fuzz"
    assert _pending("tradinggrid") == pending


def _process(event: InboxEvent) -> None:
    """Run the inbox's processing as the worker task does; a refusal of the handler is a
    known error type, never a crash."""
    with contextlib.suppress(ValueError, ApiError):
        inbox.process(event.pk)


def _assert_final(event: InboxEvent) -> None:
    event.refresh_from_db()
    assert event.status in {"processed", "failed"}
    assert event.attempts == 1 and event.claimed_at is not None
    if event.status == "failed":
        assert event.error
    else:
        assert event.processed_at is not None and event.error == ""
    # A second delivery of the same task finds the work done (failed work is the sweep's).
    if event.status == "processed":
        assert inbox.process(event.pk) == "already processed or in progress"
        event.refresh_from_db()
        assert event.attempts == 1


@pytest.fixture
def canto_ids(canto):
    from integrations.canto.client import CantoClient

    return [(a["scheme"], a["id"]) for a in CantoClient.from_settings().search(limit=5).results]


@FUZZ_NETWORK
@given(
    event=st.sampled_from(sorted(EVENTS)),
    pick=st.integers(0, 4),
    real=st.booleans(),
    odd_id=st.text(min_size=1, max_size=64),
    extra=st.dictionaries(st.text(max_size=8), junk, max_size=3),
)
@example(event="metadata", pick=0, real=False, odd_id="a\x00b", extra={})
@example(event="delete", pick=0, real=False, odd_id="../../tree", extra={})
def test_accepted_canto_hints_are_processed_to_a_final_state(
    client, canto_ids, event, pick, real, odd_id, extra
):
    scheme, asset_id = canto_ids[pick] if real else ("image", odd_id)
    hint = with_token({**extra, "scheme": scheme, "id": asset_id})
    response = post_canto(client, event, json_bytes(hint))
    assert response.status_code < 500
    if response.status_code != 202:
        assert event in ASSET_EVENTS
        return
    stored = InboxEvent.objects.get(pk=response.json()["id"])
    _process(stored)
    _assert_final(stored)


@FUZZ_NETWORK
@given(event=tg_events.filter(lambda e: isinstance(e.get("data"), dict)))
@example(
    event={
        **TG_EVENT,
        "id": "evt_nul",
        "type": "publication.viewed",
        "data": {"publication": {"id": "p\x00"}},
    }
)
@example(
    event={
        **TG_EVENT,
        "id": "evt_path",
        "type": "partner.updated",
        "data": {"partner": {"id": "../x"}},
    }
)
def test_accepted_tradinggrid_events_are_processed_to_a_final_state(
    client, canto, tradinggrid, event
):
    body = json_bytes(event)
    response = post_tradinggrid(client, body, signature(body))
    assert response.status_code < 500
    if response.status_code != 202 or response.json()["status"] == "duplicate":
        return
    stored = InboxEvent.objects.get(pk=response.json()["id"])
    _process(stored)
    _assert_final(stored)
