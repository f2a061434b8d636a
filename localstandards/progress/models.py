"""Data-quality flags raised for reviewers: values far from the same อปท.'s previous round or from its peers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from localstandards.accounts.scoping import ScopedQuerySet


class FlagQuerySet(ScopedQuerySet):
    scope_path = "assessment__local_government__"


class QualityFlag(models.Model):
    class Kind(models.TextChoices):
        PREVIOUS_ROUND = "previous_round", _("Far from the previous round")
        PEER_OUTLIER = "peer_outlier", _("Far from peers of the same type")

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="quality_flags")
    indicator = models.ForeignKey("frameworks.Indicator", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.DecimalField(max_digits=20, decimal_places=6)
    reference = models.DecimalField(max_digits=20, decimal_places=6)
    score = models.DecimalField(
        max_digits=12, decimal_places=3, help_text=_("Relative change, or robust z-score for peers.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "indicator__code", "kind"]
        verbose_name = _("data-quality flag")
        verbose_name_plural = _("data-quality flags")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator", "kind"], name="one_flag_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}/{self.kind}"
