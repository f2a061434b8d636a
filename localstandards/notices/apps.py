from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "localstandards.notices"
    verbose_name = _("Notices and reminders")

    def ready(self) -> None:
        from localstandards.assessments.signals import status_changed
        from localstandards.notices.services import on_status_changed

        status_changed.connect(on_status_changed, dispatch_uid="notices.on_status_changed")

        from localstandards.accounts.signals import access_request_decided, access_requested
        from localstandards.notices.onboarding import on_access_request_decided, on_access_requested

        access_request_decided.connect(on_access_request_decided, dispatch_uid="notices.on_access_request_decided")
        access_requested.connect(on_access_requested, dispatch_uid="notices.on_access_requested")

        from localstandards.notices.onboarding import province_section
        from localstandards.registry.signals import province_page

        province_page.connect(province_section, dispatch_uid="notices.province_section")
