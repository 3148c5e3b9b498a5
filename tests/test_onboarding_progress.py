"""Progress: acknowledgements read from Trading Grid tick materials off, the program completes
when every required one is acknowledged, materials still open after the target time become
follow-ups for the community's manager, and questions belong to the enrollment.

Trading Grid is faked at the HTTP boundary (publishing) and in memory (usage readings); the
clock is moved forward for the target time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from integrations.tradinggrid.client import TradingGridClient
from portal import grants, notifications, roles
from portal.errors import Conflict, NotAllowed
from portal.models import Acknowledgement, Enrollment, FollowUp, Publication
from portal.onboarding import follow_ups
from portal.onboarding.tasks import follow_up_overdue
from portal.usage.ingest import ingest
from requests_app.intake import upsert_request
from requests_app.models import PartnerRequest
from tests.factories import UserFactory
from tests.onboarding_support import approved, enrollment_of, events, program_of, synced
from tests.release_support import canto_asset, deliver_all
from tests.request_flow_support import person
from tests.usage_support import FakeUsage

pytestmark = pytest.mark.django_db
E = Enrollment.State


@pytest.fixture
def program(manager, reviewer, emea):
    materials = [
        (canto_asset("Partner training deck.pdf"), True),
        (canto_asset("Brand guidelines.pdf"), True),
        (canto_asset("Product overview.pdf"), False),
    ]
    return approved(manager, reviewer, program_of(manager, emea, materials, target_days=14))


@pytest.fixture
def usage():
    return FakeUsage(now=timezone.now())


@pytest.fixture
def acme(program, trading_grid, emea, usage):
    partner = synced(trading_grid, "par_acme", "Acme Distribution", emea)
    deliver_all()
    for publication in Publication.objects.filter(release=program.release):
        usage.publish(publication.tg_id)
    return partner


def material(program, name: str) -> Publication:
    return Publication.objects.get(release=program.release, asset__name=name, state="live")


def partner_does(usage, program, partner, name: str, kind: str) -> None:
    """The partner acknowledges or declines a material in Trading Grid; the worker reads it."""
    publication = material(program, name)
    usage.act(publication.tg_id, partner.tg_id, kind)
    ingest(publication.tg_id, client=usage)


def statuses(enrollment) -> dict[str, str]:
    return {
        a.item.asset.name: a.status
        for a in Acknowledgement.objects.filter(enrollment=enrollment).select_related("item__asset")
    }


def test_acknowledgements_tick_materials_off_and_the_last_one_completes_the_program(
    program, acme, usage, trading_grid, emea
):
    partner_does(usage, program, acme, "Partner training deck.pdf", "view")
    enrollment = enrollment_of(program, acme)
    assert statuses(enrollment) == {}  # a view is no acknowledgement

    partner_does(usage, program, acme, "Partner training deck.pdf", "acknowledge")
    partner_does(usage, program, acme, "Product overview.pdf", "acknowledge")
    enrollment.refresh_from_db()
    assert enrollment.state == E.ACTIVE
    assert statuses(enrollment) == {
        "Partner training deck.pdf": "acknowledged",
        "Product overview.pdf": "acknowledged",
    }
    # Read again (a replayed event, beat's poll): recorded once.
    ingest(material(program, "Partner training deck.pdf").tg_id, client=usage)
    assert events(enrollment).count("onboarding.acknowledged") == 2

    partner_does(usage, program, acme, "Brand guidelines.pdf", "acknowledge")
    enrollment.refresh_from_db()
    assert enrollment.state == E.COMPLETED
    assert enrollment.enrolled_at <= enrollment.completed_at <= timezone.now()
    assert events(enrollment)[-1] == "onboarding.completed"
    completed = AuditEvent.objects.get(action="onboarding.completed")
    assert completed.after["material"] == "Brand guidelines.pdf"
    # A partner who completed the program keeps the materials.
    deliver_all()
    shown = trading_grid.shown(emea.tg_id)
    assert shown and {tuple(p["audience"]["partner_ids"]) for p in shown} == {(acme.tg_id,)}


def test_declining_does_not_complete(program, trading_grid, emea, usage, acme):
    partner_does(usage, program, acme, "Partner training deck.pdf", "acknowledge")
    partner_does(usage, program, acme, "Brand guidelines.pdf", "decline")
    enrollment = enrollment_of(program, acme)
    assert enrollment.state == E.ACTIVE
    assert statuses(enrollment)["Brand guidelines.pdf"] == "declined"
    assert events(enrollment)[-1] == "onboarding.declined"
    usage.advance(minutes=5)
    partner_does(usage, program, acme, "Brand guidelines.pdf", "acknowledge")
    enrollment.refresh_from_db()
    assert enrollment.state == E.COMPLETED


def test_overdue_materials_become_follow_ups_for_the_communitys_manager(
    program, acme, usage, clock, manager, portal_admin, emea
):
    mia = UserFactory(username="mia", role=roles.CONTENT_MANAGER)
    grants.grant_community(mia, emea)
    partner_does(usage, program, acme, "Partner training deck.pdf", "acknowledge")
    assert follow_ups.create_due() == 0  # not due yet

    clock.advance(days=15)
    mail.outbox.clear()
    assert follow_up_overdue() == 1  # the beat task
    follow_up = FollowUp.objects.get()
    assert follow_up.item.asset.name == "Brand guidelines.pdf"  # the one still open, required
    assert follow_up.assigned_to == manager  # content managers first, by name: max before mia
    assert events(follow_up) == ["onboarding.follow_up_created"]
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert "Brand guidelines.pdf" in mail.outbox[0].body
    assert f"/onboarding/enrollments/{follow_up.enrollment_id}/" in mail.outbox[0].body

    clock.advance(hours=1)
    assert follow_ups.create_due() == 0  # once per material
    assert FollowUp.objects.count() == 1 and len(mail.outbox) == 1

    partner_does(usage, program, acme, "Brand guidelines.pdf", "acknowledge")
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.done_by is None
    assert enrollment_of(program, acme).state == E.COMPLETED


def test_a_manager_marks_a_follow_up_done_once(program, acme, clock, manager, reviewer):
    clock.advance(days=15)
    follow_ups.create_due()
    first, second = FollowUp.objects.order_by("item__position")
    with pytest.raises(NotAllowed):
        follow_ups.mark_done(reviewer, first, note="Called them")
    with person(manager):
        done = follow_ups.mark_done(manager, first, note="Called them; they will read it today")
    assert (done.done_by, done.note) == (manager, "Called them; they will read it today")
    assert events(done) == ["onboarding.follow_up_created", "onboarding.follow_up_done"]
    with pytest.raises(Conflict, match="already done"):
        follow_ups.mark_done(manager, first)
    assert second.done_at is None


def test_follow_ups_are_mailed_only_to_those_who_want_them(program, acme, clock, manager):
    notifications.set_preferences(manager, set(notifications.KINDS) - {follow_ups.NOTICE})
    clock.advance(days=15)
    mail.outbox.clear()
    assert follow_ups.create_due() == 2
    assert mail.outbox == []


def test_without_a_manager_a_follow_up_waits_unassigned(program, acme, clock, manager, emea):
    grants.revoke_community(manager, emea)
    clock.advance(days=15)
    follow_ups.create_due()
    assert set(FollowUp.objects.values_list("assigned_to", flat=True)) == {None}


def test_leaving_closes_open_follow_ups_and_coming_back_opens_them_again(
    program, acme, clock, trading_grid, emea, manager
):
    clock.advance(days=15)
    follow_ups.create_due()
    synced(trading_grid, "par_acme", "Acme Distribution")
    assert set(FollowUp.objects.values_list("note", flat=True)) == {
        "The partner left the community."
    }
    enrollment = enrollment_of(program, acme)
    assert events(enrollment)[-1] == "onboarding.left"
    assert follow_ups.create_due() == 0  # no longer in progress

    synced(trading_grid, "par_acme", "Acme Distribution", emea)
    clock.advance(days=15)
    assert follow_ups.create_due() == 2
    assert not FollowUp.objects.filter(done_at__isnull=False).exists()


def _question(partner, community, **fields) -> PartnerRequest:
    data = {
        "id": fields.pop("id", "req_1"),
        "community_id": community.tg_id,
        "partner_id": partner.tg_id,
        "type": "question",
        "subject": "Where do I find the price list?",
        "status": "new",
        **fields,
    }
    request, _ = upsert_request(data, TradingGridClient.from_settings())
    return request


def test_questions_from_enrolled_partners_are_linked_to_their_enrollment(program, acme, emea, apac):
    asked = _question(acme, emea)
    enrollment = enrollment_of(program, acme)
    assert asked.enrollment == enrollment
    received = AuditEvent.objects.get(action="request.received", object_id=str(asked.pk))
    assert received.after["enrollment"] == enrollment.pk
    other_kind = _question(acme, emea, id="req_2", type="asset_request")
    elsewhere = _question(acme, apac, id="req_3")
    assert other_kind.enrollment is None and elsewhere.enrollment is None
    Enrollment.objects.filter(pk=enrollment.pk).update(state=E.COMPLETED)
    after_onboarding = _question(acme, emea, id="req_4")
    assert after_onboarding.enrollment is None


def test_a_program_without_required_materials_never_completes_nor_follows_up(
    manager, reviewer, emea, trading_grid, clock
):
    light = approved(
        manager,
        reviewer,
        program_of(manager, emea, [(canto_asset("Welcome letter.pdf"), False)], name="Light"),
    )
    partner = synced(trading_grid, "par_acme", "Acme Distribution", emea)
    clock.advance(days=31)
    assert follow_ups.create_due() == 0
    assert enrollment_of(light, partner).state == E.ACTIVE
    assert timezone.now() - enrollment_of(light, partner).due_at > timedelta(0)
