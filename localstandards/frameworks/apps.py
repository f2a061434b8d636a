from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    name = "localstandards.frameworks"
    verbose_name = _("Assessment frameworks")
    default_auto_field = "django.db.models.BigAutoField"
