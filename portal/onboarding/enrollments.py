"""Enrollment: who is going through a program, and making Trading Grid show them its materials.

Partners who join a program's community are enrolled automatically (``enroll_joined``, from
the partner sync and the ``partner.joined`` event); a manager may enroll a member by hand.
Partners who leave the community leave the program. Every change of who is enrolled is made
under the release's lock and ends with ``follow_enrolled``: the materials Trading Grid shows
follow the enrolled partners.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.services import record
from integrations.models import OutboxMessage
from portal.errors import Conflict, ServiceError
from portal.models import (
    Community,
    Enrollment,
    FollowUp,
    Membership,
    OnboardingProgram,
    Partner,
    Publication,
    Release,
)
from portal.onboarding.programs import lock_program, was_approved
from portal.onboarding.rules import ENROLL, require
from portal.releases import publishing
from portal.releases.transitions import lock

E = Enrollment.State
R = Release.State
# States in which publishing may be started again; in the others (a new review is under way)
# what is already shown only follows the audience.
PUBLISHED = (R.PUBLISHING, R.PUBLISHED)
NOBODY_ENROLLED = "no partner is enrolled in the program any more"


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def follow_enrolled(release: Release) -> None:
    """Make Trading Grid show the materials to exactly the enrolled partners (under the lock).

    A program never approved shows nothing, whoever is enrolled. A published one is published
    again (new materials for the first enrollee, a changed audience, everything taken down when
    the last one leaves); one back in review keeps its approved materials and only changes who
    sees them.
    """
    if release.state in Release.CLOSED or not was_approved(release):
        return
    steps = [step for step in publishing.plan(release) if step.action != "keep"]
    if not steps:
        return
    if release.state in PUBLISHED and any(step.action != "retarget" for step in steps):
        for step in steps:
            if step.action == "retarget" and not step.current.tg_id:
                retarget(step.current, step.community)
        publishing.start(release)
        return
    nobody = not Enrollment.objects.filter(program__release=release, state=E.ACTIVE).exists()
    for step in steps:
        if step.action == "retarget":
            retarget(step.current, step.community)
        elif step.action == "withdraw" and nobody and step.item and not step.item.withdrawn_reason:
            publishing.take_down_publications([step.current], NOBODY_ENROLLED)


def retarget(publication: Publication, community: Community) -> None:
    """Show a publication to the partners enrolled now.

    One already in Trading Grid gets an audience update; one whose publish has not been tried
    yet carries the new audience instead. One being sent right now keeps its stored audience,
    so the plan still asks for a retarget, which ``follow_all`` makes once it has arrived.
    """
    if publication.tg_id:
        publishing.retarget(publication, community)
        return
    audience = publishing.body(publication)["audience"]
    unsent = OutboxMessage.objects.filter(
        operation="tradinggrid.publish",
        object_type="portal.publication",
        object_id=str(publication.pk),
        status=OutboxMessage.Status.PENDING,
        attempts=0,
    )
    message = unsent.first()
    if message is None:
        return
    payload = {**message.payload}
    payload["publication"] = {**payload.get("publication", {}), "audience": audience}
    # Never tried, so no idempotency key was used with the older body.
    if unsent.filter(pk=message.pk).update(payload=payload):
        Publication.objects.filter(pk=publication.pk).update(audience=audience)


def follow_all() -> int:
    """Beat: materials in Trading Grid whose audience lags behind the enrolled partners (a
    partner enrolled while they were being sent) are shown to the right partners."""
    fixed = 0
    ids = (
        Release.objects.filter(kind=Release.Kind.ONBOARDING, state__in=PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in list(ids):
        with transaction.atomic():
            release = lock(pk)
            if release.state not in PUBLISHED:
                continue
            for step in publishing.plan(release):
                if step.action == "retarget" and step.current.tg_id:
                    publishing.retarget(step.current, step.community)
                    record(
                        "publication.drift_found",
                        obj=step.current,
                        reason="shown to other partners than those enrolled",
                        before={"audience": step.current.audience},
                        after={"audience": step.audience},
                    )
                    fixed += 1
    return fixed


def _enroll_locked(
    program: OnboardingProgram, release: Release, partner: Partner, source: str, now
) -> tuple[Enrollment, bool]:
    """Enroll (or enroll again after leaving); an enrollment in progress or done stays as is."""
    enrollment = (
        Enrollment.objects.select_for_update().filter(program=program, partner=partner).first()
    )
    again = enrollment is not None
    if again and enrollment.state != E.LEFT:
        return enrollment, False
    due = now + timedelta(days=program.target_days)
    if enrollment is None:
        enrollment = Enrollment.objects.create(
            program=program, partner=partner, source=source, enrolled_at=now, due_at=due
        )
    else:
        enrollment.state, enrollment.source = E.ACTIVE, source
        enrollment.enrolled_at, enrollment.due_at = now, due
        enrollment.completed_at = enrollment.left_at = None
        enrollment.save()
    after = {
        "partner": partner.company_name,
        "community": program.community.name,
        "source": source,
        "due_at": iso(due),
    }
    if again:
        after["again"] = True
    record("onboarding.enrolled", obj=enrollment, after=after)
    follow_enrolled(release)
    return enrollment, True


def enrollable(program: OnboardingProgram, release: Release) -> str:
    """Why partners cannot be enrolled now ("" when they can)."""
    if release.state in Release.CLOSED:
        return f"The program is {release.get_state_display().lower()}."
    if not was_approved(release):
        return "The program is not approved yet: partners are enrolled once its materials are."
    return ""


@transaction.atomic
def enroll_partner(user, program: OnboardingProgram, partner: Partner, *, now=None) -> Enrollment:
    """A manager enrolls a member of the program's community."""
    program, release = lock_program(program)
    require(user, ENROLL, program.community)
    if not Membership.objects.filter(
        partner=partner, community=program.community, active=True
    ).exists():
        raise ServiceError(f"{partner.company_name} is not a member of {program.community.name}.")
    refused = enrollable(program, release)
    if refused:
        raise Conflict(refused)
    enrollment, created = _enroll_locked(
        program, release, partner, Enrollment.Source.MANUAL, now or timezone.now()
    )
    if not created:
        raise Conflict(
            f"{partner.company_name} is already enrolled "
            f"({enrollment.get_state_display().lower()})."
        )
    return enrollment


def enroll_joined(partner: Partner, community: Community, *, now=None) -> list[Enrollment]:
    """A partner joined the community: enrolled in each of its active, approved programs.

    Called in the partner sync's transaction; enrolling twice changes nothing.
    """
    now = now or timezone.now()
    made = []
    ids = (
        OnboardingProgram.objects.filter(community=community, active=True)
        .exclude(release__state__in=Release.CLOSED)
        .order_by("release_id")
        .values_list("pk", flat=True)
    )
    for pk in list(ids):
        with transaction.atomic():
            program, release = lock_program(pk)
            if not program.active or enrollable(program, release):
                continue
            enrollment, created = _enroll_locked(
                program, release, partner, Enrollment.Source.JOINED, now
            )
            if created:
                made.append(enrollment)
    return made


def leave(partner: Partner, community: Community, *, now=None) -> list[Enrollment]:
    """A partner left the community: their programs there end, open follow-ups are closed."""
    now = now or timezone.now()
    left = []
    rows = (
        Enrollment.objects.filter(partner=partner, program__community=community, state=E.ACTIVE)
        .order_by("program__release_id")
        .values_list("pk", "program_id")
    )
    for pk, program_id in list(rows):
        with transaction.atomic():
            _, release = lock_program(program_id)
            enrollment = Enrollment.objects.select_for_update().get(pk=pk)
            if enrollment.state != E.ACTIVE:
                continue
            enrollment.state, enrollment.left_at = E.LEFT, now
            enrollment.save(update_fields=["state", "left_at"])
            closed = FollowUp.objects.filter(enrollment=enrollment, done_at=None).update(
                done_at=now, note="The partner left the community."
            )
            record(
                "onboarding.left",
                obj=enrollment,
                after={"community": community.name, "follow_ups_closed": closed},
            )
            follow_enrolled(release)
            left.append(enrollment)
    return left
