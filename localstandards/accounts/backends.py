from django.contrib.auth.backends import BaseBackend


class NationalAdminPermissionBackend(BaseBackend):
    """National administrators hold every model permission in the admin; nobody else gets any from here."""

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return bool(getattr(user_obj, "is_national_admin", False))

    def has_module_perms(self, user_obj, app_label) -> bool:
        return bool(getattr(user_obj, "is_national_admin", False))
