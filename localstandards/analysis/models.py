"""National results: aggregates of the final (accepted) returns of a round, materialized per round.

The aggregates are a cache like the stored results below them: `services.refresh_round` rebuilds every cell of a
round from the stored results in one pass, after the results of any return of the round change (a task, started
by scoring's `results_changed` signal). Pages only read cells, so a national page is a few indexed lookups.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    NATION = "nation", _("Whole country")
    REGION = "region", _("Region")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")


class ItemKind(models.TextChoices):
    AREA = "area", _("Area")
    MISSION = "mission", _("Mission")
    INDICATOR = "indicator", _("Indicator")
    SCORE = "score", _("Overall score")


class RoundAnalysis(models.Model):
    """The state of one round's aggregates: when results last changed and when the cells were last rebuilt."""

    round = models.OneToOneField("assessments.AssessmentRound", on_delete=models.CASCADE, related_name="analysis")
    changed_at = models.DateTimeField(_("results last changed"), null=True, blank=True)
    computed_at = models.DateTimeField(_("aggregates computed"), null=True, blank=True)
    # The results this build started from: a change after this moment makes the cells stale again.
    computed_from = models.DateTimeField(null=True, blank=True)
    final_returns = models.PositiveIntegerField(_("final returns"), default=0)
    returns = models.PositiveIntegerField(_("returns"), default=0)
    seconds = models.FloatField(_("seconds to compute"), default=0)

    class Meta:
        verbose_name = _("round analysis")
        verbose_name_plural = _("round analyses")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.computed_at}"

    @property
    def is_stale(self) -> bool:
        return self.computed_from is None or (self.changed_at is not None and self.changed_at > self.computed_from)


class AggregateCell(models.Model):
    """One item (indicator, mission, area or the overall score) over one unit and one type ("" = every type)."""

    round = models.ForeignKey("assessments.AssessmentRound", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=8, choices=Level.choices)
    code = models.CharField(max_length=16)  # "" for the nation, the region's value, a province's or district's code
    lg_type = models.CharField(max_length=16, blank=True)
    item_kind = models.CharField(max_length=10, choices=ItemKind.choices)
    item_code = models.CharField(max_length=32)  # codes match across framework versions (round-over-round)
    returns = models.PositiveIntegerField(default=0)  # final returns where the item applies to the อปท.
    scored = models.PositiveIntegerField(default=0)  # results with a label (area / mission: indicator results)
    applicable = models.PositiveIntegerField(default=0)  # labelled above / meets / develop / not done
    met = models.PositiveIntegerField(default=0)  # above or meets (score: passed)
    above = models.PositiveIntegerField(default=0)
    meets = models.PositiveIntegerField(default=0)
    develop = models.PositiveIntegerField(default=0)
    no_service = models.PositiveIntegerField(default=0)
    not_done = models.PositiveIntegerField(default=0)
    values = models.PositiveIntegerField(default=0)  # how many values the quartiles are of
    q1 = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    median = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    q3 = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    mean = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    shortfall = models.DecimalField(max_digits=30, decimal_places=7, null=True)  # indicators only, own unit

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        indexes = [
            models.Index(fields=["round", "level", "code", "lg_type"], name="aggregate_unit"),
            models.Index(fields=["round", "item_kind", "item_code", "level", "lg_type"], name="aggregate_item"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.level}/{self.code}/{self.lg_type}/{self.item_kind}:{self.item_code}"
