"""The catalog: the portal's mirror of Canto. Canto stays the source of truth for files and
metadata; these rows are what the portal last saw, kept current by the catalog sync."""

from django.db import models
from django.urls import reverse

SCHEMES = [
    ("image", "Image"),
    ("video", "Video"),
    ("audio", "Audio"),
    ("document", "Document"),
    ("presentation", "Presentation"),
    ("other", "Other"),
]
APPROVED = "Approved"


def index_text(values) -> str:
    """``|a|b|``: lets one indexed text column answer "has tag x" on SQLite and PostgreSQL."""
    cleaned = sorted({str(v).strip().lower() for v in values if str(v).strip()})
    return "|" + "|".join(cleaned) + "|" if cleaned else ""


class Album(models.Model):
    canto_id = models.CharField(max_length=64, unique=True)
    scheme = models.CharField(max_length=10, default="album")  # album or folder
    name = models.CharField(max_length=255)
    id_path = models.CharField(max_length=500, blank=True)
    name_path = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["name_path", "name"]

    def __str__(self) -> str:
        return self.name_path or self.name


class Asset(models.Model):
    canto_id = models.CharField(max_length=64, unique=True)
    scheme = models.CharField(max_length=16, choices=SCHEMES)
    name = models.CharField(max_length=500)
    version_no = models.PositiveIntegerField(default=1)
    md5 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    mime_type = models.CharField(max_length=150, blank=True)
    approval_status = models.CharField(max_length=64)
    expires_at = models.DateTimeField(null=True, blank=True)
    category = models.CharField(max_length=150, blank=True)
    language = models.CharField(max_length=32, blank=True)
    region = models.CharField(max_length=64, blank=True)
    regulated = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    tag_index = models.TextField(blank=True, editable=False)
    albums = models.JSONField(default=list, blank=True)
    album_index = models.TextField(blank=True, editable=False)
    custom_fields = models.JSONField(default=dict, blank=True)
    owner_name = models.CharField(max_length=150, blank=True)
    canto_created = models.DateTimeField(null=True, blank=True)
    canto_modified = models.DateTimeField(null=True, blank=True)
    preview_url = models.URLField(max_length=1000, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    last_seen_at = models.DateTimeField()
    deleted_in_canto = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-canto_modified", "-id"]
        indexes = [
            models.Index(fields=["-canto_modified", "-id"], name="asset_modified_idx"),
            models.Index(fields=["name"], name="asset_name_idx"),
            models.Index(fields=["approval_status"], name="asset_status_idx"),
            models.Index(fields=["scheme"], name="asset_scheme_idx"),
            models.Index(fields=["category"], name="asset_category_idx"),
            models.Index(fields=["language"], name="asset_language_idx"),
            models.Index(fields=["region"], name="asset_region_idx"),
            models.Index(fields=["last_seen_at"], name="asset_seen_idx"),
        ]
        permissions = [("start_sync", "Can start a catalog sync")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:detail", args=[self.pk])

    @property
    def eligibility_problem(self) -> str:
        """Why partners may not receive this asset now, or "" when they may."""
        from django.utils import timezone

        if self.deleted_in_canto:
            return "Deleted in Canto"
        if self.approval_status != APPROVED:
            return f"Canto status is {self.approval_status}, not Approved"
        if self.expires_at and self.expires_at <= timezone.now():
            return "Expired in Canto"
        return ""


class AssetVersion(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    no = models.PositiveIntegerField()
    md5 = models.CharField(max_length=64, blank=True)
    owner_name = models.CharField(max_length=150, blank=True)
    comment = models.TextField(blank=True)
    canto_created = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset", "-no"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "no"], name="asset_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} v{self.no}"
