"""Partner communities and partners: the portal's mirror of Trading Grid (Active Community).

Trading Grid stays the source of truth for partners and what they see; these rows are what
the portal last saw. Partners who leave a community keep their membership row, marked left.
"""

from django.db import models


class Community(models.Model):
    tg_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=32, blank=True)
    regions = models.JSONField(default=list, blank=True)
    tiers = models.JSONField(default=list, blank=True)
    review_optional = models.BooleanField(
        "review optional",
        default=False,
        help_text="Releases with no regulated asset may be published without compliance review.",
    )
    # The first region, for narrowing lists and granting "all communities of a region".
    region = models.CharField(max_length=32, blank=True, db_index=True)
    # ``|EMEA|APAC|``: every region, so a region grant covers multi-region communities.
    region_index = models.CharField(max_length=255, blank=True, editable=False)
    tg_updated_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"
        # Granted per community (django-guardian) or for a whole region (RegionGrant).
        permissions = [("act_on_community", "Can act on this community")]

    def __str__(self) -> str:
        return self.name


class Partner(models.Model):
    tg_id = models.CharField(max_length=64, unique=True)
    company_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, blank=True)
    tier = models.CharField(max_length=32, blank=True, db_index=True)
    regions = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=16, blank=True)
    tags = models.JSONField(default=list, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    tg_updated_at = models.DateTimeField(null=True, blank=True)
    communities = models.ManyToManyField(Community, through="Membership", related_name="partners")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["company_name"]

    def __str__(self) -> str:
        return self.company_name


class Membership(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "community"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["community", "active"], name="membership_active_idx")]

    def __str__(self) -> str:
        return f"{self.partner} in {self.community}"


class Contact(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    tg_id = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    locale = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


class RegionGrant(models.Model):
    """Access to every community of a region, present and future."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="region_grants")
    region = models.CharField(max_length=32)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="region_grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → all of {self.region}"
