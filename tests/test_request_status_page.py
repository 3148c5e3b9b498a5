"""The partner's status page: one request per link, expiry, withdrawal, the rate limit, the
partner's language, and no token in any log."""

import logging
import re
import secrets
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.test import Client

from audit.models import AuditEvent
from portal.logging import RedactStatusLinks
from portal.models import Partner, Publication, Release
from requests_app import links, services
from requests_app.models import PartnerRequest, StatusLink
from tests.factories import AssetFactory
from tests.release_support import community, grant

pytestmark = pytest.mark.django_db
HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
ACCEPTED = {"en": "Accepted", "de": "Angenommen", "fr": "Acceptée", "es": "Aceptada"}


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def emea(manager):
    place = community("tg-emea", "EMEA distributors", "EMEA")
    grant(place, manager)
    return place


def new_request(place, subject: str, *, locale: str = "en", partner=None) -> PartnerRequest:
    return PartnerRequest.objects.create(
        community=place,
        partner=partner,
        tg_id=f"req-{secrets.token_hex(4)}",
        kind=PartnerRequest.Kind.QUESTION,
        subject=subject,
        locale=locale,
        tg_status="new",
    )


def url(token: str) -> str:
    return f"/status/{token}/"


def test_each_link_shows_its_own_request_and_never_internal_comments(manager, emea):
    alpha = new_request(emea, "Alpha logo in SVG")
    bravo = new_request(emea, "Bravo safety sheet")
    services.triage(manager, alpha)
    services.comment(manager, alpha, "Alpha public note")
    services.comment(manager, alpha, "Alpha internal secret", internal=True)
    services.comment(manager, bravo, "Bravo public note")
    _, alpha_token = links.issue(manager, alpha)
    _, bravo_token = links.issue(manager, bravo)

    page = Client().get(url(alpha_token))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Alpha logo in SVG" in text and "Alpha public note" in text
    assert "We have accepted your request" in text  # the public state message
    assert "Alpha internal secret" not in text
    assert "Bravo" not in text and bravo.reference not in text

    text = Client().get(url(bravo_token)).content.decode()
    assert "Bravo safety sheet" in text and "Bravo public note" in text
    assert "Alpha" not in text


def test_the_page_shows_state_due_date_timeline_and_delivered_files(manager, emea):
    request = new_request(emea, "Product image")
    services.triage(manager, request, due_at=datetime(2031, 3, 14, 12, tzinfo=UTC))
    release = Release.objects.create(name="Delivery", state=Release.State.PUBLISHED)
    Publication.objects.create(
        release=release,
        asset=AssetFactory(name="Hero shot.jpg"),
        community=emea,
        version_no=1,
        title="Hero shot",
        external_ref="ref-1",
        tg_id="pub_777",
        state=Publication.State.LIVE,
    )
    PartnerRequest.objects.filter(pk=request.pk).update(delivery_release=release)
    _, token = links.issue(manager, request)

    text = Client().get(url(token)).content.decode()
    assert "Accepted" in text and "March 14, 2031" in text
    assert re.search(r"<strong>Received</strong>.*<strong>Accepted</strong>", text, re.S)
    assert re.search(r'<a href="http[^"]*pub_777[^"]*"[^>]*>Hero shot.jpg</a>', text)


def test_the_page_loads_nothing_from_elsewhere(manager, emea):
    _, token = links.issue(manager, new_request(emea, "Brochure"))
    text = Client().get(url(token)).content.decode()
    for target in re.findall(r'(?:src|href)="([^"]*)"', text):
        assert target.startswith(("/static/", "?lang=")), target


def test_an_expired_link_is_gone(manager, emea, clock):
    _, token = links.issue(manager, new_request(emea, "Brochure"), days=2)
    assert Client().get(url(token)).status_code == 200
    clock.advance(days=2, seconds=1)
    page = Client().get(url(token))
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()
    assert "Brochure" not in page.content.decode()


def test_a_revoked_link_is_gone_and_a_reissued_one_works(manager, emea):
    request = new_request(emea, "Brochure")
    first, first_token = links.issue(manager, request)
    _, second_token = links.issue(manager, request)
    links.revoke(manager, first)
    page = Client().get(url(first_token))
    assert page.status_code == 410 and "This link was withdrawn" in page.content.decode()
    assert Client().get(url(second_token)).status_code == 200

    _, third_token = links.issue(manager, request, revoke_others=True)
    assert Client().get(url(third_token)).status_code == 200
    assert Client().get(url(second_token)).status_code == 410
    assert Client().get(url(first_token)).status_code == 410


def test_an_unknown_link_is_not_found_without_saying_more(manager, emea):
    links.issue(manager, new_request(emea, "Brochure"))
    page = Client().get(url(secrets.token_urlsafe(32)))
    assert page.status_code == 404
    text = page.content.decode()
    assert "Link not found" in text and "Brochure" not in text and "expired" not in text


def test_the_rate_limit_counts_every_attempt_and_resets(manager, emea, settings, clock):
    settings.STATUS_LINK_RATE = "5/m"
    clock.advance(seconds=60 - datetime.now(UTC).second % 60)  # start of a clock minute
    _, token = links.issue(manager, new_request(emea, "Brochure"))
    client = Client()
    answers = [client.get(url(secrets.token_urlsafe(32))).status_code for _ in range(4)]
    assert answers == [404] * 4
    assert client.get(url(token)).status_code == 200
    refused = client.get(url(token))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many attempts" in refused.content.decode()
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.get(url(token)).status_code == 200  # counted per client address
    clock.advance(seconds=61)
    assert client.get(url(token)).status_code == 200


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_every_supported_language_renders(manager, emea, language):
    request = new_request(emea, "Brochure", locale=f"{language}-XX")
    services.triage(manager, request)
    _, token = links.issue(manager, request)
    page = Client().get(url(token))
    text = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == language
    assert f'<html lang="{language}">' in text
    assert ACCEPTED[language] in text
    for other, label in ACCEPTED.items():
        if other != language:
            assert f'<span class="badge">{label}</span>' not in text
    chosen = Client().get(url(token), {"lang": "de" if language != "de" else "fr"})
    assert ACCEPTED["de" if language != "de" else "fr"] in chosen.content.decode()


def test_refusals_speak_the_partners_language(manager, emea, clock):
    _, token = links.issue(manager, new_request(emea, "Brochure", locale="de"), days=1)
    clock.advance(days=2)
    assert "Dieser Link ist abgelaufen" in Client().get(url(token)).content.decode()
    unknown = url(secrets.token_urlsafe(32))
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert "Enlace no encontrado" in spanish.get(unknown).content.decode()
    assert "Lien introuvable" in Client().get(unknown, {"lang": "fr"}).content.decode()


def test_views_are_counted_and_audited_as_the_partner(manager, emea, clock):
    partner = Partner.objects.create(tg_id="ptn-1", company_name="Nordic Parts AB")
    link, token = links.issue(manager, new_request(emea, "Brochure", partner=partner))
    client = Client()
    for _ in range(3):
        assert client.get(url(token)).status_code == 200
    client.head(url(token))
    viewed = AuditEvent.objects.filter(action="request.status_viewed")
    assert [(e.actor_type, e.actor_name) for e in viewed] == [("partner", "Nordic Parts AB")]
    link.refresh_from_db()
    assert link.views == 3

    clock.advance(minutes=11)
    client.get(url(token))
    assert viewed.all().count() == 2 and StatusLink.objects.get(pk=link.pk).views == 4


def test_every_answer_carries_the_privacy_headers_and_no_cookie(manager, emea, settings):
    link, token = links.issue(manager, new_request(emea, "Brochure"))
    _, revoked = links.issue(manager, link.request)
    links.revoke(manager, StatusLink.objects.get(token_hash=links.digest(revoked)))
    settings.STATUS_LINK_RATE = "4/m"
    client = Client()
    answers = [
        client.get(url(token)),
        client.get(url(secrets.token_urlsafe(32))),
        client.get(url(revoked)),
        client.post(url(token)),
        client.get(url(token)),
        client.get(url(token)),
    ]
    assert [a.status_code for a in answers] == [200, 404, 410, 405, 200, 429]
    for answer in answers:
        for header, value in HEADERS.items():
            assert answer[header] == value
        assert not answer.cookies


def test_only_get_and_head_are_answered(manager, emea):
    _, token = links.issue(manager, new_request(emea, "Brochure"))
    client = Client()
    head = client.head(url(token))
    assert head.status_code == 200 and head.content == b""
    for method in (client.post, client.put, client.delete):
        answer = method(url(token))
        assert answer.status_code == 405 and answer["Allow"] == "GET, HEAD"


def test_no_token_reaches_a_log(manager, emea, settings, caplog):
    caplog.set_level(logging.DEBUG)
    link, token = links.issue(manager, new_request(emea, "Brochure"))
    _, revoked = links.issue(manager, link.request)
    links.revoke(manager, StatusLink.objects.get(token_hash=links.digest(revoked)))
    unknown = secrets.token_urlsafe(32)
    settings.STATUS_LINK_RATE = "4/m"
    client = Client()
    client.get(url(token))
    client.get(url(unknown))
    client.get(url(revoked))
    client.post(url(token))
    client.get(url(token))
    client.get(url(token))  # 429
    messages = [record.getMessage() for record in caplog.records]
    for logged in ("Not Found", "Gone", "Method Not Allowed", "Too Many Requests"):
        assert f"{logged}: /status/[redacted]/" in messages
    for secret in (token, unknown, revoked):
        assert not [m for m in messages if secret in m]


def test_the_redacting_filter_cleans_messages_and_arguments():
    token = secrets.token_urlsafe(32)
    line = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /status/{token}/?lang=de HTTP/1.1", "200", "1234"),
        None,
    )
    access = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        "%(r)s %(s)s",
        {"r": f"GET /status/{token}/ HTTP/1.1", "s": "200"},
        None,
    )
    plain = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, f"https://portal.example/status/{token}", None, None
    )
    for record in (line, access, plain):
        assert RedactStatusLinks().filter(record) is True
        assert token not in record.getMessage() and "/status/[redacted]" in record.getMessage()
    assert line.getMessage() == '"GET /status/[redacted]/?lang=de HTTP/1.1" 200 1234'


def test_the_filter_is_on_every_handler_and_on_the_loggers_of_request_paths(settings):
    for handler in settings.LOGGING["handlers"].values():
        assert "redact_status_links" in handler["filters"]
    for name in ("django.request", "django.server", "gunicorn.access", "gunicorn.error"):
        filters = logging.getLogger(name).filters
        assert any(isinstance(f, RedactStatusLinks) for f in filters), name
