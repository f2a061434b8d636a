"""Committee reports: produced in the background, listed for download (docs/committee-report.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being produced")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def report_path(instance: CommitteeReport, filename: str) -> str:
    return f"committee/{instance.round_id}/{instance.pk}/{filename}"


class CommitteeReport(models.Model):
    round = models.ForeignKey("assessments.AssessmentRound", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(_("requested"))
    state = models.CharField(_("state"), max_length=8, choices=ReportState.choices, default=ReportState.QUEUED)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_path, blank=True)
    xlsx = models.FileField(_("XLSX"), upload_to=report_path, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("committee report")
        verbose_name_plural = _("committee reports")

    def __str__(self) -> str:
        return f"{self.round_id}/{self.pk}: {self.state}"
