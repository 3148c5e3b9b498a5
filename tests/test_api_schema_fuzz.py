"""The REST API against its own OpenAPI schema, fuzzed by schemathesis, as every kind of caller.

The schema the portal serves at ``/api/schema/`` is loaded in-process through the WSGI
application, against the test database seeded with a row of every kind (some in a community the
callers are not granted). Every operation, unsafe ones included, is called with generated cases,
valid and invalid, half of them naming real objects in their path, by each caller: every role by
API token, a content manager by session cookie with the CSRF token the API asks of sessions, a
signed-in person without a role, and nobody. Each answer must not be a 5xx, must have a status
the operation documents, must match the documented body and headers, and every 4xx must carry a
message saying why.

Cases per operation and caller: ``SCHEMA_FUZZ_EXAMPLES`` (default 3, sized for CI); a deep run
sets it higher, e.g. ``SCHEMA_FUZZ_EXAMPLES=200 pytest tests/test_api_schema_fuzz.py``. CI runs
are derandomized so they repeat; deep runs draw new cases every time.

The tests after it pin what the fuzzing found: undocumented refusals, HTML 404s under /api/,
and 500s on a huge id, an offset PostgreSQL refuses and a NUL in a username.
"""

from __future__ import annotations

import os
from collections import Counter
from functools import cache as cache_result

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import UserFactory
from tests.kit_support import kit_of
from tests.onboarding_support import member
from tests.release_support import canto_asset
from tests.request_pages_support import partner_request
from tests.schema_fuzz_support import (
    Caller,
    by_session,
    by_token,
    choices_for,
    path_choices,
    refusal_says_why,
    seed,
)

pytestmark = pytest.mark.django_db
DEFAULT_EXAMPLES = 3
EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    refusal_says_why,
]
SAFE = {"GET", "HEAD", "OPTIONS"}
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
CALLERS = [
    "content manager",
    "content manager (session)",
    "compliance reviewer",
    "auditor",
    "portal admin",
    "no role",
    "nobody",
]

REFUSED = {"no role": {403, 404}, "nobody": {401, 404}}


@pytest.fixture
def callers(manager, reviewer, auditor, portal_admin) -> dict[str, Caller]:
    seed(manager, reviewer, auditor, portal_admin)
    nobody_in_particular = UserFactory(username="norole")
    return {
        "content manager": by_token("content manager", manager),
        "content manager (session)": by_session("content manager (session)", manager),
        "compliance reviewer": by_token("compliance reviewer", reviewer),
        "auditor": by_token("auditor", auditor),
        "portal admin": by_token("portal admin", portal_admin),
        "no role": by_token("no role", nobody_in_particular),
        "nobody": Caller("nobody"),
    }


def _cases(operation, choices: list[dict]):
    """Generated cases, valid and invalid; with real objects to name, half of them do."""
    drawn = [operation.as_strategy(generation_mode=mode) for mode in MODES]
    named = [
        operation.as_strategy(generation_mode=mode, path_parameters=parameters)
        for parameters in choices
        for mode in MODES
    ]
    return st.one_of(drawn) | st.one_of(named) if named else st.one_of(drawn)


def _exercise(operation, caller: Caller, choices: list[dict], statuses: Counter) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=EXAMPLES == DEFAULT_EXAMPLES,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation, choices))
    def call(case):
        # Throttling counts per client address; every caller here shares one.
        cache.clear()
        # A server error may leave the transaction unusable (PostgreSQL): undo it, so that one
        # failure is reported as itself and not as the failure of every later case.
        before = transaction.savepoint()
        response = case.call(headers=caller.headers, cookies=caller.cookies)
        if response.status_code >= 500:
            transaction.savepoint_rollback(before)
        else:
            transaction.savepoint_commit(before)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=caller.headers)

    call()


@cache_result
def _application():
    return get_wsgi_application()


@cache_result
def _schema():
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", _application())


def _operations() -> list:
    return [result.ok() for result in _schema().get_all_operations()]


@pytest.fixture
def app():
    """The WSGI application, keeping the test's database connection open between requests
    (as Django's test client does), so that every request sees the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield _application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.usefixtures("app")
def test_every_operation_answers_as_documented(callers, who):
    caller = callers[who]
    choices = path_choices()
    operations = _operations()
    if caller.cookies:
        # What a session changes with needs its CSRF token; its reads are the token's reads.
        operations = [op for op in operations if op.method.upper() not in SAFE]
    statuses: Counter = Counter()
    failures = []
    for operation in operations:
        try:
            _exercise(operation, caller, choices_for(operation.path, choices), statuses)
        except (Exception, BaseExceptionGroup) as failure:
            failures.append(f"--- {who}: {operation.label}\n{str(failure)[:3000]}")
    assert not failures, "\n".join(failures)
    print(f"{who}: {len(operations)} operations, {statuses.total()} cases, {dict(statuses)}")
    if who in REFUSED:
        # Without a role nothing is answered but refusals (404: an address no route matches).
        assert set(statuses) <= REFUSED[who], statuses
    else:
        assert sum(n for code, n in statuses.items() if code < 300) > 0, statuses


def test_the_schema_documents_the_refusals_of_every_operation(client):
    """401 and 403 everywhere, 404 wherever an object or page is named, 400 wherever input is
    read: a script can rely on the schema for every answer it may get."""
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path, methods in paths.items():
        for method, operation in methods.items():
            documented = set(operation["responses"])
            assert {"401", "403", "429"} <= documented, (method, path)
            if "{" in path:
                assert "404" in documented, (method, path)
            read = {p["in"] for p in operation.get("parameters", [])} - {"path"}
            if read or "requestBody" in operation:
                assert "400" in documented, (method, path)


def test_an_api_address_no_route_matches_answers_json_404(client, manager):
    client.force_login(manager)
    response = client.post("/api/v1/requests/1/status-links/latest/revoke/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "No such address in the API."
    page = client.get("/releases/no-such-page/")
    assert page.status_code == 404 and "text/html" in page["Content-Type"]


def test_a_community_id_beyond_any_row_lists_no_partner_of_a_kit(manager, reviewer, emea):
    kit = kit_of(manager, reviewer, [emea], [canto_asset("Launch deck.pdf")])
    member("par_acme", "Acme Pumps", emea)
    api = APIClient()
    api.force_authenticate(manager)
    url = f"/api/v1/kits/{kit.pk}/partners/"
    assert api.get(url, {"community": emea.pk}).json()["count"] == 1
    beyond = api.get(url, {"community": str(10**30)})
    assert beyond.status_code == 200 and beyond.json()["count"] == 0


def test_kit_deadlines_filter_by_any_offset_a_moment_can_have(manager, reviewer, emea):
    kit = kit_of(manager, reviewer, [emea], [canto_asset("Launch deck.pdf")])
    api = APIClient()
    api.force_authenticate(manager)
    far = api.get("/api/v1/kits/", {"deadline_before": "3385-02-07T01:07:08+23:08"})
    assert far.status_code == 200 and [k["id"] for k in far.json()["results"]] == [kit.pk]
    beyond = api.get("/api/v1/kits/", {"deadline_after": "9999-12-31T23:00:00-05:00"})
    assert beyond.status_code == 400 and beyond.json()["deadline_after"][0]


def test_a_username_with_a_null_character_is_refused_with_a_message(manager, emea):
    request = partner_request(emea, "Pump X200 brochure")
    api = APIClient()
    api.force_authenticate(manager)
    url = f"/api/v1/requests/{request.pk}/assign/"
    refused = api.post(url, {"owner": "max\x00"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"owner": ["Null characters are not allowed."]}
    assert api.post(url, {"owner": "max"}, format="json").status_code == 200
