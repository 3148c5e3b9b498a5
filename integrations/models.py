"""What the workers did (sync runs), received (the inbox) and how Canto fields are read."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        CANTO_FULL = "canto_full", "Canto full sync"
        CANTO_INCREMENTAL = "canto_incremental", "Canto incremental sync"
        TG_FULL = "tg_full", "Trading Grid full sync"
        TG_INCREMENTAL = "tg_incremental", "Trading Grid incremental sync"
        TG_RECONCILE = "tg_reconcile", "Trading Grid reconciliation"
        TG_REQUESTS = "tg_requests", "Trading Grid request poll"

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Runs sharing a lock key never overlap (a partial unique constraint holds the lock).
    lock_key = models.CharField(max_length=32)
    state = models.CharField(max_length=12, choices=State.choices, default=State.RUNNING)
    requested_by = models.CharField(max_length=150, blank=True)
    since = models.DateTimeField(null=True, blank=True, help_text="Changes asked for since")
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    expected = models.PositiveIntegerField(null=True, blank=True)
    seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lock_key"], condition=Q(state="running"), name="one_running_sync_per_lock"
            )
        ]
        indexes = [models.Index(fields=["kind", "state", "-id"], name="syncrun_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def progress_percent(self) -> int | None:
        if not self.expected:
            return None
        return min(100, round(100 * self.seen / self.expected))

    @property
    def duration(self) -> float | None:
        if not self.finished_at:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SyncFailure(models.Model):
    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="failures")
    external_id = models.CharField(max_length=128, blank=True)
    error = models.TextField()
    payload = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.error[:60]}"


class InboxEvent(models.Model):
    """A received webhook, stored before anything else happens to it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"
        REJECTED = "rejected", "Rejected"

    source = models.CharField(max_length=20)
    event_type = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    remote_ip = models.CharField(max_length=45, blank=True, null=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "id"], name="inbox_status_idx")]

    def __str__(self) -> str:
        return f"{self.source} {self.event_type} #{self.pk}"


class CantoFieldMapping(models.Model):
    """Which Canto custom fields (keys of ``additional``) mean what. Edited by portal admins."""

    category_field = models.CharField(max_length=100)
    language_field = models.CharField(max_length=100)
    region_field = models.CharField(max_length=100)
    regulated_field = models.CharField(max_length=100, blank=True)
    regulated_values = models.CharField(
        max_length=200, help_text="Comma-separated values of the regulated field meaning yes"
    )
    regulated_categories = models.TextField(
        blank=True, help_text="Comma-separated categories that are always regulated"
    )
    expiry_field = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Canto field mapping"

    def __str__(self) -> str:
        return "Canto field mapping"

    @classmethod
    def current(cls) -> "CantoFieldMapping":
        mapping = cls.objects.order_by("pk").first()
        if mapping is None:
            defaults = settings.CANTO_FIELDS
            mapping = cls(
                category_field=defaults["category"],
                language_field=defaults["language"],
                region_field=defaults["region"],
                regulated_field=defaults["regulated"],
                regulated_values=defaults["regulated_values"],
                regulated_categories=defaults["regulated_categories"],
                expiry_field=defaults["expiry"],
            )
        return mapping

    @staticmethod
    def split(value: str) -> set[str]:
        return {part.strip().lower() for part in value.split(",") if part.strip()}


class OutboxMessage(models.Model):
    """A write the portal owes Trading Grid or Canto, saved with the decision that caused it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        RETRYING = "retrying", "Waiting to retry"
        SENT = "sent", "Sent"
        DEAD = "dead", "Dead"
        CANCELLED = "cancelled", "Cancelled"

    operation = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    requested_by = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["object_type", "object_id"], name="outbox_object_idx"),
        ]
        permissions = [("manage_outbox", "Can retry or cancel outbox messages")]

    def __str__(self) -> str:
        return f"{self.operation} #{self.pk} ({self.status})"
