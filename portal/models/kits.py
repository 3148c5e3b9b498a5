"""Campaign kits: an ordered set of approved assets released together with a deadline.

A kit is a release of kind ``kit`` (reviewed and published by the same machinery) plus what
only a campaign has: the deadline by which partners should have acknowledged it and when to
remind those who have not. The launch date is the release's publication date.
"""

from django.db import models
from django.urls import reverse

from portal.models.communities import Partner
from portal.models.releases import Release


class Kit(models.Model):
    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="kit")
    deadline = models.DateTimeField()
    remind_hours_before = models.PositiveIntegerField(
        default=48, help_text="Hours before the deadline to remind partners who have not acted."
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["reminded_at", "deadline"], name="kit_reminder_idx")]

    def __str__(self) -> str:
        return self.release.name

    def get_absolute_url(self) -> str:
        return reverse("kits:detail", args=[self.pk])


class KitReminder(models.Model):
    """One reminder to one partner about one kit, sent once."""

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="reminders")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="kit_reminders")
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "partner"], name="kit_reminder_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kit} → {self.partner}"
