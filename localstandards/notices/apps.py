from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "localstandards.notices"
    verbose_name = _("Notices and reminders")
