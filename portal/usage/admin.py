"""Admin of usage feedback: the write-back fields (one per installation) and the stored rows."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin
from portal.models import UsageDaily, UsageFields

FIELDS = ["downloads_field", "views_field", "acknowledgements_field", "communities_field"]


@admin.register(UsageFields)
class UsageFieldsAdmin(admin.ModelAdmin):
    list_display = ["__str__", *FIELDS, "updated_at"]
    fieldsets = [
        (
            "Canto custom fields (name or id) that receive each asset's totals; blank: not written",
            {"fields": FIELDS},
        )
    ]

    def has_add_permission(self, request):
        # One configuration per installation.
        return super().has_add_permission(request) and not UsageFields.objects.exists()

    def get_changeform_initial_data(self, request):
        current = UsageFields.current()
        return {f: getattr(current, f) for f in FIELDS}


@admin.register(UsageDaily)
class UsageDailyAdmin(ReadOnlyAdmin):
    list_display = ["day", "asset", "version_no", "community", "partner", "views", "downloads"]
    list_filter = ["community"]
    date_hierarchy = "day"
    raw_id_fields = ["asset", "partner"]
