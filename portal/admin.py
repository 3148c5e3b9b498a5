from django.contrib import admin

from portal.models import Asset, JobRun


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
