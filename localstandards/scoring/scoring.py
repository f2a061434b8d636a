"""Scoring: a return's answers + its framework version → one result per indicator → area and return summaries.

Pure functions over plain frozen dataclasses: no database access, no clock. `services.py` reads the ORM, builds
the inputs, calls `score_return` and stores the output as a cache. Every rule is written down in
docs/scoring.md; the label of one indicator comes from `rules.indicator_outcome` (the same rule the data-entry
page shows live), so the two can never disagree.

Decisions use exact Decimals; only `display()` rounds (half-up, 2 places).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from localstandards.frameworks import expressions
from localstandards.frameworks.models import Kind
from localstandards.frameworks.rules import (
    ABOVE,
    ACHIEVEMENT_ORDER,
    DEVELOP,
    HUNDRED,
    MEETS,
    NO_SERVICE,
    NOT_DONE,
    indicator_outcome,
)

ZERO = Decimal(0)
ONE = Decimal(1)
LABELS = (ABOVE, MEETS, DEVELOP, NO_SERVICE, NOT_DONE)
# Labels that count as applicable (the service exists there); NO_SERVICE and blanks do not.
APPLICABLE_LABELS = frozenset({ABOVE, MEETS, DEVELOP, NOT_DONE})
RATIO, COUNT, YESNO = Kind.RATIO.value, Kind.COUNT.value, Kind.YESNO.value


def display(value: Decimal | None, places: str = "0.01") -> Decimal | None:
    """Round for display only: half-up to 2 places (never used for a decision)."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole × 100, exact; None when the whole is 0."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole) * HUNDRED


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class IndicatorInput:
    """One applicable indicator of one return (indicators that do not apply to the อปท. are not passed in)."""

    indicator_id: int
    area_id: int
    kind: str  # "ratio" | "count" | "yesno"
    target: Decimal | None = None  # % for a ratio, a number for a count, None for yes/no
    weight: Decimal | None = None  # None = 1
    base: Decimal | None = None
    delivered: Decimal | None = None
    count: int | None = None
    answer: bool | None = None
    code: str = ""


@dataclass(frozen=True)
class AreaInput:
    area_id: int
    weight: Decimal = ONE
    code: str = ""


@dataclass(frozen=True)
class SatisfactionInput:
    question_id: int
    area_id: int
    satisfied: int | None = None
    needs_improvement: int | None = None


@dataclass(frozen=True)
class ScoringParameters:
    """The framework version's scoring sheet and label thresholds (ResultLabel.min_gap of ABOVE / MEETS)."""

    thresholds: Mapping[str, Decimal | None] | None = None  # None = the default (both 0)
    satisfaction_share: Decimal = ZERO
    pass_threshold: Decimal = Decimal(50)
    satisfaction_pass_threshold: Decimal | None = None
    score_formula: str = ""


@dataclass(frozen=True)
class ReturnInput:
    areas: tuple[AreaInput, ...]
    indicators: tuple[IndicatorInput, ...]
    satisfaction: tuple[SatisfactionInput, ...] = ()
    parameters: ScoringParameters = field(default_factory=ScoringParameters)


# ---------------------------------------------------------------- outputs


@dataclass(frozen=True)
class IndicatorResult:
    indicator_id: int
    area_id: int
    kind: str
    label: str | None  # one of LABELS, or None: blank, not scored
    target: Decimal | None
    value: Decimal | None  # achieved: % for a ratio, the count, 1 / 0 for yes / no; None when not scored
    percentage: Decimal | None  # ratio only, exact
    shortfall: Decimal | None  # in the indicator's own unit, ≥ 0; None when blank or NO_SERVICE
    weight: Decimal = ONE
    code: str = ""

    @property
    def scored(self) -> bool:
        return self.label is not None

    @property
    def applicable(self) -> bool:
        return self.label in APPLICABLE_LABELS

    @property
    def met(self) -> bool:
        return self.label in ACHIEVEMENT_ORDER


@dataclass(frozen=True)
class Counts:
    """What a summary counts; an area's and the return's are built the same way (the return's = Σ areas)."""

    indicators: int = 0  # applicable to the อปท. (answered or not)
    scored: int = 0  # with a label
    applicable: int = 0  # labelled ABOVE / MEETS / DEVELOP / NOT_DONE
    met: int = 0  # ABOVE or MEETS
    labels: tuple[tuple[str, int], ...] = tuple((label, 0) for label in LABELS)
    satisfied: int = 0
    needs_improvement: int = 0

    @property
    def unscored(self) -> int:
        return self.indicators - self.scored

    @property
    def respondents(self) -> int:
        return self.satisfied + self.needs_improvement

    @property
    def label_counts(self) -> dict[str, int]:
        return dict(self.labels)

    @property
    def compliance(self) -> Decimal | None:
        """Indicators meeting the target ÷ applicable indicators × 100 (None when nothing is applicable)."""
        return percent(self.met, self.applicable)

    @property
    def satisfaction(self) -> Decimal | None:
        """พอใจ ÷ respondents × 100 (None when nobody answered)."""
        return percent(self.satisfied, self.respondents)


@dataclass(frozen=True)
class AreaSummary(Counts):
    area_id: int = 0
    code: str = ""
    weight: Decimal = ONE
    weighted_compliance: Decimal | None = None  # Σ weight of met ÷ Σ weight of applicable × 100


@dataclass(frozen=True)
class ReturnSummary(Counts):
    areas: tuple[AreaSummary, ...] = ()
    indicator_score: Decimal | None = None  # 0–100, area-weighted compliance
    satisfaction_score: Decimal | None = None  # 0–100, or None when nobody answered
    score: Decimal | None = None  # 0–100, the award score
    passed: bool | None = None
    formula_error: str = ""


@dataclass(frozen=True)
class ScoredReturn:
    indicators: tuple[IndicatorResult, ...]
    summary: ReturnSummary


# ---------------------------------------------------------------- one indicator


def shortfall(kind: str, label: str | None, *, target, base=None, delivered=None, count=None, answer=None):
    """How far below the target, in the indicator's own unit; never negative. None when blank or NO_SERVICE.

    ratio: target% × base − delivered (in the base's unit); count: target − count; yes/no: 1 for no, 0 for yes.
    """
    if label is None or label == NO_SERVICE:
        return None
    goal = Decimal(target) if target is not None else ZERO
    if kind == RATIO:
        missing = goal / HUNDRED * Decimal(base) - Decimal(delivered or 0)
    elif kind == COUNT:
        missing = goal - Decimal(count or 0)
    else:
        missing = ZERO if answer else ONE
    return max(missing, ZERO)


def score_indicator(item: IndicatorInput, thresholds: Mapping[str, Decimal | None] | None = None) -> IndicatorResult:
    outcome = indicator_outcome(
        item.kind,
        base=item.base,
        delivered=item.delivered,
        count=item.count,
        answer=item.answer,
        target=item.target,
        thresholds=None if thresholds is None else dict(thresholds),
    )
    label = outcome.label
    value: Decimal | None = None
    if label is not None and label != NO_SERVICE:
        if item.kind == RATIO:
            value = outcome.percentage
        elif item.kind == COUNT:
            value = Decimal(item.count)
        else:
            value = ONE if item.answer else ZERO
    return IndicatorResult(
        indicator_id=item.indicator_id,
        area_id=item.area_id,
        kind=item.kind,
        label=label,
        target=item.target,
        value=value,
        percentage=outcome.percentage if label != NO_SERVICE else None,
        shortfall=shortfall(
            item.kind,
            label,
            target=item.target,
            base=item.base,
            delivered=item.delivered,
            count=item.count,
            answer=item.answer,
        ),
        weight=ONE if item.weight is None else Decimal(item.weight),
        code=item.code,
    )


# ---------------------------------------------------------------- summaries


def _counts(results: Iterable[IndicatorResult], satisfaction: Iterable[SatisfactionInput]) -> dict:
    results = list(results)
    labels = {label: 0 for label in LABELS}
    for result in results:
        if result.label is not None:
            labels[result.label] += 1
    answered = [s for s in satisfaction if s.satisfied is not None and s.needs_improvement is not None]
    return {
        "indicators": len(results),
        "scored": sum(1 for r in results if r.scored),
        "applicable": sum(1 for r in results if r.applicable),
        "met": sum(1 for r in results if r.met),
        "labels": tuple(labels.items()),
        "satisfied": sum(s.satisfied for s in answered),
        "needs_improvement": sum(s.needs_improvement for s in answered),
    }


def summarise_area(
    area: AreaInput, results: Iterable[IndicatorResult], satisfaction: Iterable[SatisfactionInput] = ()
) -> AreaSummary:
    results = [r for r in results if r.area_id == area.area_id]
    satisfaction = [s for s in satisfaction if s.area_id == area.area_id]
    weights_applicable = sum((r.weight for r in results if r.applicable), ZERO)
    weights_met = sum((r.weight for r in results if r.met), ZERO)
    return AreaSummary(
        area_id=area.area_id,
        code=area.code,
        weight=Decimal(area.weight),
        weighted_compliance=percent(weights_met, weights_applicable),
        **_counts(results, satisfaction),
    )


def indicator_score(areas: Iterable[AreaSummary]) -> Decimal | None:
    """Σ area weight × weighted compliance ÷ Σ area weight, over areas with something applicable (0–100)."""
    counted = [a for a in areas if a.weighted_compliance is not None and a.weight > 0]
    total = sum((a.weight for a in counted), ZERO)
    if not total:
        return None
    return sum((a.weight * a.weighted_compliance for a in counted), ZERO) / total


def _to_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a score must be a number")
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def overall_score(
    indicator_part: Decimal | None, satisfaction_part: Decimal | None, parameters: ScoringParameters
) -> tuple[Decimal | None, str]:
    """The award score 0–100 and an error text ("" when fine).

    Without a formula: (1 − satisfaction_share) × indicator score + satisfaction_share × satisfaction score.
    A missing part takes the other's value (no respondents → the indicator score alone; nothing applicable →
    the satisfaction score alone); both missing → None. A formula goes through the safe evaluator with the
    SCORING names (floats); its result is clamped to [0, 100].
    """
    if indicator_part is None and satisfaction_part is None:
        return None, ""
    indicator_part = satisfaction_part if indicator_part is None else indicator_part
    satisfaction_part = indicator_part if satisfaction_part is None else satisfaction_part
    share = Decimal(parameters.satisfaction_share)
    if not parameters.score_formula.strip():
        score = (ONE - share) * indicator_part + share * satisfaction_part
    else:
        names = {
            "indicator_score": float(indicator_part),
            "satisfaction_score": float(satisfaction_part),
            "satisfaction_share": float(share),
            "pass_threshold": float(parameters.pass_threshold),
        }
        try:
            score = _to_decimal(expressions.evaluate(parameters.score_formula, expressions.SCORING, names))
            if not score.is_finite():
                raise InvalidOperation
        except Exception as error:  # an ExpressionError, a division by zero, a non-number: no score
            return None, str(error) or type(error).__name__
    return min(max(score, ZERO), HUNDRED), ""


def summarise(
    areas: Iterable[AreaInput],
    results: Iterable[IndicatorResult],
    satisfaction: Iterable[SatisfactionInput] = (),
    parameters: ScoringParameters | None = None,
) -> ReturnSummary:
    parameters = parameters or ScoringParameters()
    results, satisfaction = list(results), list(satisfaction)
    area_summaries = tuple(summarise_area(area, results, satisfaction) for area in areas)
    known = {a.area_id for a in area_summaries}
    strays = [r.area_id for r in results if r.area_id not in known] + [
        s.area_id for s in satisfaction if s.area_id not in known
    ]
    if strays:
        raise ValueError(f"results for areas not passed in: {sorted(set(strays))}")
    totals = {
        "indicators": sum(a.indicators for a in area_summaries),
        "scored": sum(a.scored for a in area_summaries),
        "applicable": sum(a.applicable for a in area_summaries),
        "met": sum(a.met for a in area_summaries),
        "labels": tuple((label, sum(a.label_counts[label] for a in area_summaries)) for label in LABELS),
        "satisfied": sum(a.satisfied for a in area_summaries),
        "needs_improvement": sum(a.needs_improvement for a in area_summaries),
    }
    part_indicators = indicator_score(area_summaries)
    part_satisfaction = percent(totals["satisfied"], totals["satisfied"] + totals["needs_improvement"])
    score, error = overall_score(part_indicators, part_satisfaction, parameters)
    passed = None
    if score is not None:
        passed = score >= Decimal(parameters.pass_threshold)
        if parameters.satisfaction_pass_threshold is not None and part_satisfaction is not None:
            passed = passed and part_satisfaction >= Decimal(parameters.satisfaction_pass_threshold)
    return ReturnSummary(
        areas=area_summaries,
        indicator_score=part_indicators,
        satisfaction_score=part_satisfaction,
        score=score,
        passed=passed,
        formula_error=error,
        **totals,
    )


def score_return(data: ReturnInput) -> ScoredReturn:
    """The whole computation: every indicator's result, then the summaries and the award score."""
    results = tuple(score_indicator(item, data.parameters.thresholds) for item in data.indicators)
    return ScoredReturn(results, summarise(data.areas, results, data.satisfaction, data.parameters))
