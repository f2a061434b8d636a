from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "localstandards.accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from localstandards.accounts import two_factor  # noqa: F401 (connects the login receiver)
