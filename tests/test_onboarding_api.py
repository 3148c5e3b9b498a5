"""``/api/v1/onboarding-programs/``, ``/api/v1/enrollments/`` and ``/api/v1/follow-ups/``: the
same operations and filters as the pages, narrowed to the caller's communities, refusals as
4xx with a message, list costs flat as rows grow, and an OpenAPI schema without warnings."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.models import AuditEvent
from portal import roles
from portal.models import Enrollment, FollowUp, OnboardingProgram
from portal.onboarding import follow_ups
from tests.factories import UserFactory
from tests.onboarding_support import approved, enrolled, events, member, program_of
from tests.release_support import canto_asset
from tests.request_pages_support import partner_request

pytestmark = pytest.mark.django_db
PROGRAMS, ENROLLMENTS, FOLLOW_UPS = (
    "/api/v1/onboarding-programs/",
    "/api/v1/enrollments/",
    "/api/v1/follow-ups/",
)
DECK, GUIDE = "Partner training deck.pdf", "Brand guidelines.pdf"


def as_user(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def program(manager, reviewer, emea):
    materials = [canto_asset(DECK), canto_asset(GUIDE), (canto_asset("Overview.pdf"), False)]
    return approved(manager, reviewer, program_of(manager, emea, materials))


@pytest.fixture
def stranger(db):
    return UserFactory(username="stan", role=roles.CONTENT_MANAGER)


def test_a_script_creates_a_program_and_sets_its_materials(manager, emea, apac):
    api = as_user(manager)
    deck, guide = canto_asset(DECK), canto_asset(GUIDE)
    created = api.post(
        PROGRAMS,
        {"name": "Welcome", "community": emea.pk, "target_days": 14, "instructions": "Read"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert created["Location"].endswith(f"{PROGRAMS}{body['id']}/")
    assert (body["name"], body["target_days"], body["release"]["state"]) == (
        "Welcome",
        14,
        "draft",
    )
    url = f"{PROGRAMS}{body['id']}/materials/"
    wanted = [{"asset": guide.pk}, {"asset": deck.pk, "needs_acknowledgement": False}]
    set_ = api.put(url, {"materials": wanted}, format="json")
    assert set_.status_code == 200, set_.content
    assert [(m["name"], m["needs_acknowledgement"]) for m in set_.json()["materials"]] == [
        (GUIDE, True),
        (DECK, False),
    ]
    program = OnboardingProgram.objects.get()
    assert events(program) == ["onboarding.program_created", "onboarding.materials_changed"]
    changed = api.patch(f"{PROGRAMS}{program.pk}/", {"active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["active"] is False


def test_bad_input_gets_a_4xx_with_a_message_never_a_500(manager, reviewer, program, emea, apac):
    api = as_user(manager)
    cases = [
        (PROGRAMS, "post", {"name": "", "community": emea.pk}, 400),
        (PROGRAMS, "post", {"name": "X", "community": apac.pk}, 400),
        (PROGRAMS, "post", {"name": "X", "community": emea.pk, "target_days": 0}, 400),
        (PROGRAMS, "post", {"name": "X", "community": "abc", "target_days": "x"}, 400),
        (PROGRAMS, "post", [], 400),
        (f"{PROGRAMS}{program.pk}/materials/", "put", {"materials": [{"asset": 0}]}, 400),
        (f"{PROGRAMS}{program.pk}/materials/", "put", {"materials": "x"}, 400),
        (f"{PROGRAMS}{program.pk}/materials/", "put", {"materials": []}, 409),
        (f"{PROGRAMS}{program.pk}/", "patch", {"name": "Renamed"}, 409),
        (f"{PROGRAMS}{program.pk}/", "patch", {"target_days": 9999}, 400),
        (f"{PROGRAMS}{program.pk}/enroll/", "post", {"partner": None}, 400),
        (f"{PROGRAMS}{program.pk}/enroll/", "post", {"partner": "abc"}, 400),
        (f"{PROGRAMS}999999/enroll/", "post", {}, 404),
        (f"{FOLLOW_UPS}999999/done/", "post", {}, 404),
        (f"{ENROLLMENTS}abc/", "get", None, 404),
    ]
    for url, method, body, expected in cases:
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == expected, (url, body, response.content)
        assert response.json(), (url, body)
    for path in ("", "?partner=abc", "?overdue=maybe", "?program=abc", "?state=nope"):
        response = api.get(f"{ENROLLMENTS}{path}")
        assert response.status_code in (200, 400), (path, response.status_code)
    assert api.get(f"{ENROLLMENTS}?partner=abc").status_code == 400
    assert api.delete(f"{PROGRAMS}{program.pk}/").status_code == 405
    assert api.post(ENROLLMENTS, {}, format="json").status_code == 405
    assert not Enrollment.objects.exists()


def test_enrolling_listing_and_filtering_enrollments(manager, program, emea):
    api = as_user(manager)
    acme = member("par_a", "Acme", emea)
    made = api.post(f"{PROGRAMS}{program.pk}/enroll/", {"partner": acme.pk}, format="json")
    assert made.status_code == 201, made.content
    assert (made.json()["state"], made.json()["source"]) == ("active", "manual")
    assert [m["status"] for m in made.json()["materials"]] == ["open", "open", "open"]
    twice = api.post(f"{PROGRAMS}{program.pk}/enroll/", {"partner": acme.pk}, format="json")
    assert twice.status_code == 409 and "already enrolled" in twice.json()["detail"]
    late = enrolled(manager, program, member("par_b", "Bolt", emea), overdue=True)
    done = enrolled(manager, program, member("par_c", "Cobalt", emea), took_days=3)

    def ids(**query) -> list[int]:
        response = api.get(ENROLLMENTS, query)
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["results"])

    first = made.json()["id"]
    assert ids() == sorted([first, late.pk, done.pk])
    assert ids(overdue="true") == [late.pk]
    assert ids(overdue="false") == sorted([first, done.pk])
    assert ids(state="completed") == [done.pk]
    assert ids(partner=acme.pk) == [first]
    assert ids(program=program.pk, state=["active"]) == sorted([first, late.pk])
    row = api.get(f"{ENROLLMENTS}{late.pk}/").json()
    assert (row["overdue"], row["required"], row["acknowledged"]) == (True, 2, 0)
    listed = api.get(f"{PROGRAMS}{program.pk}/").json()
    assert (listed["in_progress"], listed["overdue"], listed["completed"]) == (2, 1, 1)
    assert listed["median_days_to_complete"] == 3.0


def test_follow_ups_are_listed_and_marked_done(manager, reviewer, program, emea):
    enrolled(manager, program, member("par_a", "Acme", emea), acknowledged=[DECK], overdue=True)
    follow_ups.create_due()
    api = as_user(manager)
    listed = api.get(FOLLOW_UPS, {"status": "open", "mine": "true"}).json()
    [row] = listed["results"]
    assert (row["material"]["name"], row["assigned_to"]) == (GUIDE, "max")
    refused = as_user(reviewer).post(f"{FOLLOW_UPS}{row['id']}/done/", {}, format="json")
    assert refused.status_code == 403
    done = api.post(f"{FOLLOW_UPS}{row['id']}/done/", {"note": "Mailed them"}, format="json")
    assert done.status_code == 200 and done.json()["done_by"] == "max"
    again = api.post(f"{FOLLOW_UPS}{row['id']}/done/", {}, format="json")
    assert again.status_code == 409
    assert api.get(FOLLOW_UPS, {"status": "open"}).json()["count"] == 0
    assert AuditEvent.objects.filter(action="onboarding.follow_up_done").count() == 1


def test_a_manager_without_the_community_sees_and_changes_nothing(manager, stranger, program, emea):
    enrollment = enrolled(manager, program, member("par_a", "Acme", emea), overdue=True)
    follow_ups.create_due()
    follow_up = FollowUp.objects.first()
    api = as_user(stranger)
    for url in (PROGRAMS, ENROLLMENTS, FOLLOW_UPS):
        assert api.get(url).json()["count"] == 0, url
    for url in (
        f"{PROGRAMS}{program.pk}/",
        f"{ENROLLMENTS}{enrollment.pk}/",
        f"{FOLLOW_UPS}{follow_up.pk}/",
    ):
        assert api.get(url).status_code == 404, url
    assert api.post(f"{FOLLOW_UPS}{follow_up.pk}/done/", {}, format="json").status_code == 404
    assert (
        api.patch(f"{PROGRAMS}{program.pk}/", {"active": False}, format="json").status_code == 404
    )
    assert api.get(ENROLLMENTS, {"program": program.pk}).status_code == 400
    assert APIClient().get(PROGRAMS).status_code == 401


def test_lists_cost_the_same_number_of_queries_whatever_the_rows(manager, program, emea):
    api = as_user(manager)

    def grow(start: int, count: int) -> None:
        for n in range(start, start + count):
            enrollment = enrolled(
                manager, program, member(f"par_{n}", f"P{n}", emea), acknowledged=[DECK], overdue=1
            )
            partner_request(emea, f"Q{n}", kind="question", enrollment=enrollment)
            program_of(manager, emea, [canto_asset(f"Deck {n}.pdf")], name=f"Program {n}")
        follow_ups.create_due()

    def costs() -> list[int]:
        counted = []
        for url in (PROGRAMS, ENROLLMENTS, FOLLOW_UPS):
            with CaptureQueriesContext(connection) as captured:
                assert api.get(url, {"page_size": 100}).status_code == 200
            counted.append(len(captured))
        return counted

    grow(0, 2)
    api.get(PROGRAMS)
    few = costs()
    grow(2, 10)
    assert api.get(ENROLLMENTS).json()["count"] == 12
    assert costs() == few


def test_openapi_schema_describes_the_onboarding_api(client, tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    listing = {p["name"] for p in paths[ENROLLMENTS]["get"]["parameters"]}
    assert {"program", "state", "overdue", "partner", "community", "q"} <= listing
    assert {"400", "403", "404", "409"} <= set(
        paths[f"{FOLLOW_UPS}{{id}}/done/"]["post"]["responses"]
    )
    assert f"{PROGRAMS}{{id}}/materials/" in paths and f"{PROGRAMS}{{id}}/enroll/" in paths
