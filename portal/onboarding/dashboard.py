"""What the dashboard shows about onboarding: the person's open follow-ups and overdue partners."""

from __future__ import annotations

from portal.models import Enrollment
from portal.onboarding.rules import visible_enrollments, visible_follow_ups


def needs_now(user, now=None) -> dict:
    """Open follow-ups assigned to the person (the first few of them) and overdue enrollments."""
    from django.utils import timezone

    mine = visible_follow_ups(user).filter(assigned_to=user, done_at=None)
    overdue = visible_enrollments(user).filter(
        state=Enrollment.State.ACTIVE, due_at__lt=now or timezone.now()
    )
    return {
        "mine": mine.count(),
        "first": list(
            mine.select_related("enrollment__partner", "item__asset").order_by("created_at", "pk")[
                :5
            ]
        ),
        "overdue": overdue.count(),
    }
