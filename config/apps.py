"""Third-party apps under Thai-first names in the admin (their own names are English only)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class LoginLockoutsConfig(AxesAppConfig):
    verbose_name = _("Login attempts and lockouts")


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
