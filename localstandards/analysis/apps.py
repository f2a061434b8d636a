from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "localstandards.analysis"
    verbose_name = _("National results")

    def ready(self) -> None:
        from localstandards.analysis.tasks import on_results_changed
        from localstandards.scoring.signals import results_changed

        results_changed.connect(on_results_changed, dispatch_uid="analysis.on_results_changed")
