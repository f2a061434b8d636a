"""The framework's validation rules applied to what an officer typed: hard rules block a save, soft ones warn."""

from __future__ import annotations

from localstandards.frameworks import expressions
from localstandards.frameworks.models import Indicator, Severity


def check_rules(indicator: Indicator, values: dict, lg_type: str, target) -> tuple[str | None, list[str]]:
    """The framework's validation rules for these values: (first failing hard rule's message, soft warnings)."""
    names = {
        "base": _float(values.get("base")),
        "delivered": _float(values.get("delivered")),
        "count": values.get("count"),
        "answer": values.get("answer"),
        "target": _float(target),
        "lg_type": lg_type,
    }
    hard, warnings = None, []
    for rule in indicator.validations.all():
        try:
            ok = bool(expressions.evaluate(rule.expression, expressions.VALIDATION, names))
        except Exception:
            ok = True  # a rule that cannot be decided on partial input does not block the officer
        if not ok:
            if rule.severity == Severity.HARD:
                hard = hard or rule.message
            else:
                warnings.append(rule.message)
    return hard, warnings


def _float(value) -> float | None:
    return None if value is None else float(value)
