"""Partner requests: what Trading Grid said, and what the portal decided and did about it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.models import Asset, Community, Partner, Release

TG_OPEN_STATUSES = ("new", "open", "pending_partner", "pending_internal")


class PartnerRequest(models.Model):
    class Kind(models.TextChoices):
        ASSET_REQUEST = "asset_request", "Asset request"
        NEW_ASSET = "new_asset", "New asset"
        LOCALIZED_VERSION = "localized_version", "Localised version"
        MISSING = "missing", "Content issue: missing"
        OUTDATED = "outdated", "Content issue: outdated"
        HARD_TO_FIND = "hard_to_find", "Content issue: hard to find"
        QUESTION = "question", "Question"

    class State(models.TextChoices):
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        IN_PROGRESS = "in_progress", "In progress"
        WAITING_FOR_PARTNER = "waiting_for_partner", "Waiting for partner"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        DELIVERED = "delivered", "Delivered"
        CONFIRMED = "confirmed", "Confirmed"
        CLOSED = "closed", "Closed"
        REJECTED = "rejected", "Rejected"

    OPEN_STATES = (
        State.NEW,
        State.TRIAGED,
        State.IN_PROGRESS,
        State.WAITING_FOR_PARTNER,
        State.AWAITING_APPROVAL,
    )
    REPORT_KINDS = (Kind.MISSING, Kind.OUTDATED, Kind.HARD_TO_FIND)
    NEW_CONTENT_KINDS = (Kind.NEW_ASSET, Kind.LOCALIZED_VERSION)

    tg_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
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
    assets = models.ManyToManyField(Asset, blank=True, related_name="partner_requests")
    search_terms = models.JSONField(default=list, blank=True)
    baseline_versions = models.JSONField(default=dict, blank=True, editable=False)
    tg_status = models.CharField(max_length=20)
    tg_due_at = models.DateTimeField(null=True, blank=True)
    tg_created_at = models.DateTimeField(null=True, blank=True)
    tg_updated_at = models.DateTimeField(null=True, blank=True)

    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_requests",
    )
    due_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    opened_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    canto_album_id = models.CharField(max_length=64, blank=True)
    canto_album_name = models.CharField(max_length=255, blank=True)
    work_asset = models.ForeignKey(
        Asset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivery_release = models.ForeignKey(
        Release, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    # A question raised by a partner during onboarding belongs to the enrollment.
    enrollment = models.ForeignKey(
        "portal.Enrollment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    state_changed_at = models.DateTimeField(default=timezone.now)
    breach_noted_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["community", "tg_status"], name="request_open_idx"),
            models.Index(fields=["state", "due_at"], name="request_state_due_idx"),
            models.Index(fields=["owner", "state"], name="request_owner_idx"),
            models.Index(fields=["kind", "state"], name="request_kind_idx"),
            models.Index(fields=["-received_at", "-id"], name="request_received_idx"),
            models.Index(fields=["canto_album_id"], name="request_album_idx"),
            # The queue's other sort orders.
            models.Index(fields=["due_at", "id"], name="request_due_idx"),
            models.Index(fields=["state_changed_at", "id"], name="request_changed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject or self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"REQ-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def breached(self) -> bool:
        return bool(self.is_open and self.due_at and self.due_at < timezone.now())


class RequestComment(models.Model):
    class Origin(models.TextChoices):
        PARTNER = "tradinggrid", "Trading Grid"
        PORTAL = "portal", "Portal"

    request = models.ForeignKey(PartnerRequest, on_delete=models.CASCADE, related_name="comments")
    tg_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.PARTNER)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_type = models.CharField(max_length=20, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    visibility = models.CharField(max_length=10, blank=True)
    body = models.TextField(blank=True)
    tg_created_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"

    @property
    def is_public(self) -> bool:
        return self.visibility != "internal"


class ServiceLevel(models.Model):
    """How long each kind of request may take, set by a portal admin."""

    kind = models.CharField(max_length=20, choices=PartnerRequest.Kind.choices, unique=True)
    target_hours = models.PositiveIntegerField(help_text="Hours from receipt to delivery.")
    warn_hours = models.PositiveIntegerField(
        default=24, help_text="Hours before the due date when the request counts as due soon."
    )

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target_hours} h"


class SavedView(models.Model):
    """A person's named filter of the request queue."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class LocalisedVariant(models.Model):
    """A language version of an asset, linked when a localisation request delivered it."""

    source = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="variants")
    variant = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="variant_of")
    locale = models.CharField(max_length=16)
    request = models.ForeignKey(
        PartnerRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["locale"]

    def __str__(self) -> str:
        return f"{self.variant} ({self.locale}) of {self.source}"
