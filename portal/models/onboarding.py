"""Onboarding programs: what a partner new to a community should read, and whether they did.

A program is a release of kind ``onboarding`` for one community: its items are the materials,
in order, each saying whether it needs acknowledgement. Partners joining the community are
enrolled; the materials are published to the enrolled partners; acknowledgements read from
Trading Grid tick items off, and items still open after the target time become follow-ups for
the community's manager.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from portal.models.communities import Community, Partner
from portal.models.releases import Release, ReleaseItem


class OnboardingProgram(models.Model):
    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="program")
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="onboarding_programs"
    )
    target_days = models.PositiveIntegerField(
        default=30, help_text="Days a new partner has to complete the program."
    )
    active = models.BooleanField(
        default=True, help_text="Partners joining the community are enrolled while it is active."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["community__name", "id"]
        permissions = [("enroll_partner", "Can enroll partners in an onboarding program")]

    def __str__(self) -> str:
        return self.release.name

    def get_absolute_url(self) -> str:
        return reverse("onboarding:detail", args=[self.pk])


class Enrollment(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "In progress"
        COMPLETED = "completed", "Completed"
        LEFT = "left", "Left the community"

    class Source(models.TextChoices):
        JOINED = "joined", "Joined the community"
        MANUAL = "manual", "Enrolled by a manager"

    program = models.ForeignKey(
        OnboardingProgram, on_delete=models.CASCADE, related_name="enrollments"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="enrollments")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.JOINED)
    enrolled_at = models.DateTimeField()
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "partner"], name="enrollment_unique"),
        ]
        indexes = [
            models.Index(fields=["program", "state", "due_at"], name="enrollment_state_idx"),
            models.Index(fields=["state", "due_at"], name="enrollment_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} in {self.program}"


class Acknowledgement(models.Model):
    """A partner acknowledged (or declined) one material, as Trading Grid reported it."""

    class Status(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        DECLINED = "declined", "Declined"

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    item = models.ForeignKey(ReleaseItem, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices)
    at = models.DateTimeField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["enrollment", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "item"], name="acknowledgement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment.partner}: {self.item.asset} {self.status}"


class FollowUp(models.Model):
    """An overdue material of an enrollment, for the community's manager to chase."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="follow_ups")
    item = models.ForeignKey(ReleaseItem, on_delete=models.CASCADE, related_name="+")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["done_at", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "item"], name="follow_up_unique"),
        ]
        indexes = [models.Index(fields=["assigned_to", "done_at"], name="follow_up_owner_idx")]

    def __str__(self) -> str:
        return f"Follow up {self.enrollment.partner} on {self.item.asset}"
