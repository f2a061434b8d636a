"""API tokens in the admin: national admins see and revoke them; tokens are issued on the token page only (the
secret is shown once there), and their uses are read-only."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from localstandards.api.models import ApiToken, ApiTokenUse


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "creator", "scope_level", "can_write", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope_level", "can_write"]
    search_fields = ["name", "prefix", "creator__username"]
    list_select_related = ["creator"]
    readonly_fields = [field.name for field in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=request.user)


@admin.register(ApiTokenUse)
class ApiTokenUseAdmin(admin.ModelAdmin):
    list_display = ["used_at", "token", "method", "path", "ip_address"]
    list_select_related = ["token"]
    search_fields = ["token__name", "token__prefix", "path"]
    date_hierarchy = "used_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
