from django.contrib import admin

from portal.models import Asset, Community, JobRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by workers and syncs: inspected in the admin site, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "scheme",
        "approval_status",
        "version_no",
        "category",
        "language",
        "region",
        "regulated",
        "canto_modified",
    ]
    list_filter = ["scheme", "approval_status", "regulated", "deleted_in_canto"]
    search_fields = ["name", "canto_id"]


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["task_name", "state", "trigger", "requested_by", "queued_at", "duration"]
    list_filter = ["state", "trigger"]
    search_fields = ["task_name", "task_id", "error"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    """Communities come from Trading Grid; the portal's own policy is the one editable field."""

    list_display = ["name", "tg_id", "status", "region", "review_optional"]
    list_filter = ["review_optional", "status", "region"]
    search_fields = ["name", "tg_id"]
    fields = ["name", "tg_id", "status", "regions", "tiers", "review_optional"]
    readonly_fields = ["name", "tg_id", "status", "regions", "tiers"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from portal.kits import admin as kits_admin  # noqa: E402, F401  (registers its models)
from portal.onboarding import admin as onboarding_admin  # noqa: E402, F401  (registers)
from portal.usage import admin as usage_admin  # noqa: E402, F401  (registers its models)
