"""The framework "spec": one framework version as plain data, typed once here.

The workbook parser returns a spec, the workbook writer writes one, `services.framework_to_spec` builds one from the
database (the canonical form used to export and to compare versions) and `services.create_from_spec` creates the
models from one. All four use the TypedDicts below, so the shape is defined in this module only.

A spec is plain JSON-like data (dicts, lists, text, numbers, booleans): decimals are canonical text ("80",
"80.5", "0.2"; see `dec_str`) so that two specs compare equal exactly when the frameworks are the same, and a spec
written as a workbook and read back is equal to itself. Rows are in tree order (see `canonical_order`).
docs/framework-format.md describes every field as a workbook column.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict, overload

# The unit fields of an indicator, in workbook column order: a ratio uses the first two, a count the third.
UNIT_KEYS = ("base_unit", "delivered_unit", "count_unit")


class FrameworkHeader(TypedDict):
    """The sheet `framework` (one row): what identifies the framework; the version is given on import."""

    code: str
    fiscal_year: int
    name: str
    description: str
    is_sample: bool
    yes_text: str  # how a yes answer reads in the results; "มี" when the cell is empty
    no_text: str  # how a no answer reads; "ไม่มี" when the cell is empty


class AreaSpec(TypedDict):
    """ด้าน."""

    code: str
    name: str
    weight: str  # decimal text, "1" when the cell is empty


class MissionSpec(TypedDict):
    """ภารกิจ, under the area with code `area`."""

    area: str
    code: str
    name: str


class IndicatorSpec(TypedDict):
    """เกณฑ์ชี้วัด, under the mission with code `mission`."""

    mission: str
    code: str
    wording: str
    guidance: str
    kind: str  # models.Kind: ratio, count, yesno
    base_unit: str
    delivered_unit: str
    count_unit: str
    applies_to: list[str]  # type codes in models.TYPE_CODES order
    applicability: str  # an expression of kind expressions.APPLICABILITY, or ""
    target: str | None  # the default target (decimal text); None for yes/no or when every type has its own
    targets: dict[str, str]  # type code → target (decimal text), in TYPE_CODES order
    evidence_required: bool
    evidence_types: list[str]  # in models.EVIDENCE_TYPES order
    weight: str | None


class ValidationSpec(TypedDict):
    """A validation rule of the indicator with code `indicator`."""

    indicator: str
    severity: str  # models.Severity: hard, soft
    expression: str  # an expression of kind expressions.VALIDATION
    message: str


class QuestionSpec(TypedDict):
    """A citizen-satisfaction question, under the area with code `area`."""

    area: str
    code: str
    wording: str


class ScoringSpec(TypedDict):
    """The sheet `scoring` (one row)."""

    satisfaction_share: str
    pass_threshold: str
    satisfaction_pass_threshold: str | None
    score_formula: str  # an expression of kind expressions.SCORING, or ""


class LabelSpec(TypedDict):
    """A result label (models.LabelKey) with its wording and, for ABOVE and MEETS, its threshold."""

    key: str
    text_th: str
    text_en: str
    min_gap: str | None


class FrameworkSpec(TypedDict):
    """One framework version: the workbook's sheets, one key per sheet."""

    framework: FrameworkHeader
    areas: list[AreaSpec]
    missions: list[MissionSpec]
    indicators: list[IndicatorSpec]
    validations: list[ValidationSpec]
    satisfaction: list[QuestionSpec]
    scoring: ScoringSpec
    labels: list[LabelSpec]


@overload
def dec_str(value: Decimal | int) -> str: ...
@overload
def dec_str(value: None) -> None: ...
@overload
def dec_str(value: Decimal | int | None) -> str | None: ...
def dec_str(value: Decimal | int | None) -> str | None:
    """A decimal in canonical text form: 80, 80.5, 0.2 (None stays None)."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def canonical_order(spec: FrameworkSpec) -> None:
    """Group rows in tree order (stable): missions by area, indicators by mission, validations by indicator."""
    area_index = {area["code"]: index for index, area in enumerate(spec["areas"])}
    spec["missions"].sort(key=lambda mission: area_index.get(mission["area"], -1))
    mission_index = {mission["code"]: index for index, mission in enumerate(spec["missions"])}
    spec["indicators"].sort(key=lambda indicator: mission_index.get(indicator["mission"], -1))
    indicator_index = {indicator["code"]: index for index, indicator in enumerate(spec["indicators"])}
    spec["validations"].sort(key=lambda rule: indicator_index.get(rule["indicator"], -1))
    spec["satisfaction"].sort(key=lambda question: area_index.get(question["area"], -1))
