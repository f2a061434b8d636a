from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from localstandards.accounts.models import RoleMembership, User


class RoleMembershipInline(admin.TabularInline):
    model = RoleMembership
    extra = 0
    autocomplete_fields = ["local_government", "district", "province"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleMembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "last_login"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Work"), {"fields": ("position", "phone")}),
    )


@admin.register(RoleMembership)
class RoleMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "local_government", "district", "province", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "local_government__name_th"]
    autocomplete_fields = ["user", "local_government", "district", "province"]
