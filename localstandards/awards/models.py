"""The award list of a round, frozen by a national admin: later changes show as a difference, never silently."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from localstandards.registry.scoping import ScopedQuerySet


class FrozenAwardList(models.Model):
    round = models.OneToOneField("assessments.AssessmentRound", on_delete=models.PROTECT, related_name="award_list")
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    frozen_at = models.DateTimeField(_("frozen"))
    entries_count = models.PositiveIntegerField(_("entries"), default=0)
    # The audit of the act: who froze the list and when (services.freeze sets the history user).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("frozen award list")
        verbose_name_plural = _("frozen award lists")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.frozen_at}"


class FrozenAwardEntry(models.Model):
    award_list = models.ForeignKey(FrozenAwardList, on_delete=models.CASCADE, related_name="entries")
    local_government = models.ForeignKey("registry.LocalGovernment", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="+")
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.PROTECT, related_name="+")
    lg_type = models.CharField(_("type"), max_length=16)
    score = models.DecimalField(_("overall score"), max_digits=24, decimal_places=6, null=True)
    rank_in_type = models.PositiveIntegerField(_("rank within its type"), null=True)

    objects = ScopedQuerySet.as_manager()
    framework_objects = ScopedQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["award_list", "lg_type", "rank_in_type", "pk"]
        verbose_name = _("frozen award entry")
        verbose_name_plural = _("frozen award entries")
        constraints = [
            models.UniqueConstraint(fields=["award_list", "local_government"], name="one_award_entry_per_lg"),
        ]

    def __str__(self) -> str:
        return f"{self.award_list_id}/{self.local_government_id}: {self.score}"
