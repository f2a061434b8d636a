"""Fiscal data per อปท. and fiscal year, and the unit costs that turn shortfalls into baht.

The method: docs/subsidy-analysis.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from localstandards.registry.scoping import ScopedQuerySet


class FiscalImport(models.Model):
    """One imported file: the whole fiscal year's data, replaced as a whole by the next import of that year."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"), unique=True)
    filename = models.CharField(_("file"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    synthetic = models.BooleanField(
        _("synthetic sample"), default=False, help_text=_("Generated for the demo: not real fiscal data.")
    )
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("fiscal data import")
        verbose_name_plural = _("fiscal data imports")

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.filename}"


class FiscalRecord(models.Model):
    fiscal_import = models.ForeignKey(FiscalImport, on_delete=models.CASCADE, related_name="records")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    local_government = models.ForeignKey("registry.LocalGovernment", on_delete=models.PROTECT, related_name="+")
    total_revenue = models.DecimalField(_("total revenue (baht)"), max_digits=16, decimal_places=2)
    general_subsidy = models.DecimalField(_("general subsidy (baht)"), max_digits=16, decimal_places=2)
    specific_subsidy = models.DecimalField(_("specific subsidy (baht)"), max_digits=16, decimal_places=2)
    population = models.PositiveIntegerField(_("population"))

    objects = ScopedQuerySet.as_manager()
    framework_objects = ScopedQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        verbose_name = _("fiscal record")
        verbose_name_plural = _("fiscal records")
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "local_government"], name="one_fiscal_record_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}/{self.local_government_id}"


class UnitCost(models.Model):
    """Baht to close one unit of an indicator's shortfall (e.g. one km of road), per fiscal year."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    indicator_code = models.CharField(_("indicator code"), max_length=32)
    baht_per_unit = models.DecimalField(_("baht per unit"), max_digits=16, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    set_at = models.DateTimeField(_("set"), auto_now=True)

    class Meta:
        ordering = ["fiscal_year", "indicator_code"]
        verbose_name = _("unit cost")
        verbose_name_plural = _("unit costs")
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "indicator_code"], name="one_unit_cost_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}/{self.indicator_code}: {self.baht_per_unit}"
