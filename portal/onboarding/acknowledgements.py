"""Acknowledgements read from Trading Grid tick a partner's materials off.

Usage ingestion tells us (``acknowledgement_read``, in its transaction) whenever a partner's
acknowledgement status of a publication changed. For onboarding material the status is kept
per enrollment and material: acknowledged ticks it off (and closes its follow-up), declined is
recorded but leaves it open. Once every material that needs acknowledgement is acknowledged,
the enrollment is completed.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from audit.services import record
from portal.models import (
    Acknowledgement,
    Enrollment,
    FollowUp,
    OnboardingProgram,
    Partner,
    Publication,
    Release,
    ReleaseItem,
    UsageTotal,
)
from portal.onboarding.enrollments import follow_enrolled, iso
from portal.releases.transitions import lock

A = Acknowledgement.Status
E = Enrollment.State


def required_items(release_id: int) -> QuerySet[ReleaseItem]:
    """The materials partners must acknowledge (those withdrawn from Canto no longer count)."""
    return ReleaseItem.objects.filter(
        release_id=release_id, needs_acknowledgement=True, withdrawn_reason=""
    )


def open_items(enrollment: Enrollment) -> list[ReleaseItem]:
    """The required materials the partner has not acknowledged, in the program's order."""
    done = Acknowledgement.objects.filter(enrollment=enrollment, status=A.ACKNOWLEDGED).values(
        "item_id"
    )
    return list(
        required_items(enrollment.program.release_id)
        .exclude(pk__in=done)
        .select_related("asset")
        .order_by("position", "id")
    )


def is_complete(enrollment: Enrollment) -> bool:
    """Every required material acknowledged (a program that requires none never completes)."""
    required = required_items(enrollment.program.release_id)
    count = required.count()
    if not count:
        return False
    acknowledged = Acknowledgement.objects.filter(
        enrollment=enrollment, status=A.ACKNOWLEDGED, item__in=required
    ).count()
    return acknowledged == count


def acknowledgement_read(
    publication: Publication, partner: Partner, total: UsageTotal
) -> Enrollment | None:
    """Keep the partner's acknowledgement of one onboarding material; complete when all are."""
    release = publication.release
    status = total.ack_status
    if release is None or release.kind != Release.Kind.ONBOARDING:
        return None
    if status not in (A.ACKNOWLEDGED, A.DECLINED):
        return None
    program = OnboardingProgram.objects.filter(release_id=release.pk).first()
    if program is None:
        return None
    release = lock(release.pk)  # the program's lock, always taken before its enrollments
    enrollment = (
        Enrollment.objects.select_for_update()
        .select_related("partner")
        .filter(program=program, partner=partner)
        .first()
    )
    item = (
        ReleaseItem.objects.filter(release=release, asset_id=publication.asset_id)
        .select_related("asset")
        .first()
    )
    if enrollment is None or item is None:
        return None
    enrollment.program = program
    now = timezone.now()
    at = total.acknowledged_at or total.viewed_at or now
    found = Acknowledgement.objects.filter(enrollment=enrollment, item=item).first()
    if found is not None and found.status == status:
        return enrollment
    before = {"status": found.status} if found is not None else None
    if found is None:
        Acknowledgement.objects.create(enrollment=enrollment, item=item, status=status, at=at)
    else:
        found.status, found.at = status, at
        found.save(update_fields=["status", "at"])
    after = {"material": item.asset.name, "status": status, "at": iso(at)}
    action = "onboarding.declined" if status == A.DECLINED else "onboarding.acknowledged"
    completed = False
    if status == A.ACKNOWLEDGED:
        if FollowUp.objects.filter(enrollment=enrollment, item=item, done_at=None).update(
            done_at=now, note="Acknowledged by the partner."
        ):
            after["follow_up_closed"] = True
        if enrollment.state == E.ACTIVE and is_complete(enrollment):
            enrollment.state = E.COMPLETED
            enrollment.completed_at = max(at, enrollment.enrolled_at)
            enrollment.save(update_fields=["state", "completed_at"])
            action, completed = "onboarding.completed", True
            after["state"] = E.COMPLETED
    record(action, obj=enrollment, before=before, after=after)
    if completed:
        follow_enrolled(release)  # only partners in progress are shown the materials
    return enrollment
