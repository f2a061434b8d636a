"""Stored results: a cache of the pure functions in scoring.py, rebuilt by services.rescore_assessment.

Nothing here is ever edited by hand; every row can be thrown away and rebuilt from the return's answers and the
framework version the return is stamped with. Percentages and scores are stored rounded half-up to 6 places
(the labels were decided on the exact values before storing).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from localstandards.frameworks.models import Kind, LabelKey
from localstandards.registry.scoping import ScopedQuerySet


class ScoreQuerySet(ScopedQuerySet):
    scope_path = "assessment__local_government__"


def _percent(verbose_name):
    return models.DecimalField(verbose_name, max_digits=24, decimal_places=6, null=True, blank=True)


class IndicatorResultRecord(models.Model):
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="indicator_results")
    indicator = models.ForeignKey("frameworks.Indicator", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("frameworks.Area", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    label = models.CharField(_("result"), max_length=16, choices=LabelKey.choices, blank=True, default="")
    target = models.DecimalField(_("target"), max_digits=7, decimal_places=2, null=True, blank=True)
    base = models.DecimalField(_("base (1)"), max_digits=14, decimal_places=3, null=True, blank=True)
    delivered = models.DecimalField(_("delivered (2)"), max_digits=14, decimal_places=3, null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    answer = models.BooleanField(_("yes / no"), null=True, blank=True)
    value = _percent(_("achieved value"))
    percentage = _percent(_("(2) compared with (1) %"))
    shortfall = models.DecimalField(_("shortfall"), max_digits=24, decimal_places=7, null=True, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    applicable = models.BooleanField(_("applicable"), default=False)
    met = models.BooleanField(_("meets the target"), default=False)

    objects = ScoreQuerySet.as_manager()
    framework_objects = ScoreQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["assessment", "area__order", "indicator__mission__order", "indicator__order", "pk"]
        verbose_name = _("indicator result")
        verbose_name_plural = _("indicator results")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="one_result_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}: {self.label or '-'}"


class Summary(models.Model):
    """The counts an area summary and a return summary share."""

    indicators = models.PositiveIntegerField(_("indicators"), default=0)
    scored = models.PositiveIntegerField(_("scored"), default=0)
    applicable = models.PositiveIntegerField(_("applicable indicators"), default=0)
    met = models.PositiveIntegerField(_("indicators meeting the target"), default=0)
    above = models.PositiveIntegerField(_("above the target"), default=0)
    meets = models.PositiveIntegerField(_("meets the minimum target"), default=0)
    develop = models.PositiveIntegerField(_("to develop"), default=0)
    no_service = models.PositiveIntegerField(_("no such public service"), default=0)
    not_done = models.PositiveIntegerField(_("not done in the fiscal year"), default=0)
    compliance = _percent(_("compliance %"))
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    needs_improvement = models.PositiveIntegerField(_("needs improvement"), default=0)
    satisfaction = _percent(_("satisfaction %"))

    class Meta:
        abstract = True

    @property
    def respondents(self) -> int:
        return self.satisfied + self.needs_improvement

    @property
    def unscored(self) -> int:
        return self.indicators - self.scored


class AreaScore(Summary):
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="area_scores")
    area = models.ForeignKey("frameworks.Area", on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    weighted_compliance = _percent(_("weighted compliance %"))

    objects = ScoreQuerySet.as_manager()
    framework_objects = ScoreQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["assessment", "area__order", "pk"]
        verbose_name = _("area score")
        verbose_name_plural = _("area scores")
        constraints = [models.UniqueConstraint(fields=["assessment", "area"], name="one_score_per_area")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.area_id}"


class ReturnScore(Summary):
    assessment = models.OneToOneField("assessments.Assessment", on_delete=models.CASCADE, related_name="score")
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="+", verbose_name=_("framework version")
    )
    indicator_score = _percent(_("indicator score"))
    satisfaction_score = _percent(_("satisfaction score"))
    score = _percent(_("overall score"))
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    formula_error = models.CharField(_("score formula error"), max_length=500, blank=True)
    assessment_status = models.CharField(_("status of the return when scored"), max_length=24)
    computed_at = models.DateTimeField(_("computed"))

    objects = ScoreQuerySet.as_manager()
    framework_objects = ScoreQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["assessment"]
        verbose_name = _("return score")
        verbose_name_plural = _("return scores")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.score}"
