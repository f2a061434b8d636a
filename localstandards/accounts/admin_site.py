"""Django admin, open to national administrators only (not merely to `is_staff`)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class NationalAdminSite(admin.AdminSite):
    site_header = _("Minimum standards: administration")
    site_title = _("Administration")
    index_title = _("National administration")

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and getattr(user, "is_national_admin", False))


class LocalStandardsAdminConfig(AdminConfig):
    default_site = "localstandards.accounts.admin_site.NationalAdminSite"
