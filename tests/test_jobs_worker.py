"""A real Celery worker process runs tasks end to end; the job records follow them."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import record
from portal.models import JobRun
from tests.processes import wait_until


def _finished_job(task_name: str) -> JobRun:
    return wait_until(
        lambda: JobRun.objects.filter(
            task_name=task_name, state__in=[JobRun.State.SUCCEEDED, JobRun.State.FAILED]
        ).first(),
        timeout=60,
        message=f"{task_name} did not finish",
    )


def test_task_queued_from_the_web_runs_in_the_worker_in_the_askers_name(
    celery_worker, client, auditor
):
    client.force_login(auditor)
    response = client.post(reverse("audit:verify"), follow=True)
    assert b"Verification of the audit trail was queued" in response.content

    job = _finished_job("audit.tasks.verify_audit_chain")
    assert job.state == JobRun.State.SUCCEEDED, job.error
    assert (job.trigger, job.requested_by) == ("web", "aldo")
    assert job.started_at and job.finished_at and job.duration is not None
    assert job.worker.startswith("tests-")

    event = AuditEvent.objects.get(action="audit.verified")
    assert (event.actor_type, event.actor_name, event.via) == ("user", "aldo", "task")
    assert event.request_id == job.request_id

    page = client.get(reverse("job-detail", args=[job.pk]))
    assert b"Succeeded" in page.content


def test_failing_task_is_shown_as_failed_with_its_error(celery_worker, client, auditor):
    from django.db import connection

    from audit.tasks import verify_audit_chain

    for n in range(3):
        record("audit.exported", object_id=str(n))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute("UPDATE audit_auditevent SET reason = 'forged' WHERE seq = 2")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")

    verify_audit_chain.delay()
    job = _finished_job("audit.tasks.verify_audit_chain")
    assert job.state == JobRun.State.FAILED
    assert "AuditChainBroken: Audit trail broken at sequence #2" in job.error
    assert "Traceback" in job.traceback
    assert AuditEvent.objects.filter(action="audit.verify_failed").exists()

    client.force_login(auditor)
    listing = client.get(reverse("jobs"), {"state": "failed"})
    assert b"Audit trail broken at sequence #2" in listing.content
    detail = client.get(reverse("job-detail", args=[job.pk]))
    assert b"Failed" in detail.content and b"Traceback" in detail.content


@pytest.mark.django_db
def test_jobs_page_filters_by_state_and_hides_from_reviewers(client, auditor, reviewer):
    JobRun.objects.create(
        task_id="a", task_name="portal.tasks.prune_job_runs", state="failed", error="boom"
    )
    JobRun.objects.create(
        task_id="b", task_name="audit.tasks.verify_audit_chain", state="succeeded"
    )
    client.force_login(auditor)
    page = client.get(reverse("jobs"), {"state": "succeeded"})
    assert b"verify_audit_chain" in page.content and b"prune_job_runs" not in page.content
    client.force_login(reviewer)
    assert client.get(reverse("jobs")).status_code == 403
    assert client.get(reverse("job-detail", args=[1])).status_code == 403


PROBE = """
import json
from portal.celery import app
app.loader.import_default_modules()
print(json.dumps(sorted(app.tasks)))
"""


def test_a_worker_knows_every_scheduled_task():
    """What beat sends must be registered in a fresh worker process, not only in the web."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    from tests.processes import ROOT

    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    )
    assert result.returncode == 0, result.stderr
    registered = set(json.loads(result.stdout.strip().splitlines()[-1]))
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= registered, scheduled - registered
    assert {"integrations.tasks.relay_outbox", "integrations.tasks.process_inbox_event"} <= (
        registered
    )
