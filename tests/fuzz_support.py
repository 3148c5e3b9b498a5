"""Hypothesis strategies and helpers shared by the webhook and parser fuzz tests.

Values are drawn from what a careless or hostile sender could put in JSON: huge and negative
numbers, unicode (digits of other scripts, NUL, right-to-left marks), nulls, wrong types,
nested junk, missing and extra fields.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from integrations.models import InboxEvent

# Modest example counts: each file stays well under a minute.
FUZZ = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ_NETWORK = hypothesis_settings(FUZZ, max_examples=20)

odd_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=20),
    st.sampled_from(["", " ", "\x00", "\u202e", "null", "../../etc", "%00", "'; --", "💥" * 10]),
)
odd_numbers = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63), 10**40]),
    st.floats(allow_nan=False, allow_infinity=False),
)
scalars = st.one_of(st.none(), st.booleans(), odd_numbers, odd_text)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def mutated(
    base: dict, replacements: dict[str, st.SearchStrategy] | None = None
) -> st.SearchStrategy:
    """``base`` with each field kept, dropped or replaced (by junk or a field-specific
    strategy), plus a few extra fields."""
    replacements = replacements or {}

    @st.composite
    def build(draw):
        result = {}
        for key, value in base.items():
            choice = draw(st.sampled_from(["keep", "keep", "drop", "junk"]))
            if choice == "keep":
                result[key] = value
            elif choice == "junk":
                result[key] = draw(replacements.get(key, junk))
        result.update(draw(st.dictionaries(st.text(max_size=12), junk, max_size=3)))
        return result

    return build()


def json_bytes(value) -> bytes:
    return json.dumps(value).encode()


arbitrary_bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(str.encode),
    junk.map(json_bytes),
)


# Canto -------------------------------------------------------------------------------------------
CANTO_URL = "/webhooks/canto/{}/"
CANTO_HINT = {
    "scheme": "image",
    "id": "vjbnb7df8t6b3al3sumpo66s0n",
    "album": "PP4QV",
    "displayname": "IMG_0599.jpeg",
}


def post_canto(client, event: str, body: bytes, **extra):
    return client.post(CANTO_URL.format(event), data=body, content_type="application/json", **extra)


_REAL = object()


def with_token(body: dict, token=_REAL) -> dict:
    """The body with a ``secure_token``: the configured one unless another value is given."""
    return {**body, "secure_token": settings.CANTO_WEBHOOK_TOKEN if token is _REAL else token}


# Trading Grid ------------------------------------------------------------------------------------
TG_URL = "/webhooks/tradinggrid/"
TG_EVENT = {
    "id": "evt_01HXA",
    "type": "request.created",
    "time": "2025-03-04T16:00:01Z",
    "tenant_id": "tenant",
    "community_id": "com_01",
    "data": {"request": {"id": "req_8801", "partner_id": "par_7Q2", "status": "new"}},
}


def signature(body: bytes, *, at: float | None = None, secret: str | None = None) -> str:
    stamp = int(time.time() if at is None else at)
    key = (secret or settings.TRADINGGRID_WEBHOOK_SECRET).encode()
    digest = hmac.new(key, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def post_tradinggrid(client, body: bytes, sig: str, event_type: str = "request.created", **extra):
    return client.post(
        TG_URL,
        data=body,
        content_type="application/json",
        HTTP_X_AC_EVENT=event_type,
        HTTP_X_AC_DELIVERY="dlv_fuzz",
        HTTP_X_AC_SIGNATURE=sig,
        **extra,
    )


# Properties shared by both receivers -------------------------------------------------------------
def rejected_count(source: str) -> int:
    return InboxEvent.objects.filter(source=source, status=InboxEvent.Status.REJECTED).count()


def assert_refusal_kept(response, source: str, before: int, body: str | None = None) -> InboxEvent:
    """A 4xx answer names its reason, and the refused delivery is kept with that reason."""
    assert 400 <= response.status_code < 500, response.content[:300]
    message = response.json()["error"]
    assert message
    assert rejected_count(source) == before + 1
    kept = InboxEvent.objects.filter(source=source, status=InboxEvent.Status.REJECTED).first()
    assert kept.error == message
    if body is not None:
        assert kept.body == body[:4096]
    return kept
