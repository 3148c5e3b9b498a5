"""Models of the portal core. Every Celery task run is kept as a ``JobRun``."""

from django.db import models

from portal.context import VIA_CHOICES


class JobRun(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        STARTED = "started", "Running"
        RETRYING = "retrying", "Waiting to retry"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    task_id = models.CharField(max_length=64, unique=True)
    task_name = models.CharField(max_length=200, db_index=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    trigger = models.CharField(max_length=16, choices=VIA_CHOICES, default="system")
    requested_by = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    arguments = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds")
    result = models.TextField(blank=True)
    error = models.TextField(blank=True)
    traceback = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "-id"], name="jobrun_state_idx"),
            models.Index(fields=["queued_at"], name="jobrun_queued_idx"),
        ]
        permissions = [("run_jobs", "Can start maintenance jobs")]

    def __str__(self) -> str:
        return f"{self.task_name} [{self.task_id}]"

    @property
    def short_name(self) -> str:
        return self.task_name.rsplit(".", 1)[-1].replace("_", " ")

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)
