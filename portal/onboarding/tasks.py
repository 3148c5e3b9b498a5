"""Worker tasks of onboarding programs."""

from __future__ import annotations

from celery import shared_task

from portal.onboarding import enrollments, follow_ups


@shared_task(name="portal.onboarding.tasks.follow_up_overdue")
def follow_up_overdue() -> int:
    """Beat: follow-ups for materials still open after an enrollment's target time."""
    return follow_ups.create_due()


@shared_task(name="portal.onboarding.tasks.follow_enrolled_partners")
def follow_enrolled_partners() -> int:
    """Beat: materials whose audience lags behind the enrolled partners are shown to them."""
    return enrollments.follow_all()
