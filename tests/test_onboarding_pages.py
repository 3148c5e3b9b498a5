"""Onboarding pages: the program list, creating and editing a program and its materials, the
program page (partners by progress, overdue, median days, follow-ups, questions), enrollments
and their export, follow-ups. Everything is narrowed to the communities granted to the person,
refusals are shown as messages or form errors, and no page costs more queries as rows grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from portal import roles
from portal.models import Enrollment, FollowUp, OnboardingProgram, Release
from portal.onboarding import follow_ups
from requests_app.models import PartnerRequest
from tests.factories import UserFactory
from tests.onboarding_support import approved, enrolled, events, member, program_of
from tests.release_pages_support import csv_rows, shown_messages
from tests.release_support import canto_asset, grant
from tests.request_pages_support import partner_request

pytestmark = pytest.mark.django_db
DECK, GUIDE, OVERVIEW = "Partner training deck.pdf", "Brand guidelines.pdf", "Product overview.pdf"


@pytest.fixture
def assets():
    return [canto_asset(DECK), canto_asset(GUIDE), canto_asset(OVERVIEW)]


@pytest.fixture
def draft(manager, emea, assets):
    return program_of(manager, emea, [assets[0], assets[1], (assets[2], False)])


@pytest.fixture
def program(manager, reviewer, draft):
    return approved(manager, reviewer, draft)


@pytest.fixture
def stranger(db):
    """A content manager with no community granted."""
    return UserFactory(username="stan", role=roles.CONTENT_MANAGER)


def page(client, name, *args, **query):
    response = client.get(reverse(f"onboarding:{name}", args=args), query)
    assert response.status_code == 200, response.status_code
    return response


def html(response) -> str:
    return response.content.decode()


# The list and the form ------------------------------------------------------------------------


def test_the_list_shows_programs_of_the_persons_communities_with_their_figures(
    client, manager, reviewer, program, apac, emea
):
    grant(apac, manager)
    other = program_of(manager, apac, [canto_asset("APAC deck.pdf")], name="APAC welcome")
    enrolled(manager, program, member("par_a", "Acme", emea), acknowledged=[DECK])
    enrolled(manager, program, member("par_b", "Bolt", emea), overdue=True)
    client.force_login(reviewer)
    response = page(client, "list")
    assert list(response.context["object_list"]) == [program]
    row = response.context["object_list"][0]
    assert (row.materials, row.required, row.in_progress, row.overdue) == (3, 2, 2, 1)
    client.force_login(manager)
    assert set(page(client, "list").context["object_list"]) == {program, other}
    assert list(page(client, "list", community=emea.pk).context["object_list"]) == [program]
    assert list(page(client, "list", state="draft").context["object_list"]) == [other]
    assert 'href="/onboarding/"' in html(client.get(reverse("dashboard")))


def test_creating_a_program_shows_form_errors_then_leads_to_the_materials(
    client, manager, emea, apac
):
    client.force_login(manager)
    url = reverse("onboarding:create")
    bad = client.post(url, {"name": "  ", "community": emea.pk, "target_days": 0})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"name", "target_days"}
    ungranted = client.post(url, {"name": "APAC", "community": apac.pk, "target_days": 30})
    assert "community" in ungranted.context["form"].errors
    assert not OnboardingProgram.objects.exists()

    done = client.post(
        url, {"name": "Welcome", "community": emea.pk, "target_days": 21, "active": "on"}
    )
    program = OnboardingProgram.objects.get()
    assert done["Location"] == reverse("onboarding:add", args=[program.pk])
    assert (program.target_days, program.active, program.release.kind) == (21, True, "onboarding")
    assert events(program) == ["onboarding.program_created"]


def test_materials_are_picked_from_the_catalog_ordered_flagged_and_removed(
    client, manager, draft, assets
):
    client.force_login(manager)
    extra = canto_asset("Warranty terms.pdf")
    expired = canto_asset("Old sheet.pdf", status="Expired")
    picker = reverse("onboarding:add", args=[draft.pk])
    assert extra.name in html(page(client, "add", draft.pk, q="Warranty"))
    client.post(picker, {"asset": extra.pk, "needs_acknowledgement": "off"})
    refused = client.post(picker, {"asset": expired.pk}, follow=True)
    assert "cannot be released" in " ".join(shown_messages(refused))
    garbage = client.post(picker, {"asset": "x"}, follow=True)
    assert "Choose an asset" in " ".join(shown_messages(garbage))
    items = list(draft.release.items.order_by("position"))
    assert [(i.asset.name, i.needs_acknowledgement) for i in items][-1] == (extra.name, False)

    deck, guide, overview, warranty = items
    form = {
        f"m-position_{deck.pk}": 3,
        f"m-ack_{deck.pk}": "on",
        f"m-position_{guide.pk}": 1,
        f"m-position_{overview.pk}": 2,
        f"m-ack_{overview.pk}": "on",
        f"m-remove_{overview.pk}": "",
        f"m-position_{warranty.pk}": 4,
        f"m-remove_{warranty.pk}": "on",
    }
    before = AuditEvent.objects.count()
    response = client.post(reverse("onboarding:materials", args=[draft.pk]), form)
    assert response.status_code == 302
    now = list(draft.release.items.order_by("position"))
    assert [(i.asset.name, i.needs_acknowledgement) for i in now] == [
        (GUIDE, False),
        (OVERVIEW, True),
        (DECK, True),
    ]
    assert AuditEvent.objects.count() == before + 1
    bad = client.post(reverse("onboarding:materials", args=[draft.pk]), {})
    assert bad.status_code == 200 and bad.context["materials"].errors


def test_an_approved_programs_materials_and_name_stay_as_reviewed(client, manager, program):
    client.force_login(manager)
    item = program.release.items.first()
    response = client.post(reverse("onboarding:remove", args=[program.pk, item.pk]), follow=True)
    assert "materials change only while it is a draft" in " ".join(shown_messages(response))
    assert program.release.items.count() == 3
    edit = page(client, "edit", program.pk)
    assert edit.context["form"].fields["name"].disabled
    saved = client.post(
        reverse("onboarding:edit", args=[program.pk]),
        {"name": "Renamed", "target_days": 45, "active": ""},
    )
    assert saved.status_code == 302
    program.refresh_from_db()
    program.release.refresh_from_db()
    assert (program.release.name, program.target_days, program.active) == (
        "Welcome to EMEA",
        45,
        False,
    )
    changed = AuditEvent.objects.get(action="onboarding.program_changed")
    assert changed.after == {"target_days": 45, "active": False}


# The program page -----------------------------------------------------------------------------


def test_the_program_page_shows_partners_by_progress_overdue_median_follow_ups_and_questions(
    client, manager, program, emea, clock
):
    acme = enrolled(manager, program, member("par_a", "Acme", emea), acknowledged=[DECK])
    late = enrolled(manager, program, member("par_b", "Bolt", emea), overdue=True)
    enrolled(manager, program, member("par_c", "Cobalt", emea), took_days=4)
    enrolled(manager, program, member("par_d", "Delta", emea), took_days=10)
    follow_ups.create_due()
    question = partner_request(
        emea, "Where is the price list?", kind="question", partner=acme.partner, enrollment=acme
    )
    client.force_login(manager)
    response = page(client, "detail", program.pk)
    text = html(response)
    rows = response.context["enrollments"]
    assert [e.partner.company_name for e in rows] == ["Bolt", "Acme", "Cobalt", "Delta"]
    assert (rows[1].acknowledged, rows[1].required) == (1, 2)
    assert "1 of 2" in text and "0 of 2" in text
    assert [e.pk for e in response.context["overdue"]] == [late.pk]
    summary = response.context["summary"]
    assert (summary.in_progress, summary.overdue, summary.completed) == (2, 1, 2)
    assert summary.median_days == 7.0
    assert {f.item.asset.name for f in response.context["follow_ups"]} == {DECK, GUIDE}
    assert question.reference in text
    assert reverse("releases:detail", args=[program.release_id]) in text
    release_page = html(client.get(reverse("releases:detail", args=[program.release_id])))
    assert reverse("onboarding:detail", args=[program.pk]) in release_page


def test_enrolling_a_member_from_the_page(client, manager, program, emea, apac):
    client.force_login(manager)
    partner = member("par_a", "Acme", emea)
    outsider = member("par_x", "Outsider", apac)
    url = reverse("onboarding:enroll", args=[program.pk])
    client.post(url, {"partner": partner.pk})
    assert Enrollment.objects.get().partner == partner
    refused = client.post(url, {"partner": outsider.pk}, follow=True)
    assert refused.status_code == 200 and shown_messages(refused)
    again = client.post(url, {"partner": partner.pk}, follow=True)
    assert shown_messages(again) and Enrollment.objects.count() == 1


def test_the_enrollment_page_and_marking_a_follow_up_done(client, manager, program, emea):
    enrollment = enrolled(
        manager, program, member("par_a", "Acme", emea), declined=[GUIDE], overdue=True
    )
    follow_ups.create_due()
    client.force_login(manager)
    response = page(client, "enrollment", enrollment.pk)
    rows = {m["name"]: m["status"] for m in response.context["enrollment"].material_rows}
    assert rows == {DECK: "open", GUIDE: "declined", OVERVIEW: "open"}
    follow_up = FollowUp.objects.get(item__asset__name=DECK)
    back = reverse("onboarding:enrollment", args=[enrollment.pk])
    done = client.post(
        reverse("onboarding:done", args=[follow_up.pk]),
        {"note": "Phoned Acme", "next": back},
    )
    assert done["Location"] == back
    follow_up.refresh_from_db()
    assert (follow_up.done_by, follow_up.note) == (manager, "Phoned Acme")
    twice = client.post(reverse("onboarding:done", args=[follow_up.pk]), follow=True)
    assert "already done" in " ".join(shown_messages(twice))
    evil = client.post(
        reverse("onboarding:done", args=[FollowUp.objects.get(item__asset__name=GUIDE).pk]),
        {"next": "https://evil.example/"},
    )
    assert evil["Location"] == back
    mine = page(client, "follow-ups", mine="true", status="open")
    assert list(mine.context["object_list"]) == []


# Enrollments, export, grants -----------------------------------------------------------------


def test_enrollments_filter_and_export_the_same_rows(client, manager, program, emea):
    acme = enrolled(manager, program, member("par_a", "Acme", emea), acknowledged=[DECK, GUIDE])
    bolt = enrolled(manager, program, member("par_b", "Bolt", emea), overdue=True)
    Enrollment.objects.filter(pk=acme.pk).update(state="completed", completed_at=timezone.now())
    client.force_login(manager)

    def listed(**query):
        return [e.pk for e in page(client, "enrollments", **query).context["object_list"]]

    def exported(**query):
        response = client.get(reverse("onboarding:export"), query)
        assert response.status_code == 200
        return [int(row["id"]) for row in csv_rows(response)]

    for query, expected in [
        ({"overdue": "true"}, [bolt.pk]),
        ({"state": "completed"}, [acme.pk]),
        ({"partner": bolt.partner_id}, [bolt.pk]),
        ({"program": program.pk, "q": "acm"}, [acme.pk]),
    ]:
        assert listed(**query) == expected == exported(**query), query
    rows = {row["partner"]: row for row in csv_rows(client.get(reverse("onboarding:export")))}
    assert (rows["Acme"]["acknowledged"], rows["Acme"]["required"]) == ("2", "2")
    assert rows["Bolt"]["overdue"] == "True"
    bad = client.get(reverse("onboarding:enrollments"), {"overdue": "maybe", "partner": "x"})
    assert bad.status_code == 200 and list(bad.context["object_list"]) == []
    bad_export = client.get(reverse("onboarding:export"), {"program": "nope"}, follow=True)
    assert "not valid" in " ".join(shown_messages(bad_export))


def test_a_manager_without_the_community_sees_nothing_of_it(
    client, manager, stranger, program, emea
):
    enrollment = enrolled(manager, program, member("par_a", "Acme", emea), overdue=True)
    follow_ups.create_due()
    follow_up = FollowUp.objects.first()
    client.force_login(stranger)
    assert list(page(client, "list").context["object_list"]) == []
    assert list(page(client, "enrollments").context["object_list"]) == []
    assert list(page(client, "follow-ups").context["object_list"]) == []
    assert csv_rows(client.get(reverse("onboarding:export"))) == []
    for name, pk in [("detail", program.pk), ("edit", program.pk), ("enrollment", enrollment.pk)]:
        assert client.get(reverse(f"onboarding:{name}", args=[pk])).status_code == 404, name
    assert client.post(reverse("onboarding:done", args=[follow_up.pk])).status_code == 404
    assert client.post(reverse("onboarding:enroll", args=[program.pk])).status_code == 404
    assert client.get(reverse("onboarding:list"), {"community": emea.pk}).context["filter"].errors


def test_reviewers_and_auditors_read_but_change_nothing(client, reviewer, auditor, program, emea):
    client.force_login(reviewer)
    assert page(client, "detail", program.pk).context["enroll_form"] is None
    assert client.get(reverse("onboarding:create")).status_code == 403
    assert client.get(reverse("onboarding:edit", args=[program.pk])).status_code == 403
    assert client.post(reverse("onboarding:enroll", args=[program.pk])).status_code == 403
    client.force_login(auditor)
    assert client.get(reverse("onboarding:list")).status_code == 200


def test_pages_cost_the_same_number_of_queries_whatever_the_rows(
    client, manager, reviewer, program, emea
):
    def grow(start: int, count: int) -> None:
        for n in range(start, start + count):
            partner = member(f"par_{n}", f"Partner {n}", emea)
            enrollment = enrolled(manager, program, partner, acknowledged=[DECK], overdue=n % 2)
            partner_request(emea, f"Question {n}", kind="question", enrollment=enrollment)
        follow_ups.create_due()
        other = program_of(manager, emea, [canto_asset(f"Deck {start}.pdf")], name=f"P{start}")
        assert other.pk

    client.force_login(manager)
    urls = [
        reverse("onboarding:list"),
        reverse("onboarding:detail", args=[program.pk]),
        reverse("onboarding:enrollments"),
        reverse("onboarding:follow-ups"),
    ]
    grow(0, 2)
    first = Enrollment.objects.order_by("pk").first()
    urls.append(reverse("onboarding:enrollment", args=[first.pk]))

    def costs() -> list[int]:
        counted = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counted.append(len(captured))
        return counted

    few = costs()
    grow(2, 8)
    assert Enrollment.objects.count() == 10 and PartnerRequest.objects.count() == 10
    assert costs() == few


def test_the_release_page_of_a_program_is_where_it_is_reviewed(client, manager, draft):
    client.force_login(manager)
    text = html(page(client, "detail", draft.pk))
    assert "submit the program for review" in text
    assert draft.release.state == Release.State.DRAFT
