"""Publications: one asset version visible in one community, as the portal decided it.

Trading Grid shows partners what it holds; reconciliation compares that with these rows and
repairs the difference through the outbox.
"""

from django.db import models

from portal.models.catalog import Asset
from portal.models.communities import Community


class Publication(models.Model):
    class State(models.TextChoices):
        PUBLISHING = "publishing", "Being published"
        LIVE = "live", "Live"
        WITHDRAWING = "withdrawing", "Being withdrawn"
        WITHDRAWN = "withdrawn", "Withdrawn"
        SUPERSEDED = "superseded", "Replaced by a newer version"

    release = models.ForeignKey(
        "portal.Release",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
    )
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="publications")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="publications")
    version_no = models.PositiveIntegerField()
    md5 = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=255)
    external_ref = models.CharField(max_length=128)
    # The audience last sent to Trading Grid (partner ids, tiers, regions).
    audience = models.JSONField(default=dict, blank=True)
    tg_id = models.CharField(max_length=64, blank=True, db_index=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PUBLISHING)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.CharField(max_length=255, blank=True)
    drift = models.CharField(max_length=255, blank=True)
    drift_found_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["community", "state"], name="publication_state_idx"),
            models.Index(fields=["asset", "state"], name="publication_asset_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version_no} in {self.community}"
