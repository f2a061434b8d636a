"""How one indicator's answer becomes a result label: the one place that decides it (pure, no database).

The data-entry page shows this live as the officer types, and the scoring functions build summaries on top of it.
The label keys, their thresholds and their wording belong to the framework version (`label_thresholds`,
`label_texts`).
Rules (ratio): base blank → no result yet; base 0 → NO_SERVICE; delivered 0 → NOT_DONE; otherwise the exact
percentage delivered ÷ base × 100 is compared with the target: the first of ABOVE, MEETS whose threshold
(result − target ≥ min_gap) holds, else DEVELOP. Equal to the target meets it. Rounding is for display only.
Count: 0 → NOT_DONE, else the same comparison with the count. Yes/no: yes → the first achievement label, no → DEVELOP.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation

from localstandards.frameworks.models import Framework, Kind, LabelKey

ABOVE, MEETS, DEVELOP, NO_SERVICE, NOT_DONE = (
    LabelKey.ABOVE.value,
    LabelKey.MEETS.value,
    LabelKey.DEVELOP.value,
    LabelKey.NO_SERVICE.value,
    LabelKey.NOT_DONE.value,
)
ACHIEVEMENT_ORDER = (ABOVE, MEETS)
DEFAULT_THRESHOLDS: dict[str, Decimal | None] = {ABOVE: Decimal(0), MEETS: Decimal(0)}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class IndicatorOutcome:
    label: str | None  # None: not enough input yet
    percentage: Decimal | None = None  # ratio only, exact
    achieved: bool = False

    @property
    def percentage_display(self) -> Decimal | None:
        if self.percentage is None:
            return None
        return self.percentage.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ratio_percentage(base: Decimal | None, delivered: Decimal | None) -> Decimal | None:
    if base is None or delivered is None or base == 0:
        return None
    return Decimal(delivered) / Decimal(base) * HUNDRED


def _compare(value: Decimal, target: Decimal | None, thresholds: dict[str, Decimal | None]) -> str:
    gap = value - (target or Decimal(0))
    for key in ACHIEVEMENT_ORDER:
        minimum = thresholds.get(key)
        if minimum is not None and gap >= minimum:
            return key
    return DEVELOP


def _first_achievement(thresholds: dict[str, Decimal | None]) -> str:
    return next((key for key in ACHIEVEMENT_ORDER if thresholds.get(key) is not None), MEETS)


def indicator_outcome(
    kind: str,
    *,
    base: Decimal | None = None,
    delivered: Decimal | None = None,
    count: int | None = None,
    answer: bool | None = None,
    target: Decimal | None = None,
    thresholds: dict[str, Decimal | None] | None = None,
) -> IndicatorOutcome:
    thresholds = DEFAULT_THRESHOLDS if thresholds is None else thresholds
    if kind == Kind.RATIO:
        if base is None:
            return IndicatorOutcome(None)
        if base == 0:
            return IndicatorOutcome(NO_SERVICE)
        if delivered is None:
            return IndicatorOutcome(None)
        if delivered == 0:
            return IndicatorOutcome(NOT_DONE, Decimal(0))
        percentage = ratio_percentage(base, delivered)
        label = _compare(percentage, target, thresholds)
        return IndicatorOutcome(label, percentage, label in ACHIEVEMENT_ORDER)
    if kind == Kind.COUNT:
        if count is None:
            return IndicatorOutcome(None)
        if count == 0:
            return IndicatorOutcome(NOT_DONE)
        label = _compare(Decimal(count), target, thresholds)
        return IndicatorOutcome(label, None, label in ACHIEVEMENT_ORDER)
    if kind == Kind.YESNO:
        if answer is None:
            return IndicatorOutcome(None)
        label = _first_achievement(thresholds) if answer else DEVELOP
        return IndicatorOutcome(label, None, bool(answer))
    raise ValueError(f"unknown indicator kind {kind!r}")


def label_thresholds(framework: Framework) -> dict[str, Decimal | None]:
    """The version's achievement thresholds (result − target ≥ min_gap) for ABOVE and MEETS."""
    return {label.key: label.min_gap for label in framework.labels.all() if label.key in ACHIEVEMENT_ORDER}


def label_texts(framework: Framework) -> dict[str, str]:
    """The version's label wording in the current language (Thai, or English when it is given)."""
    english = not (translation.get_language() or "th").startswith("th")
    return {
        label.key: (label.text_en if english and label.text_en else label.text_th) for label in framework.labels.all()
    }
