"""Every state-changing form of the portal, found by walking the URL resolver, refuses a post
without a CSRF token, and survives malformed and oversized posts: a 4xx or the form again, never
a server error, and nothing written unless the post succeeded."""

from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import UserFactory
from tests.hostile_support import changed, counts, endpoints, snapshot, walk

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
CSRF_REFUSAL = "The form has expired or was not sent from this site"

# The only views that skip the CSRF check, and why they may.
CSRF_EXEMPT = {
    "canto-webhook": "Canto calls it without a session; the receiver checks the shared token.",
    "tradinggrid-webhook": "Trading Grid calls it without a session; the receiver checks the "
    "event's HMAC signature.",
    "request_status": "The partner's status page has no session or cookie and answers only GET "
    "and HEAD (405 otherwise).",
}


@pytest.fixture(scope="module")
def arena(django_db_setup, django_db_blocker):
    """A superuser, the world and the endpoints found, built once for the module inside a
    transaction that each test nests in and that is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        root = UserFactory(username="root", is_superuser=True, is_staff=True)
        found = endpoints(root)
        yield root, [endpoint for endpoint in found if not endpoint.csrf_exempt]
        transaction.set_rollback(True)


@pytest.fixture
def root(arena):
    return arena[0]


@pytest.fixture
def found(arena):
    return arena[1]


def text(answer) -> str:
    if answer.streaming:
        return b"".join(answer.streaming_content).decode(errors="replace")
    return answer.content.decode(errors="replace")


def is_download(answer) -> bool:
    return answer.status_code == 200 and "attachment" in answer.get("Content-Disposition", "")


@contextmanager
def rolled_back():
    """Each hostile post starts from the same world: whatever it wrote is undone afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def signed_in(user, token: str | None = None) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    if token:
        client.cookies[settings.CSRF_COOKIE_NAME] = token
    return client


def send(client, method: str, url: str, body, *, token: str | None = None, **extra):
    headers = {"HTTP_X_CSRFTOKEN": token} if token else {}
    content_type = extra.pop("content_type", FORM)
    return client.generic(method, url, body, content_type=content_type, **headers, **extra)


def plausible(endpoint) -> str:
    return urlencode({name: "1" for name in sorted(endpoint.fields) or ["name"]})


def test_only_the_listed_views_skip_the_csrf_check():
    exempt = {
        name
        for route, name, callback in walk()
        if not route.startswith("api/") and getattr(callback, "csrf_exempt", False)
    }
    assert exempt == set(CSRF_EXEMPT)


def test_the_walk_finds_the_portals_forms(found):
    names = {endpoint.name for endpoint in found}
    for expected in ("releases:create", "requests:act", "requests:revoke-link", "audit:verify"):
        assert expected in names
    assert {"POST"} == next(e.methods for e in found if e.name == "releases:submit")
    assert next(e for e in found if e.name == "releases:create").fields >= {"name"}
    assert len(found) > 100
    # No form takes files today; one that does needs an oversized-upload case of its own.
    assert [str(e) for e in found if e.files] == []


def test_every_form_refuses_a_post_without_a_csrf_token(root, found):
    """As a forged cross-site post arrives: the person's session and CSRF cookie, no token."""
    token = _get_new_csrf_string()
    client = signed_in(root, token)
    before = snapshot()
    for endpoint in found:
        for method in sorted(endpoint.methods):
            refused = send(client, method, endpoint.url, plausible(endpoint))
            assert refused.status_code == 403, (method, str(endpoint))
            assert CSRF_REFUSAL in text(refused), (method, str(endpoint))
    assert changed(before, snapshot()) == []


def test_with_the_token_the_same_posts_pass_the_check(root, found):
    """The same posts with a valid token are not refused as forged: the check is what refused
    them. Only the admin may still answer 403, for models it keeps read-only."""
    token = _get_new_csrf_string()
    client = signed_in(root, token)
    for endpoint in found:
        method = "POST" if "POST" in endpoint.methods else sorted(endpoint.methods)[0]
        with rolled_back():
            answer = send(client, method, endpoint.url, plausible(endpoint), token=token)
            assert answer.status_code < 500, (str(endpoint), answer.status_code)
            assert CSRF_REFUSAL not in text(answer), str(endpoint)
            assert answer.status_code != 403 or endpoint.route.startswith("admin/"), str(endpoint)
        if "_auth_user_id" not in client.session:  # the sign-out forms did sign out
            client.force_login(root)


def test_bodies_over_the_upload_limits_get_the_portals_400_page(root, found):
    """Each endpoint gets one of the three bodies Django refuses before any view runs."""
    too_big = b"name=" + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    too_many = urlencode(
        [(f"f{i}", "1") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]
    )
    boundary = "hostileboundary"
    part = (
        '--{b}\r\nContent-Disposition: form-data; name="file{i}"; filename="{i}.txt"\r\n'
        "Content-Type: text/plain\r\n\r\na\r\n"
    )
    parts = (part.format(b=boundary, i=i) for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1))
    many_files = ("".join(parts) + f"--{boundary}--\r\n").encode()
    bodies = [
        (too_big, FORM),
        (too_many.encode(), FORM),
        (many_files, f"multipart/form-data; boundary={boundary}"),
    ]
    token = _get_new_csrf_string()
    client = signed_in(root, token)
    before = snapshot()
    for number, endpoint in enumerate(found):
        body, content_type = bodies[number % len(bodies)]
        answer = send(client, "POST", endpoint.url, body, token=token, content_type=content_type)
        assert answer.status_code == 400, (str(endpoint), content_type, answer.status_code)
        assert "The request could not be read" in text(answer), str(endpoint)
    assert changed(before, snapshot()) == []


WRONG = [
    "not a number",
    "-1",
    "9" * 40,
    "2026-13-45",
    "nul\x00byte",
    "<script>alert(1)</script>",
    "",
]


def _survives(client, endpoint, body, token) -> None:
    """A 4xx, the form again, or success (a redirect, or a download, which exports audit);
    never 5xx, and nothing written unless it succeeded."""
    with rolled_back():
        before = counts()
        answer = send(client, "POST", endpoint.url, body, token=token)
        assert answer.status_code < 500, (str(endpoint), answer.status_code)
        if not (300 <= answer.status_code < 400 or is_download(answer)):
            assert changed(before, counts()) == [], (str(endpoint), answer.status_code)


def test_huge_and_wrongly_typed_values_never_break_a_form(root, found):
    token = _get_new_csrf_string()
    client = signed_in(root, token)
    for endpoint in found:
        names = sorted(endpoint.fields) or ["name"]
        huge = "x" * min(1_000_000, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (len(names) + 1))
        _survives(client, endpoint, urlencode({name: huge for name in names}), token)
        if not endpoint.fields:
            continue
        for turn in range(0, len(WRONG), 2):
            wrong = {n: WRONG[(i + turn) % len(WRONG)] for i, n in enumerate(names)}
            _survives(client, endpoint, urlencode(wrong), token)
        repeated = urlencode([(name, value) for name in names for value in ("1", "2", "")])
        _survives(client, endpoint, repeated, token)


junk = st.dictionaries(
    st.text(min_size=1, max_size=20),
    st.one_of(st.text(max_size=200), st.lists(st.text(max_size=30), max_size=3)),
    max_size=8,
)


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_junk_fields_never_break_a_form(root, found, data):
    endpoint = data.draw(st.sampled_from(found))
    fields = data.draw(junk)
    if endpoint.fields:
        known = data.draw(st.dictionaries(st.sampled_from(sorted(endpoint.fields)), st.text()))
        fields = {**fields, **known}
    token = _get_new_csrf_string()
    _survives(signed_in(root, token), endpoint, urlencode(fields, doseq=True), token)
