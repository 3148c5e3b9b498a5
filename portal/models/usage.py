"""Usage feedback: what partners did with published content, as Trading Grid counts it.

``UsageTotal`` keeps Trading Grid's running totals per publication and partner as last read;
the difference to a newer reading is added to ``UsageDaily``, one row per day, asset version,
community and partner, which is what pages, the API and the export read. ``AssetUsage`` holds
what was last written back to Canto's custom fields, which ``UsageFields`` names.
"""

from django.conf import settings
from django.db import models

from portal.models.catalog import Asset
from portal.models.communities import Community, Partner
from portal.models.publications import Publication


class UsageTotal(models.Model):
    """One partner's totals on one Trading Grid publication, as Trading Grid last showed them.

    Keyed by the Trading Grid publication id: a new version replaces the older one in the same
    Trading Grid publication, whose counts keep running; ``publication`` is the portal row the
    latest counts were attributed to.
    """

    tg_id = models.CharField(max_length=64)
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="usage_totals"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="usage_totals")
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    ack_status = models.CharField(max_length=16, blank=True)
    # Whether this partner's acknowledgement has been counted (once, however often it is read).
    acknowledged = models.BooleanField(default=False)
    viewed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tg_id", "partner"]
        constraints = [
            models.UniqueConstraint(fields=["tg_id", "partner"], name="usage_total_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} on {self.tg_id}"


class UsageDaily(models.Model):
    """Views, downloads and acknowledgements of one day, asset version, community and partner."""

    day = models.DateField()
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="usage_days")
    version_no = models.PositiveIntegerField()
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="usage_days")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="usage_days")
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    acknowledgements = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "asset", "-version_no", "community", "partner"]
        verbose_name = "daily usage"
        verbose_name_plural = "daily usage"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "asset", "version_no", "community", "partner"],
                name="usage_daily_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["asset", "day"], name="usage_asset_idx"),
            models.Index(fields=["community", "day"], name="usage_community_idx"),
            models.Index(fields=["partner", "day"], name="usage_partner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} v{self.version_no}, {self.partner} in {self.community}, {self.day}"


class AssetUsage(models.Model):
    """An asset's totals over every version, community and partner, and what Canto was sent."""

    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="usage")
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    acknowledgements = models.PositiveIntegerField(default=0)
    communities = models.JSONField(default=list, blank=True)
    # New usage was recorded: the next write-back looks at this asset.
    pending = models.BooleanField(default=True, db_index=True)
    written_values = models.JSONField(default=dict, blank=True)
    written_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "asset usage"

    def __str__(self) -> str:
        return f"Usage of {self.asset}"


class UsageFields(models.Model):
    """Which Canto custom fields (by name or id) receive the totals; blank means not written.
    Edited by portal admins."""

    downloads_field = models.CharField(
        max_length=100, blank=True, help_text="e.g. Partner downloads"
    )
    views_field = models.CharField(max_length=100, blank=True, help_text="e.g. Partner views")
    acknowledgements_field = models.CharField(
        max_length=100, blank=True, help_text="e.g. Partner acknowledgements"
    )
    communities_field = models.CharField(
        max_length=100,
        blank=True,
        help_text="Names of the communities where the asset is live, e.g. Shared in communities",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "usage write-back fields"
        verbose_name_plural = "usage write-back fields"

    def __str__(self) -> str:
        return "Usage write-back fields"

    @classmethod
    def current(cls) -> "UsageFields":
        fields = cls.objects.order_by("pk").first()
        if fields is None:
            defaults = settings.USAGE_CANTO_FIELDS
            fields = cls(
                downloads_field=defaults["downloads"],
                views_field=defaults["views"],
                acknowledgements_field=defaults["acknowledgements"],
                communities_field=defaults["communities"],
            )
        return fields

    def mapping(self) -> dict[str, str]:
        """Total → Canto field, for the totals that are written."""
        named = {
            "downloads": self.downloads_field,
            "views": self.views_field,
            "acknowledgements": self.acknowledgements_field,
            "communities": self.communities_field,
        }
        return {total: field.strip() for total, field in named.items() if field.strip()}
