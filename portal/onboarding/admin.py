"""Onboarding in the admin site: read only, since every change goes through the services."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin
from portal.models import Acknowledgement, Enrollment, FollowUp, OnboardingProgram


@admin.register(OnboardingProgram)
class OnboardingProgramAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "community", "target_days", "active", "created_at"]
    list_filter = ["active", "community"]
    search_fields = ["release__name"]
    list_select_related = ["release", "community"]


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["partner", "program", "state", "source", "enrolled_at", "due_at"]
    list_filter = ["state", "source"]
    search_fields = ["partner__company_name", "partner__tg_id", "program__release__name"]
    list_select_related = ["partner", "program__release"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["enrollment", "item", "status", "at"]
    list_filter = ["status"]
    list_select_related = ["enrollment__partner", "enrollment__program__release", "item__asset"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["enrollment", "item", "assigned_to", "created_at", "done_at"]
    list_filter = ["done_at"]
    list_select_related = [
        "enrollment__partner",
        "enrollment__program__release",
        "item__asset",
        "assigned_to",
    ]
