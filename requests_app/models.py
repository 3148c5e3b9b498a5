"""Partner requests as they arrive from Trading Grid."""

from django.db import models

from portal.models import Community, Partner

OPEN_STATUSES = ("new", "open", "pending_partner", "pending_internal")


class PartnerRequest(models.Model):
    class Kind(models.TextChoices):
        ASSET_REQUEST = "asset_request", "Asset request"
        NEW_ASSET = "new_asset", "New asset"
        LOCALIZED_VERSION = "localized_version", "Localised version"
        MISSING = "missing", "Content issue: missing"
        OUTDATED = "outdated", "Content issue: outdated"
        HARD_TO_FIND = "hard_to_find", "Content issue: hard to find"
        QUESTION = "question", "Question"

    tg_id = models.CharField(max_length=64, unique=True)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="requests")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    locale = models.CharField(max_length=16, blank=True)
    priority = models.CharField(max_length=16, blank=True)
    asset_refs = models.JSONField(default=list, blank=True)
    tg_status = models.CharField(max_length=20)
    tg_due_at = models.DateTimeField(null=True, blank=True)
    tg_created_at = models.DateTimeField(null=True, blank=True)
    tg_updated_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-tg_created_at", "-id"]
        indexes = [models.Index(fields=["community", "tg_status"], name="request_open_idx")]

    def __str__(self) -> str:
        return f"{self.tg_id}: {self.subject or self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.tg_status in OPEN_STATUSES


class RequestComment(models.Model):
    request = models.ForeignKey(PartnerRequest, on_delete=models.CASCADE, related_name="comments")
    tg_id = models.CharField(max_length=64, unique=True)
    author_type = models.CharField(max_length=20, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    visibility = models.CharField(max_length=10, blank=True)
    body = models.TextField(blank=True)
    tg_created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tg_created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"
