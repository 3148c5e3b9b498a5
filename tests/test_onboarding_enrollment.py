"""Enrollment: partners joining a program's community are enrolled once and shown the
materials; partners leaving are taken out; what Trading Grid shows follows who is enrolled.

Trading Grid is faked at the HTTP boundary; the outbox is delivered in this process.
"""

from __future__ import annotations

import pytest

from integrations.models import OutboxMessage
from portal.errors import Conflict, NotAllowed, ServiceError
from portal.models import Enrollment, Membership, Publication, Release
from portal.onboarding import enrollments, programs
from portal.onboarding.tasks import follow_enrolled_partners
from portal.releases import services as releases
from tests.factories import UserFactory
from tests.onboarding_support import approved, enrollment_of, events, program_of, synced
from tests.release_support import canto_asset, deliver, deliver_all, owed
from tests.request_flow_support import person

pytestmark = pytest.mark.django_db
E = Enrollment.State


@pytest.fixture
def materials():
    return [
        (canto_asset("Partner training deck.pdf", category="Training"), True),
        (canto_asset("Brand guidelines.pdf", category="Brand asset"), True),
        (canto_asset("Product overview.pdf", category="Product sheet"), False),
    ]


@pytest.fixture
def program(manager, reviewer, emea, materials):
    return approved(manager, reviewer, program_of(manager, emea, materials))


def shown_to(trading_grid, community) -> dict[str, list[str]]:
    """Per material title, the partners Trading Grid shows it to."""
    return {p["title"]: p["audience"]["partner_ids"] for p in trading_grid.shown(community.tg_id)}


def test_a_program_is_an_onboarding_release_of_one_community(manager, emea, materials):
    draft = program_of(manager, emea, materials)
    release = draft.release
    assert release.kind == Release.Kind.ONBOARDING
    assert list(release.communities.all()) == [emea]
    items = list(release.items.order_by("position"))
    assert [(i.asset.name, i.needs_acknowledgement) for i in items] == [
        ("Partner training deck.pdf", True),
        ("Brand guidelines.pdf", True),
        ("Product overview.pdf", False),
    ]
    assert events(draft) == ["onboarding.program_created", "onboarding.materials_changed"]
    with person(manager), pytest.raises(ServiceError, match="one community"):
        releases.update(manager, release, communities=[emea, _other(emea)])


def _other(emea):
    from tests.release_support import community

    return community("com_nordics", "Nordics", "EMEA")


def test_an_approved_program_shows_nothing_until_someone_is_enrolled(program, trading_grid, emea):
    assert program.release.state == Release.State.PUBLISHED
    assert not Publication.objects.filter(release=program.release).exists()
    deliver_all()
    assert trading_grid.shown(emea.tg_id) == []


def test_a_partner_joining_is_enrolled_once_and_shown_the_materials(program, trading_grid, emea):
    acme = synced(trading_grid, "par_acme", "Acme Distribution", emea)
    enrollment = enrollment_of(program, acme)
    assert (enrollment.state, enrollment.source) == (E.ACTIVE, "joined")
    assert (enrollment.due_at - enrollment.enrolled_at).days == 30
    deliver_all()
    assert shown_to(trading_grid, emea) == {
        "Partner training deck.pdf": ["par_acme"],
        "Brand guidelines.pdf": ["par_acme"],
        "Product overview.pdf": ["par_acme"],
    }
    sent = {p["title"]: p for p in trading_grid.shown(emea.tg_id)}
    assert sent["Brand guidelines.pdf"]["type"] == "onboarding"
    assert sent["Brand guidelines.pdf"]["requires_acknowledgement"] is True
    assert sent["Product overview.pdf"]["requires_acknowledgement"] is False

    # The same partner read again (the event delivered twice, then the sync): nothing new.
    synced(trading_grid, "par_acme", "Acme Distribution", emea)
    enrollments.enroll_joined(acme, emea)
    assert Enrollment.objects.filter(program=program).count() == 1
    assert events(enrollment, "onboarding.enrolled") == ["onboarding.enrolled"]
    assert deliver_all() == {}


def test_a_second_partner_is_added_to_the_audience_of_what_is_shown(program, trading_grid, emea):
    synced(trading_grid, "par_acme", "Acme Distribution", emea)
    deliver_all()
    writes = len(trading_grid.writes)
    synced(trading_grid, "par_bolt", "Bolt Electric", emea)
    deliver_all()
    assert all(ids == ["par_acme", "par_bolt"] for ids in shown_to(trading_grid, emea).values())
    new = trading_grid.writes[writes:]
    assert [method for method, _, _ in new] == ["PATCH"] * 3  # an audience update, no new copy
    assert all(set(body) == {"audience"} for _, _, body in new)


def test_partners_who_leave_are_taken_out_and_the_last_one_takes_the_materials_down(
    program, trading_grid, emea
):
    acme = synced(trading_grid, "par_acme", "Acme Distribution", emea)
    bolt = synced(trading_grid, "par_bolt", "Bolt Electric", emea)
    deliver_all()
    synced(trading_grid, "par_acme", "Acme Distribution")  # no community any more
    left = enrollment_of(program, acme)
    assert (left.state, left.left_at is not None) == (E.LEFT, True)
    assert events(left)[-1] == "onboarding.left"
    deliver_all()
    assert all(ids == ["par_bolt"] for ids in shown_to(trading_grid, emea).values())

    synced(trading_grid, "par_bolt", "Bolt Electric")
    deliver_all()
    assert enrollment_of(program, bolt).state == E.LEFT
    assert trading_grid.shown(emea.tg_id) == []
    program.release.refresh_from_db()
    assert program.release.state == Release.State.PUBLISHED


def test_a_partner_who_comes_back_is_enrolled_again(program, trading_grid, emea):
    acme = synced(trading_grid, "par_acme", "Acme Distribution", emea)
    synced(trading_grid, "par_acme", "Acme Distribution")
    synced(trading_grid, "par_acme", "Acme Distribution", emea)
    enrollment = enrollment_of(program, acme)
    assert enrollment.state == E.ACTIVE and enrollment.left_at is None
    assert events(enrollment) == ["onboarding.enrolled", "onboarding.left", "onboarding.enrolled"]


def test_drafts_inactive_and_withdrawn_programs_enroll_nobody(
    manager, reviewer, trading_grid, emea
):
    def made(name):
        return program_of(manager, emea, [canto_asset(f"{name}.pdf")], name=name)

    draft = made("Draft")
    inactive = approved(manager, reviewer, made("Quiet"))
    withdrawn = approved(manager, reviewer, made("Gone"))
    with person(manager):
        programs.update_program(manager, inactive, active=False)
        releases.withdraw(manager, withdrawn.release, reason="replaced by another program")
    acme = synced(trading_grid, "par_acme", "Acme Distribution", emea)
    assert not Enrollment.objects.filter(partner=acme).exists()
    assert not OutboxMessage.objects.exists()
    assert draft.enrollments.count() == 0


def test_a_manager_enrolls_an_existing_member_by_hand(manager, program, trading_grid, emea):
    from tests.request_pages_support import partner

    member = partner("par_old", "Old Partner", member_of=emea)
    with person(manager):
        enrollment = enrollments.enroll_partner(manager, program, member)
    assert (enrollment.state, enrollment.source) == (E.ACTIVE, "manual")
    deliver_all()
    assert all(ids == ["par_old"] for ids in shown_to(trading_grid, emea).values())
    with person(manager), pytest.raises(Conflict, match="already enrolled"):
        enrollments.enroll_partner(manager, program, member)


def test_manual_enrollment_refuses_what_it_must(manager, reviewer, emea, apac, materials, program):
    from tests.request_pages_support import partner

    outsider = partner("par_out", "Outsider", member_of=apac)
    with pytest.raises(ServiceError, match="not a member"):
        enrollments.enroll_partner(manager, program, outsider)
    member = partner("par_in", "Insider", member_of=emea)
    draft = program_of(manager, emea, materials, name="Still a draft")
    with pytest.raises(Conflict, match="not approved yet"):
        enrollments.enroll_partner(manager, draft, member)
    with pytest.raises(NotAllowed):
        enrollments.enroll_partner(reviewer, program, member)
    stranger = UserFactory(username="stan", role="Content managers")
    with pytest.raises(NotAllowed, match="may not act on"):
        enrollments.enroll_partner(stranger, program, member)
    Membership.objects.filter(partner=member).update(active=False)
    with pytest.raises(ServiceError, match="not a member"):
        enrollments.enroll_partner(manager, program, member)
    assert not Enrollment.objects.exists()


def test_enrollments_in_a_program_back_in_review_only_change_who_sees_it(
    manager, reviewer, program, trading_grid, emea
):
    from tests.release_support import canto_change

    synced(trading_grid, "par_acme", "Acme Distribution", emea)
    deliver_all()
    deck = program.release.items.get(position=1).asset
    canto_change(deck, new_version=True)  # back to review, the approved version still shown
    program.release.refresh_from_db()
    assert program.release.state == Release.State.IN_REVIEW
    synced(trading_grid, "par_bolt", "Bolt Electric", emea)
    deliver_all()
    program.release.refresh_from_db()
    assert program.release.state == Release.State.IN_REVIEW
    assert all(ids == ["par_acme", "par_bolt"] for ids in shown_to(trading_grid, emea).values())


def test_partners_joining_before_the_materials_reach_trading_grid_all_receive_them(
    program, trading_grid, emea
):
    synced(trading_grid, "par_acme", "Acme Distribution", emea)
    synced(trading_grid, "par_bolt", "Bolt Electric", emea)  # the first publish not sent yet
    deliver_all()
    assert [m for m, _, _ in trading_grid.writes] == ["POST"] * 3
    assert all(ids == ["par_acme", "par_bolt"] for ids in shown_to(trading_grid, emea).values())


def test_a_partner_enrolled_while_a_material_is_being_sent_is_added_by_beat(
    program, trading_grid, emea
):
    synced(trading_grid, "par_acme", "Acme Distribution", emea)
    in_flight = owed(operation="tradinggrid.publish")[0]
    OutboxMessage.objects.filter(pk=in_flight.pk).update(status=OutboxMessage.Status.SENDING)
    synced(trading_grid, "par_bolt", "Bolt Electric", emea)
    deliver(in_flight)  # the relay that claimed it finishes sending the older body
    deliver_all()
    late = {p["title"]: p["audience"]["partner_ids"] for p in trading_grid.shown(emea.tg_id)}
    assert sorted(late.values()) == [
        ["par_acme"],
        ["par_acme", "par_bolt"],
        ["par_acme", "par_bolt"],
    ]
    assert follow_enrolled_partners() == 1
    deliver_all()
    assert all(ids == ["par_acme", "par_bolt"] for ids in shown_to(trading_grid, emea).values())
    assert follow_enrolled_partners() == 0
