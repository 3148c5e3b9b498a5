from django.contrib import admin

from requests_app.models import PartnerRequest, RequestComment, ServiceLevel, StatusLink


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    """How long each kind of request may take: portal admins set it here."""

    list_display = ["kind", "target_hours", "warn_hours"]
    list_editable = ["target_hours", "warn_hours"]


class CommentInline(admin.TabularInline):
    model = RequestComment
    fields = ["created_at", "origin", "visibility", "author_name", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


class StatusLinkInline(admin.TabularInline):
    model = StatusLink
    fields = ["hint", "created_at", "expires_at", "revoked_at", "views", "last_viewed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PartnerRequest)
class PartnerRequestAdmin(admin.ModelAdmin):
    """Requests change through the portal's pages and services; here they are only read."""

    list_display = ["__str__", "kind", "state", "community", "partner", "owner", "due_at"]
    list_filter = ["state", "kind"]
    search_fields = ["subject", "tg_id", "partner__company_name"]
    list_select_related = ["community", "partner", "owner"]
    date_hierarchy = "received_at"
    inlines = [CommentInline, StatusLinkInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["assets"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
