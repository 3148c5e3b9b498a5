"""Onboarding end to end: a real Celery worker, the Canto sandbox for the catalog and the
Trading Grid sandbox delivering its events to the live test server.

A program is created, approved and published; a new partner joins the community in the Trading
Grid sandbox and is enrolled by the worker; the materials appear in that partner's view; the
partner acknowledges one and declines another, which the program page shows; once the target
time has passed (the enrollment's due date moved into the past) beat's task gives the
community's manager one follow-up per material still open, audited.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from integrations.canto.runs import run_catalog_sync
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants
from portal.models import Acknowledgement, Asset, Enrollment, FollowUp, Publication, Release
from portal.onboarding import programs
from portal.onboarding.programs import Material
from portal.onboarding.tasks import follow_up_overdue
from portal.releases import services as releases
from tests.processes import wait_until
from tests.request_flow_support import (
    PartnerSide,
    partner_side,
    person,
    redeliver,
    sent_events,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _eligible(count: int) -> list[Asset]:
    found = [
        a
        for a in Asset.objects.filter(approval_status="Approved", regulated=False).order_by("pk")
        if not a.eligibility_problem
    ]
    assert len(found) >= count, "the Canto sandbox has too few approved assets"
    return found[:count]


def _published_program(manager, reviewer, community):
    deck, guide, overview, letter = _eligible(4)
    with person(manager):
        program = programs.create_program(
            manager, name="Welcome to the channel", community=community, target_days=21
        )
        programs.set_materials(
            manager,
            program,
            [Material(deck), Material(guide), Material(overview), Material(letter, False)],
        )
        releases.submit(manager, program.release)
    release = Release.objects.get(pk=program.release_id)
    if release.state == Release.State.IN_REVIEW:
        with person(reviewer):
            releases.approve(reviewer, release, revision=release.revision)
    release.refresh_from_db()
    assert release.state == Release.State.PUBLISHED  # nobody enrolled: nothing to show yet
    return program, (deck, guide, overview, letter)


def _onboarding_section(side_page: str) -> str:
    """The partner view's "Onboarding" section of the community."""
    found = re.search(r"<h3>Onboarding</h3>(.*?)(?:<h3>|<h2>)", side_page, re.S)
    return found.group(1) if found else ""


def test_a_new_partner_is_enrolled_acknowledges_some_and_the_rest_are_followed_up(
    wired_canto, wired_tradinggrid, manager, reviewer, celery_worker, client
):
    tg = wired_tradinggrid
    run_catalog_sync(full=True)
    run_partner_sync(full=True)
    community = partner_side(tg).community
    for someone in (manager, reviewer):
        grants.grant_community(someone, community)
    program, (deck, guide, overview, letter) = _published_program(manager, reviewer, community)

    # A new partner joins the community in Trading Grid (partner.joined).
    joined = tg.control(
        "POST",
        "partners",
        {
            "community_id": community.tg_id,
            "company_name": "Newcomer Trading",
            "contact_first_name": "Nora",
            "contact_last_name": "Novak",
        },
    )
    enrollment = wait_until(
        lambda: Enrollment.objects.filter(program=program, partner__tg_id=joined["id"]).first(),
        message="the worker did not enroll the partner who joined",
    )
    assert (enrollment.state, enrollment.source) == ("active", "joined")

    # The worker publishes the materials to the enrolled partner only.
    wait_until(
        lambda: (
            Publication.objects.filter(release=program.release, state="live")
            .exclude(tg_id="")
            .count()
            == 4
        ),
        message="the materials were not published",
    )
    side = PartnerSide(tg, enrollment.partner, community, joined["contacts"][0]["id"], "Nora Novak")
    section = _onboarding_section(side.page())
    assert all(a.name in section for a in (deck, guide, overview, letter)), section
    visible = tg.control("GET", f"partners/{joined['id']}/visible")
    assert {p["title"] for p in visible if p["type"] == "onboarding"} >= {deck.name, letter.name}
    others = [p for p in tg.control("GET", "partners") if community.tg_id in p["community_ids"]]
    bystander = next(p for p in others if p["id"] != joined["id"])
    seen = {p["title"] for p in tg.control("GET", f"partners/{bystander['id']}/visible")}
    assert deck.name not in seen  # partners not enrolled do not see onboarding material

    # The partner acknowledges the deck and declines the guidelines.
    def tg_id_of(asset) -> str:
        return Publication.objects.get(release=program.release, asset=asset, state="live").tg_id

    side.submit(f"publications/{tg_id_of(deck)}/acknowledge", status="acknowledged")
    side.submit(f"publications/{tg_id_of(guide)}/acknowledge", status="declined")
    wait_until(
        lambda: (
            dict(
                Acknowledgement.objects.filter(enrollment=enrollment).values_list(
                    "item__asset__name", "status"
                )
            )
            == {deck.name: "acknowledged", guide.name: "declined"}
        ),
        message="the acknowledgements were not read from Trading Grid",
    )
    client.force_login(manager)
    page = client.get(reverse("onboarding:detail", args=[program.pk]))
    row = next(e for e in page.context["enrollments"] if e.pk == enrollment.pk)
    assert (row.acknowledged, row.required) == (1, 3)
    assert "1 of 3" in page.content.decode()

    # Events arrive at least once, and the sync reads the partner again: enrolled once.
    [event] = sent_events(tg, "partner.joined", partner={"id": joined["id"]})
    redeliver(tg, event)
    run_partner_sync(full=True)
    assert Enrollment.objects.filter(partner__tg_id=joined["id"]).count() == 1
    assert (
        AuditEvent.objects.filter(
            action="onboarding.enrolled", object_id=str(enrollment.pk)
        ).count()
        == 1
    )

    # The target time passes; beat's task (run by the worker) follows the rest up.
    Enrollment.objects.filter(pk=enrollment.pk).update(due_at=timezone.now() - timedelta(hours=1))
    follow_up_overdue.delay()
    wait_until(
        lambda: FollowUp.objects.filter(enrollment=enrollment).count() == 2,
        message="no follow-ups were created for the overdue materials",
    )
    follow_ups = FollowUp.objects.filter(enrollment=enrollment).select_related("item__asset")
    assert {f.item.asset.name for f in follow_ups} == {guide.name, overview.name}
    assert {f.assigned_to for f in follow_ups} == {manager}
    created = AuditEvent.objects.filter(action="onboarding.follow_up_created")
    assert sorted(e.after["material"] for e in created) == sorted([guide.name, overview.name])
    assert {e.after["assigned_to"] for e in created} == {manager.username}
    page = client.get(reverse("onboarding:detail", args=[program.pk])).content.decode()
    assert overview.name in page and "Open follow-ups" in page
