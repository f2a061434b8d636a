from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeneratorConfig(AppConfig):
    """A bulk tool at the top layer: builds a whole generated round (accounts, returns, results) for the
    benchmarks, the demo and the national reports. No models, no pages: one management command."""

    name = "localstandards.generator"
    verbose_name = _("Round generator")
