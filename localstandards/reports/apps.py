from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "localstandards.reports"
    verbose_name = _("Results and reports")

    def ready(self) -> None:
        from localstandards.assessments.signals import status_changed
        from localstandards.reports.services import on_status_changed

        status_changed.connect(on_status_changed, dispatch_uid="reports.on_status_changed")
