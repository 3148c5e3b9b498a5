"""Releases: chosen Canto asset versions for chosen partner communities, and their reviews.

A release pins each asset to the Canto version (number and md5) current when it was added.
Reviews approve exactly those versions; publishing only ever sends approved versions, so
``approved_version_no`` on an item is what partners may see and ``version_no`` is what is
proposed next.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from portal.models.catalog import Asset
from portal.models.communities import Community, Partner


class Release(models.Model):
    class Kind(models.TextChoices):
        ASSETS = "asset", "Assets"
        KIT = "kit", "Campaign kit"
        ONBOARDING = "onboarding", "Onboarding program"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHING = "publishing", "Publishing"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        OUTDATED = "outdated", "Outdated"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    class OnNewVersion(models.TextChoices):
        REVIEW = (
            "review",
            "Back to review; the approved version stays until the new one is approved",
        )
        WITHDRAW = "withdraw", "Withdraw the asset at once and send the release back to review"
        AUTO = "auto", "Update non-regulated assets automatically; regulated ones go to review"

    name = models.CharField(max_length=200)
    # A kit is one Trading Grid publication per community holding every file; the assets of a
    # plain release or an onboarding program are published one by one.
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ASSETS)
    instructions = models.TextField(blank=True)
    requires_acknowledgement = models.BooleanField(default=False)
    publish_at = models.DateTimeField(null=True, blank=True)
    expire_at = models.DateTimeField(null=True, blank=True)
    on_new_version = models.CharField(
        max_length=10, choices=OnNewVersion.choices, default=OnNewVersion.REVIEW
    )
    communities = models.ManyToManyField(Community, related_name="releases")
    tiers = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)
    partners = models.ManyToManyField(Partner, blank=True, related_name="releases")
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    state_changed_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE = (State.DRAFT, State.REJECTED)
    LIVE = (State.PUBLISHING, State.PUBLISHED, State.OUTDATED, State.IN_REVIEW, State.APPROVED)
    CLOSED = (State.WITHDRAWN, State.EXPIRED)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-updated_at"], name="release_state_idx"),
            models.Index(fields=["-updated_at", "-id"], name="release_updated_idx"),
            models.Index(fields=["publish_at"], name="release_publish_at_idx"),
            models.Index(fields=["expire_at"], name="release_expire_at_idx"),
            models.Index(fields=["kind", "-updated_at"], name="release_kind_idx"),
            # The review queue (oldest submission first) and the list's other sort orders.
            models.Index(fields=["submitted_at", "id"], name="release_submitted_idx"),
            models.Index(fields=["name"], name="release_name_idx"),
        ]
        permissions = [
            ("submit_release", "Can submit a release for review"),
            ("review_release", "Can approve or reject a release"),
            ("withdraw_release", "Can withdraw a release"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("releases:detail", args=[self.pk])

    @property
    def etag(self) -> str:
        return f'"release-{self.pk}-{self.revision}"'

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE


class ReleaseItem(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="release_items")
    position = models.PositiveIntegerField(default=0)
    version_no = models.PositiveIntegerField()
    md5 = models.CharField(max_length=64, blank=True)
    approved_version_no = models.PositiveIntegerField(null=True, blank=True)
    approved_md5 = models.CharField(max_length=64, blank=True)
    approved_snapshot = models.JSONField(default=dict, blank=True)
    withdrawn_reason = models.CharField(max_length=255, blank=True)
    # Onboarding materials each say whether partners must acknowledge them.
    needs_acknowledgement = models.BooleanField(default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["release", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "asset"], name="release_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} v{self.version_no}"

    @property
    def awaits_approval(self) -> bool:
        return self.approved_version_no != self.version_no or self.approved_md5 != self.md5


class Review(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True)
    revision = models.PositiveIntegerField()
    versions = models.JSONField(default=dict)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer_name}"
