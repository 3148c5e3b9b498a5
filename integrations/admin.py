from django.contrib import admin

from integrations.models import CantoFieldMapping, InboxEvent, SyncRun
from portal.admin import ReadOnlyAdmin


@admin.register(CantoFieldMapping)
class CantoFieldMappingAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "category_field",
        "language_field",
        "region_field",
        "regulated_field",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["category_field", "language_field", "region_field", "expiry_field"]}),
        (
            "Regulated content",
            {"fields": ["regulated_field", "regulated_values", "regulated_categories"]},
        ),
    ]

    def has_add_permission(self, request):
        # One mapping per installation.
        return super().has_add_permission(request) and not CantoFieldMapping.objects.exists()

    def get_changeform_initial_data(self, request):
        current = CantoFieldMapping.current()
        return {
            f: getattr(current, f)
            for f in (
                "category_field",
                "language_field",
                "region_field",
                "expiry_field",
                "regulated_field",
                "regulated_values",
                "regulated_categories",
            )
        }


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "kind",
        "state",
        "started_at",
        "seen",
        "created",
        "updated",
        "deleted",
        "failed",
    ]
    list_filter = ["kind", "state"]


@admin.register(InboxEvent)
class InboxEventAdmin(ReadOnlyAdmin):
    list_display = ["pk", "source", "event_type", "status", "received_at", "attempts", "error"]
    list_filter = ["source", "status", "event_type"]
    search_fields = ["body", "error"]
