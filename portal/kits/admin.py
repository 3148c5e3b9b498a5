"""Admin of campaign kits: inspected here, changed on the kit pages (through the services)."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin
from portal.models import Kit, KitReminder


@admin.register(Kit)
class KitAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "deadline", "remind_hours_before", "reminded_at", "created_at"]
    date_hierarchy = "deadline"


@admin.register(KitReminder)
class KitReminderAdmin(ReadOnlyAdmin):
    list_display = ["kit", "partner", "recipients", "sent_at"]
    raw_id_fields = ["partner"]
