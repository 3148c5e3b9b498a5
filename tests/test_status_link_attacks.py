"""Attacks on the partner's status links: guessing, tampering with a real token, forging one the
way signed links are made, and brute force against the rate limit. No attempt is accepted, a
token only ever opens its own request, and every refused attempt counts against the limit."""

import base64
import hashlib
import hmac
import random
import secrets
import string
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from audit.models import AuditEvent
from requests_app import links
from requests_app.models import StatusLink
from tests.release_support import community, grant
from tests.request_pages_support import partner_request

pytestmark = pytest.mark.django_db
ALPHABET = string.ascii_letters + string.digits + "-_"


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def two(manager):
    """Two requests of one community, each with a working link: (request, link, token)."""
    place = community("tg-emea", "EMEA distributors", "EMEA")
    grant(place, manager)
    made = []
    for subject in ("Alpha logo in SVG", "Bravo safety sheet"):
        request = partner_request(place, subject)
        link, token = links.issue(manager, request)
        made.append((request, link, token))
    return made


def url(token: str) -> str:
    return f"/status/{quote(token, safe='')}/"


def unlimited(settings) -> Client:
    settings.STATUS_LINK_RATE = "1000000/m"
    return Client()


def accepted(tokens) -> list[str]:
    return [token for token in tokens if links.resolve(token)[1] != "unknown"]


def random_tokens(count: int, rng: random.Random) -> list[str]:
    """Mostly the real shape (43 URL-safe characters), some other lengths and alphabets."""
    tokens = []
    for number in range(count):
        if number % 10:
            tokens.append("".join(rng.choices(ALPHABET, k=43)))
        else:
            size = rng.randint(1, 120)
            tokens.append("".join(chr(rng.randint(33, 0x2FFF)) for _ in range(size)))
    return tokens


def tampered(token: str) -> list[str]:
    """Every one-character change, truncation and extension of a real token."""
    variants = set()
    for position, char in enumerate(token):
        for other in ("A", "z", "0", "-", "_"):
            if other != char:
                variants.add(token[:position] + other + token[position + 1 :])
    variants |= {token[:cut] for cut in range(len(token))}
    variants |= {token[cut:] for cut in range(1, len(token))}
    variants |= {token + extra for extra in ("A", "=", "==", "0", "-", "/", token)}
    variants |= {token.swapcase(), token.upper(), token.lower(), " " + token, token + " "}
    variants.discard(token)
    return sorted(variants)


def test_a_hundred_thousand_random_tokens_are_all_refused(two, settings):
    """All 100,000 are checked the way ``links.resolve`` recognises a token (its SHA-256
    looked up among the stored hashes) in batches; thousands go through ``resolve`` itself and
    a few hundred through the page."""
    guesses = random_tokens(100_000, random.Random(13))
    hits = []
    for start in range(0, len(guesses), 900):
        digests = [links.digest(token) for token in guesses[start : start + 900]]
        hits += StatusLink.objects.filter(token_hash__in=digests).values_list("pk", flat=True)
    assert hits == []
    assert accepted(guesses[::40]) == []

    client = unlimited(settings)
    answers = {client.get(url(token)).status_code for token in guesses[::250]}
    assert answers == {404}
    assert not AuditEvent.objects.filter(action="request.status_viewed").exists()
    assert set(StatusLink.objects.values_list("views", flat=True)) == {0}


def test_a_token_never_opens_another_request(two, settings):
    (alpha, _, alpha_token), (bravo, bravo_link, bravo_token) = two
    assert links.resolve(alpha_token)[0].request == alpha
    assert links.resolve(bravo_token)[0].request == bravo
    client = unlimited(settings)
    assert "Alpha logo in SVG" in client.get(url(alpha_token)).content.decode()

    # The token carries no request id to change: ids, references and the other link's hint
    # joined to a real token, in every arrangement, open nothing.
    handles = [str(bravo.pk), bravo.reference, bravo_link.hint, str(bravo_link.pk)]
    joined = [
        shape.format(token=alpha_token, handle=handle)
        for handle in handles
        for shape in ("{handle}{token}", "{token}{handle}", "{handle}:{token}", "{token}.{handle}")
    ]
    spliced = [bravo_link.hint + alpha_token[6:], alpha_token[:6] + bravo_token[6:]]
    attempts = tampered(alpha_token) + joined + spliced
    assert accepted(attempts) == []
    for attempt in attempts[::5]:
        page = client.get(url(attempt))
        assert page.status_code == 404, attempt
        assert "Bravo" not in page.content.decode() and "Alpha" not in page.content.decode()


def test_tokens_forged_the_way_signed_links_are_made_are_refused(two, settings):
    """Signed ids, with the portal's secret or any other, and the stored hash itself."""
    (request, link, _), _ = two
    other_secret = secrets.token_urlsafe(50)
    forged = []
    for key in (settings.SECRET_KEY, other_secret):
        for value in (request.pk, str(request.pk), request.reference, link.pk):
            forged.append(signing.dumps(value, key=key))
            forged.append(signing.Signer(key=key).sign(str(value)))
            forged.append(signing.TimestampSigner(key=key).sign(str(value)))
            mac = hmac.new(key.encode(), str(value).encode(), hashlib.sha256)
            forged.append(mac.hexdigest())
            forged.append(base64.urlsafe_b64encode(mac.digest()).decode().rstrip("="))
    forged += [link.token_hash, link.token_hash.upper(), links.digest(link.token_hash), link.hint]
    assert accepted(forged) == []
    client = unlimited(settings)
    assert {client.get(url(attempt)).status_code for attempt in forged} == {404}


def test_expired_and_revoked_tokens_stay_refused_however_they_are_changed(
    two, manager, settings, clock
):
    (_, expiring, expiring_token), (_, revoked, revoked_token) = two
    links.revoke(manager, revoked)
    clock.advance(seconds=(expiring.expires_at - datetime.now(UTC)).total_seconds())
    assert links.resolve(expiring_token)[1] == "expired"  # as soon as its time is up
    assert links.resolve(revoked_token)[1] == "revoked"
    variants = tampered(expiring_token) + tampered(revoked_token)
    assert accepted(variants) == []
    client = unlimited(settings)
    assert client.get(url(expiring_token)).status_code == 410
    assert client.get(url(revoked_token)).status_code == 410
    assert not AuditEvent.objects.filter(action="request.status_viewed").exists()


def test_every_refused_attempt_counts_and_a_valid_token_waits_too(two, manager, settings, clock):
    """At the configured rate, unknown, expired, revoked and HEAD attempts all use up the
    client's budget; past it even the right token is refused, so guessing cannot go on."""
    clock.advance(seconds=60 - datetime.now(UTC).second % 60)  # start of a clock minute
    limit = int(settings.STATUS_LINK_RATE.split("/")[0])
    (_, _, good), (_, revoked, revoked_token) = two
    links.revoke(manager, revoked)
    client = Client()
    tries = [
        lambda: client.get(url(secrets.token_urlsafe(32))),
        lambda: client.get(url(revoked_token)),
        lambda: client.head(url(secrets.token_urlsafe(32))),
        lambda: client.get(url("x" * 200)),
    ]
    answers = [tries[n % len(tries)]().status_code for n in range(limit)]
    assert set(answers) == {404, 410}
    for attempt in (good, secrets.token_urlsafe(32), revoked_token):
        refused = client.get(url(attempt))
        assert refused.status_code == 429 and "Alpha" not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="request.status_viewed").exists()


def test_a_forwarded_address_from_an_untrusted_client_buys_no_new_attempts(two, settings, clock):
    clock.advance(seconds=60 - datetime.now(UTC).second % 60)  # start of a clock minute
    settings.STATUS_LINK_RATE = "5/m"
    settings.TRUSTED_PROXIES = []
    answers = [
        Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").get(url(secrets.token_urlsafe(32)))
        for n in range(8)
    ]
    assert [a.status_code for a in answers] == [404] * 5 + [429] * 3
    assert Client(REMOTE_ADDR="203.0.113.7").get(url(two[0][2])).status_code == 200
