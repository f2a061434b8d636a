from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "localstandards.assessments"
    verbose_name = _("Assessment rounds and returns")

    def ready(self) -> None:
        from localstandards.assessments.sections import local_government_returns
        from localstandards.registry.signals import local_government_page

        local_government_page.connect(local_government_returns, dispatch_uid="assessments.local_government_returns")
