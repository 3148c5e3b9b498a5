"""The audit chain verification (the ``verify_audit_chain`` job beat runs daily) over the
seeded trail, in seconds per million events.

Goal ≤ 60 s per million: the job runs under the workers' soft time limit (9 minutes by
default), so at that rate one job verifies 9 million events, nine times the seeded three years.
The job is run in process, without a broker; it also appends its own ``audit.verified`` event.
"""

from __future__ import annotations

import statistics

from django.conf import settings

from audit.tasks import verify_audit_chain
from benchmarks import pages
from benchmarks.harness import Figure, timed

GOAL_SECONDS_PER_MILLION = 60


def run(quick: bool, reuse: bool = True) -> list[Figure]:
    """Verify the trail ``pages`` seeded in this process, or seed one of the same size."""
    if not (reuse and pages.installation(quick)):
        pages.build_installation(quick)
    durations, verified = [], 0
    for _ in range(3 if quick else 1):
        with timed() as took:
            verified = verify_audit_chain()["verified"]
        durations.append(took["seconds"])
    seconds = statistics.median(durations)
    per_million = seconds / verified * 1_000_000
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT
    return [
        Figure(
            "verify_audit seconds per million events",
            per_million,
            "s",
            f"<= {GOAL_SECONDS_PER_MILLION}",
            per_million <= GOAL_SECONDS_PER_MILLION,
            f"{verified:,} events in {seconds:.2f}s, {verified / seconds:,.0f} events/s; "
            f"the {budget}s task limit covers {budget / per_million:.1f} M events",
        )
    ]
