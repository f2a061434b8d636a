from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "localstandards.accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from localstandards.accounts.throttling import note_login_failure

        user_login_failed.connect(note_login_failure, dispatch_uid="accounts.note_login_failure")

        from localstandards.accounts import two_factor  # noqa: F401 (connects the login receiver)
