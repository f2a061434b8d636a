from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "localstandards.public"
    verbose_name = _("Public pages")

    def ready(self) -> None:
        # The online survey's counts are added to the paper counts wherever a return is scored (scoring cannot
        # import this app: it sits lower).
        from localstandards.public.survey import counted_satisfaction
        from localstandards.scoring.services import SATISFACTION_SOURCES

        if counted_satisfaction not in SATISFACTION_SOURCES:
            SATISFACTION_SOURCES.append(counted_satisfaction)

        from localstandards.public.sections import local_government_surveys
        from localstandards.registry.signals import local_government_page

        local_government_page.connect(local_government_surveys, dispatch_uid="public.local_government_surveys")
