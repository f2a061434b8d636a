"""Assessment frameworks: a versioned tree ด้าน (Area) → ภารกิจ (Mission) → เกณฑ์ชี้วัด (Indicator).

A version is a draft until it is published; a published (or retired) version is frozen: every write to it or to
anything under it is refused here, in the model layer, so services, the admin and the shell all obey it.
Returns will point at a version by primary key, so versions are never edited in place after publishing.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from localstandards.frameworks import expressions
from localstandards.registry.models import TYPE_SHORT_LABELS, LocalGovernmentType

TYPE_CODES = [code for code, _label in LocalGovernmentType.choices]

# The word put in place of {lg} in indicator and question wording.
LG_WORDS = {
    LocalGovernmentType.PAO: "อบจ.",
    LocalGovernmentType.CITY: "เทศบาล",
    LocalGovernmentType.TOWN: "เทศบาล",
    LocalGovernmentType.SUBDISTRICT: "เทศบาล",
    LocalGovernmentType.SAO: "อบต.",
    LocalGovernmentType.SPECIAL: "เมืองพัทยา",
    LocalGovernmentType.BMA: "กรุงเทพมหานคร",
}
LG_PLACEHOLDER = "{lg}"


def lg_word(lg_type: str) -> str:
    """The short Thai word for a type of local government, as it appears in indicator wording."""
    return LG_WORDS[LocalGovernmentType(lg_type)]


def fill_wording(text: str, lg_type: str | None) -> str:
    """Replace {lg} by the type's word (or by “อปท.” when no type is chosen)."""
    return text.replace(LG_PLACEHOLDER, lg_word(lg_type) if lg_type else "อปท.")


class FrameworkFrozenError(Exception):
    """A write to a published or retired framework version."""

    def __init__(self, framework=None):
        self.framework = framework
        super().__init__(str(_("This framework version is published and cannot be changed. Create a new version.")))


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Kind(models.TextChoices):
    RATIO = "ratio", _("Ratio (percentage)")
    COUNT = "count", _("Count")
    YESNO = "yesno", _("Yes / no")


class Severity(models.TextChoices):
    HARD = "hard", _("Hard (blocks saving)")
    SOFT = "soft", _("Soft (warning)")


class LabelKey(models.TextChoices):
    ABOVE = "ABOVE", _("Above the target")
    MEETS = "MEETS", _("Meets the minimum target")
    DEVELOP = "DEVELOP", _("Below the target: to develop")
    NO_SERVICE = "NO_SERVICE", _("No such public service")
    NOT_DONE = "NOT_DONE", _("Not done in the fiscal year")


EVIDENCE_TYPES = ["pdf", "jpg", "png", "xlsx", "docx"]

# How a yes/no answer reads in the results (the framework's wording; ODLOC's tables print มี / ไม่มี).
DEFAULT_YES_TEXT = "มี"
DEFAULT_NO_TEXT = "ไม่มี"

# The default result labels (DESIGN §2) with their thresholds: ABOVE and MEETS apply when
# result − target ≥ min_gap (percentage points), ABOVE first; blank = the label is not used for achievement.
DEFAULT_LABELS = [
    (LabelKey.ABOVE, "สูงกว่าค่าเป้าหมาย", "Above the target", Decimal("0")),
    (LabelKey.MEETS, "ผ่านค่าเป้าหมายขั้นต่ำ", "Meets the minimum target", Decimal("0")),
    (LabelKey.DEVELOP, "การพัฒนาในอนาคต", "To develop in future", None),
    (LabelKey.NO_SERVICE, "ไม่มีบริการสาธารณะ", "No such public service", None),
    (LabelKey.NOT_DONE, "ไม่ได้ดำเนินการในปีงบประมาณ", "Not done in the fiscal year", None),
]


class Framework(models.Model):
    """One version of an assessment framework for one fiscal year."""

    FROZEN_FIELDS = [
        "fiscal_year",
        "code",
        "version",
        "name",
        "description",
        "is_sample",
        "yes_text",
        "no_text",
        "satisfaction_share",
        "pass_threshold",
        "satisfaction_pass_threshold",
        "score_formula",
    ]

    code = models.CharField(_("code"), max_length=32)
    version = models.PositiveIntegerField(_("version"), default=1)
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year (BE)"), validators=[MinValueValidator(2500), MaxValueValidator(2700)]
    )
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    is_sample = models.BooleanField(_("sample"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    yes_text = models.CharField(
        _("a yes answer reads"),
        max_length=50,
        default=DEFAULT_YES_TEXT,
        help_text=_("How a yes answer to a yes/no indicator is shown in the results (Thai)."),
    )
    no_text = models.CharField(
        _("a no answer reads"),
        max_length=50,
        default=DEFAULT_NO_TEXT,
        help_text=_("How a no answer to a yes/no indicator is shown in the results (Thai)."),
    )
    satisfaction_share = models.DecimalField(
        _("satisfaction share (0–1)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    pass_threshold = models.DecimalField(
        _("pass threshold (score, %)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    satisfaction_pass_threshold = models.DecimalField(
        _("satisfaction pass threshold (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    score_formula = models.CharField(_("score formula"), max_length=500, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name=_("copied from")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["-fiscal_year", "code", "-version"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_code_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def save(self, *args, **kwargs):
        stored = Framework.objects.filter(pk=self.pk).values("status", *self.FROZEN_FIELDS).first() if self.pk else None
        if (
            stored
            and stored["status"] != Status.DRAFT
            and any(stored[field] != getattr(self, field) for field in self.FROZEN_FIELDS)
        ):
            raise FrameworkFrozenError(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Framework.objects.filter(pk=self.pk).exclude(status=Status.DRAFT).exists():
            raise FrameworkFrozenError(self)
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != Status.DRAFT

    def answer_text(self, answer: bool | None) -> str:
        """A yes/no answer as the results show it: this version's words in Thai (มี / ไม่มี unless the workbook
        says otherwise), Yes / No in another language; "" when there is no answer."""
        if answer is None:
            return ""
        if (translation.get_language() or "th").startswith("th"):
            return self.yes_text if answer else self.no_text
        return pgettext("yes/no answer", "Yes") if answer else pgettext("yes/no answer", "No")

    @property
    def yes_word(self) -> str:
        return self.answer_text(True)

    @property
    def no_word(self) -> str:
        return self.answer_text(False)


class FrozenQuerySet(models.QuerySet):
    """Bulk update/delete refuse rows that belong to a published or retired version."""

    framework_path = "framework"

    def _touches_frozen(self) -> bool:
        return self.exclude(**{f"{self.model.framework_path}__status": Status.DRAFT}).exists()

    def update(self, **kwargs):
        if self._touches_frozen():
            raise FrameworkFrozenError()
        return super().update(**kwargs)

    def delete(self):
        if self._touches_frozen():
            raise FrameworkFrozenError()
        return super().delete()


class FrozenPart(models.Model):
    """Base for everything that hangs under a framework version."""

    framework_path = "framework"

    objects = FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_editable()
        if self.pk:
            # Moving a part out of a frozen version is a write to that version too.
            previous = type(self).objects.filter(pk=self.pk).first()
            if previous is not None:
                previous._check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_editable()
        return super().delete(*args, **kwargs)

    def get_framework(self) -> Framework:
        raise NotImplementedError

    def _check_editable(self):
        framework = self.get_framework()
        if framework.pk and Framework.objects.filter(pk=framework.pk).exclude(status=Status.DRAFT).exists():
            raise FrameworkFrozenError(framework)


class Area(FrozenPart):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("code"), max_length=32)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=255)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["framework", "order", "pk"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="area_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_framework(self) -> Framework:
        return self.framework


class Mission(FrozenPart):
    framework_path = "area__framework"

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="missions")
    code = models.CharField(_("code"), max_length=32)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        ordering = ["area__order", "order", "pk"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_framework(self) -> Framework:
        return self.area.framework


class Indicator(FrozenPart):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=32)
    order = models.PositiveIntegerField(_("order"), default=0)
    wording = models.TextField(_("wording"), help_text=_("{lg} is replaced by the type of local government."))
    guidance = models.TextField(_("guidance"), blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    base_unit = models.CharField(_("unit of the base (1)"), max_length=100, blank=True)
    delivered_unit = models.CharField(_("unit of what was delivered (2)"), max_length=100, blank=True)
    count_unit = models.CharField(_("unit counted"), max_length=100, blank=True)
    applicable_types = models.JSONField(_("applies to types"), default=list)
    applicability = models.CharField(_("applicability expression"), max_length=500, blank=True)
    default_target = models.DecimalField(_("target"), max_digits=7, decimal_places=2, null=True, blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    evidence_types = models.JSONField(_("evidence file types"), default=list, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["mission__area__order", "mission__order", "order", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.wording[:60]}"

    @property
    def result_unit(self) -> str:
        """The unit a value and a shortfall are in: the base's for a ratio, the counted unit for a count."""
        if self.kind == Kind.RATIO:
            return self.base_unit
        if self.kind == Kind.COUNT:
            return self.count_unit
        return ""

    def get_framework(self) -> Framework:
        return self.framework

    @property
    def applicable_type_labels(self) -> list[str]:
        """The types it applies to as people read them (อบต., ทต. …), not as codes."""
        return [str(TYPE_SHORT_LABELS.get(code, code)) for code in self.applicable_types]

    def applies_to(self, lg_type: str) -> bool:
        return lg_type in self.applicable_types

    def target_for(self, lg_type: str) -> Decimal | None:
        """The target for a type: its override, else the default (None for yes/no)."""
        if self.kind == Kind.YESNO:
            return None
        for target in self.targets.all():
            if target.lg_type == lg_type:
                return target.value
        return self.default_target

    def wording_for(self, lg_type: str | None) -> str:
        return fill_wording(self.wording, lg_type)

    def guidance_for(self, lg_type: str | None) -> str:
        """The guidance with {lg} filled in, as the wording (docs/framework-format.md)."""
        return fill_wording(self.guidance, lg_type)

    @property
    def wording_generic(self) -> str:
        return fill_wording(self.wording, None)


class IndicatorTarget(FrozenPart):
    """A per-type override of an indicator's target."""

    framework_path = "indicator__framework"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    lg_type = models.CharField(_("type"), max_length=16, choices=LocalGovernmentType.choices)
    value = models.DecimalField(_("target"), max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["indicator", "pk"]
        verbose_name = _("target for a type")
        verbose_name_plural = _("targets per type")
        constraints = [models.UniqueConstraint(fields=["indicator", "lg_type"], name="indicator_target_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.lg_type}: {self.value}"

    def get_framework(self) -> Framework:
        return self.indicator.framework


class ValidationRule(FrozenPart):
    framework_path = "indicator__framework"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="validations")
    order = models.PositiveIntegerField(_("order"), default=0)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    expression = models.CharField(_("expression"), max_length=500)
    message = models.CharField(_("message"), max_length=500)

    class Meta:
        ordering = ["indicator", "order", "pk"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return self.expression

    def get_framework(self) -> Framework:
        return self.indicator.framework


class SatisfactionQuestion(FrozenPart):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="questions")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=32)
    order = models.PositiveIntegerField(_("order"), default=0)
    wording = models.TextField(_("wording"))

    class Meta:
        ordering = ["area__order", "order", "pk"]
        verbose_name = _("satisfaction question")
        verbose_name_plural = _("satisfaction questions")
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="question_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.wording[:60]}"

    def get_framework(self) -> Framework:
        return self.framework

    def wording_for(self, lg_type: str | None) -> str:
        return fill_wording(self.wording, lg_type)

    @property
    def wording_generic(self) -> str:
        return fill_wording(self.wording, None)


class ResultLabel(FrozenPart):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="labels")
    key = models.CharField(_("key"), max_length=16, choices=LabelKey.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    text_th = models.CharField(_("label (Thai)"), max_length=200)
    text_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    min_gap = models.DecimalField(
        _("threshold: result − target ≥ (points)"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["framework", "order", "pk"]
        verbose_name = _("result label")
        verbose_name_plural = _("result labels")
        constraints = [models.UniqueConstraint(fields=["framework", "key"], name="label_key_unique")]

    def __str__(self) -> str:
        return self.text_th

    def get_framework(self) -> Framework:
        return self.framework


class ExpressionKind(models.TextChoices):
    """The three kinds of framework expression (the values are the kinds of frameworks.expressions)."""

    APPLICABILITY = expressions.APPLICABILITY, _("Applicability")
    VALIDATION = expressions.VALIDATION, _("Validation rule")
    SCORING = expressions.SCORING, _("Score formula")


def problem_key(
    framework_id: int, indicator_id: int | None, kind: str, expression: str, local_government_id: int | None
) -> str:
    """The identity of an ExpressionProblem as one unique text: a hash of its five parts, empty for a missing one.

    A unique constraint over the five columns themselves would let rows with a NULL indicator or local government
    repeat (NULLs are distinct in SQL unique indexes, on SQLite and PostgreSQL alike); one non-null key does not.
    """
    parts = (str(framework_id), str(indicator_id or ""), kind, str(local_government_id or ""), expression)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class ExpressionProblem(models.Model):
    """An expression of a framework version that failed at run time, for one local government (or none).

    Written only by the write paths (saving an answer, submitting, the rescore task) through
    evaluation.record_failures; national administrators read them on the version's problems page.
    """

    key = models.CharField(max_length=64, unique=True, editable=False)
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="expression_problems", verbose_name=_("framework version")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="expression_problems",
        verbose_name=_("indicator"),
        help_text=_("Empty for the score formula."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExpressionKind.choices)
    expression = models.TextField(_("expression"))
    local_government = models.ForeignKey(
        "registry.LocalGovernment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("local government"),
    )
    error = models.TextField(_("error"))
    occurrences = models.PositiveIntegerField(_("occurrences"), default=0)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("expression problem")
        verbose_name_plural = _("expression problems")
        indexes = [models.Index(fields=["framework", "last_seen"], name="expression_problem_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.expression} ({self.error})"

    def save(self, *args, **kwargs):
        self.key = problem_key(
            self.framework_id, self.indicator_id, self.kind, self.expression, self.local_government_id
        )
        super().save(*args, **kwargs)
