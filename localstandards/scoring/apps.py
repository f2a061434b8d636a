from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "localstandards.scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from localstandards.assessments.signals import status_changed
        from localstandards.scoring.tasks import on_status_changed

        status_changed.connect(on_status_changed, dispatch_uid="scoring.on_status_changed")
