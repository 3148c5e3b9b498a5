"""Housekeeping tasks of the portal core."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import record
from portal.models import JobRun


@shared_task(name="portal.tasks.prune_job_runs")
def prune_job_runs() -> int:
    """Forget finished job records older than the retention period (JOB_RUN_RETENTION_DAYS)."""
    cutoff = timezone.now() - timedelta(days=settings.JOB_RUN_RETENTION_DAYS)
    with transaction.atomic():
        old = JobRun.objects.filter(
            state__in=[JobRun.State.SUCCEEDED, JobRun.State.FAILED], finished_at__lt=cutoff
        )
        count, _ = old.delete()
        if count:
            record("jobs.pruned", after={"deleted": count, "older_than": cutoff})
    return count
