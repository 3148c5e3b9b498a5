from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only everywhere, the admin site included."""

    list_display = ["seq", "time", "actor_name", "action", "object_type", "object_label"]
    list_filter = ["action", "actor_type", "via"]
    search_fields = ["object_label", "actor_name", "reason"]
    date_hierarchy = "time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
