"""The record of what was done to a person's data (PDPA): every export and every anonymisation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonDataAction(models.Model):
    class Kind(models.TextChoices):
        EXPORT = "export", _("Exported")
        ANONYMISE = "anonymise", _("Anonymised")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("action"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-done_at", "-pk"]
        verbose_name = _("personal-data action")
        verbose_name_plural = _("personal-data actions")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.kind}"
