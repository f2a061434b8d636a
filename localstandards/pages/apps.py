from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The top layer: pages that bring several apps together (home pages per role, About)."""

    name = "localstandards.pages"
    verbose_name = _("Pages")
