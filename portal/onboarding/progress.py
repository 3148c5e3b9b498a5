"""How far partners are: what the program page, the lists and the API show, read in a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.models import Acknowledgement, Enrollment, FollowUp, OnboardingProgram, ReleaseItem

E = Enrollment.State


def _counted(queryset: QuerySet, group: str) -> Coalesce:
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_progress(enrollments: QuerySet[Enrollment], now=None) -> QuerySet[Enrollment]:
    """Each enrollment with ``required``, ``acknowledged`` (of those), ``open_follow_ups``,
    ``questions`` and ``overdue``, and the partner, program and community."""
    from requests_app.models import PartnerRequest

    now = now or timezone.now()
    required = ReleaseItem.objects.filter(
        release_id=OuterRef("program__release_id"), needs_acknowledgement=True, withdrawn_reason=""
    )
    acknowledged = Acknowledgement.objects.filter(
        enrollment_id=OuterRef("pk"),
        status=Acknowledgement.Status.ACKNOWLEDGED,
        item__needs_acknowledgement=True,
        item__withdrawn_reason="",
    )
    follow_ups = FollowUp.objects.filter(enrollment_id=OuterRef("pk"), done_at=None)
    questions = PartnerRequest.objects.filter(enrollment_id=OuterRef("pk"))
    return enrollments.select_related("partner", "program__release", "program__community").annotate(
        required=_counted(required, "release_id"),
        acknowledged=_counted(acknowledged, "enrollment_id"),
        open_follow_ups=_counted(follow_ups, "enrollment_id"),
        questions_count=_counted(questions, "enrollment_id"),
        overdue=Case(
            When(state=E.ACTIVE, due_at__lt=now, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def with_figures(programs: QuerySet[OnboardingProgram], now=None) -> QuerySet[OnboardingProgram]:
    """Each program with its counts of materials and of enrollments by state, and overdue."""
    now = now or timezone.now()
    items = ReleaseItem.objects.filter(release_id=OuterRef("release_id"))
    enrolled = Enrollment.objects.filter(program_id=OuterRef("pk"))
    return programs.select_related("release", "community").annotate(
        materials=_counted(items, "release_id"),
        required=_counted(items.filter(needs_acknowledgement=True), "release_id"),
        in_progress=_counted(enrolled.filter(state=E.ACTIVE), "program_id"),
        completed=_counted(enrolled.filter(state=E.COMPLETED), "program_id"),
        left=_counted(enrolled.filter(state=E.LEFT), "program_id"),
        overdue=_counted(enrolled.filter(state=E.ACTIVE, due_at__lt=now), "program_id"),
    )


def overdue(enrollments: QuerySet[Enrollment], now=None) -> QuerySet[Enrollment]:
    return enrollments.filter(state=E.ACTIVE, due_at__lt=now or timezone.now())


def days_to_complete(enrollments: QuerySet[Enrollment]) -> list[float]:
    """Days from enrollment to completion of each completed enrollment (one query)."""
    rows = enrollments.filter(state=E.COMPLETED, completed_at__isnull=False).values_list(
        "enrolled_at", "completed_at"
    )
    return [max((done - start).total_seconds(), 0) / 86400 for start, done in rows]


def median_of(days: list[float]) -> float | None:
    return round(statistics.median(days), 1) if days else None


def median_days(enrollments: QuerySet[Enrollment]) -> float | None:
    return median_of(days_to_complete(enrollments))


@dataclass
class Summary:
    """A program's figures for its page."""

    in_progress: int
    completed: int
    left: int
    overdue: int
    median_days: float | None

    @property
    def total(self) -> int:
        return self.in_progress + self.completed + self.left


def summary(program: OnboardingProgram, now=None) -> Summary:
    now = now or timezone.now()
    mine = Enrollment.objects.filter(program=program)
    counts = mine.aggregate(
        in_progress=Count("pk", filter=Q(state=E.ACTIVE)),
        completed=Count("pk", filter=Q(state=E.COMPLETED)),
        left=Count("pk", filter=Q(state=E.LEFT)),
        overdue=Count("pk", filter=Q(state=E.ACTIVE, due_at__lt=now)),
    )
    return Summary(**counts, median_days=median_days(mine))


def material_rows(enrollment: Enrollment) -> list[dict]:
    """Each material of the program with the partner's acknowledgement, in order."""
    found = {a.item_id: a for a in Acknowledgement.objects.filter(enrollment=enrollment)}
    rows = []
    items = ReleaseItem.objects.filter(release_id=enrollment.program.release_id).select_related(
        "asset"
    )
    for item in items.order_by("position", "id"):
        ack = found.get(item.pk)
        rows.append(
            {
                "item": item.pk,
                "asset": item.asset_id,
                "name": item.asset.name,
                "needs_acknowledgement": item.needs_acknowledgement,
                "withdrawn_reason": item.withdrawn_reason,
                "status": ack.status if ack else "open",
                "at": ack.at if ack else None,
            }
        )
    return rows


def with_details(enrollment: Enrollment) -> Enrollment:
    """The enrollment with its materials' acknowledgements and its questions attached."""
    from requests_app.models import PartnerRequest

    enrollment.material_rows = material_rows(enrollment)
    enrollment.question_rows = [
        {"id": q.pk, "reference": q.reference, "subject": q.subject, "state": q.state, "obj": q}
        for q in PartnerRequest.objects.filter(enrollment=enrollment).order_by("-received_at")
    ]
    return enrollment
