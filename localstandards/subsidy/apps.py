from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidyConfig(AppConfig):
    name = "localstandards.subsidy"
    verbose_name = _("Subsidy analysis")
