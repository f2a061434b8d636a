"""Framework expressions at run time, for one local government: applicability and validation rules.

An expression that fails at run time is never silent:

- `indicator_applies`: when the applicability expression raises for a real local government, the indicator is
  treated as applying (the อปท. is asked rather than silently excused);
- `check_rules`: a rule that raises is reported in `RuleCheck.unchecked`; it counts neither as passed nor as a
  blocking hard error. A rule that reads a value not entered yet (None) is simply not evaluated yet.

Both log the failure (logger.error, naming the framework version, the indicator and the อปท.) and append an
`EvaluationFailure` to the `failures` list the caller passes. Neither writes: a GET never writes. The write paths
(saving an answer, submitting, the rescore task) pass a list and then call `record_failures`, which keeps one
`ExpressionProblem` row per failing expression and local government for the national administrators' page
(`problem_summaries`). docs/framework-format.md, “When an expression fails at run time”, says the same for authors.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import batched
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Max, Min, OuterRef, Subquery, Sum, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.frameworks import expressions
from localstandards.frameworks.models import (
    Area,
    ExpressionKind,
    ExpressionProblem,
    Framework,
    Indicator,
    Mission,
    Severity,
    problem_key,
)

if TYPE_CHECKING:
    from localstandards.registry.models import LocalGovernment

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 500
_UPDATE_BATCH = 200  # keys per UPDATE in record_failures (keeps every statement under SQLite's variable limit)


@dataclass(frozen=True)
class EvaluationFailure:
    """One run-time failure of a framework expression (kind: expressions.APPLICABILITY, VALIDATION or SCORING)."""

    framework_id: int
    indicator_id: int | None  # None for the score formula
    kind: str
    expression: str
    local_government_id: int | None
    error: str  # the exception's class and message, short

    @property
    def key(self) -> str:
        return problem_key(self.framework_id, self.indicator_id, self.kind, self.expression, self.local_government_id)


def describe_error(error: BaseException) -> str:
    """A short text of an exception for an EvaluationFailure: “ZeroDivisionError: division by zero”."""
    message = str(error).strip()
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= ERROR_MAX_LENGTH else text[: ERROR_MAX_LENGTH - 1] + "…"


def _framework_of(indicator: Indicator) -> Framework:
    """The indicator's framework, from the tree load_tree already holds when possible (else one query)."""
    if not Indicator.framework.is_cached(indicator) and Indicator.mission.is_cached(indicator):
        mission = indicator.mission
        if Mission.area.is_cached(mission) and Area.framework.is_cached(mission.area):
            return mission.area.framework
    return indicator.framework


def _log_failure(failure: EvaluationFailure, indicator: Indicator, place: str, consequence: str) -> None:
    framework = _framework_of(indicator)
    logger.error(
        "%s expression of framework %s v%s, indicator %s failed for %s: %r raised %s; %s",
        failure.kind.capitalize(),
        framework.code,
        framework.version,
        indicator.code,
        place,
        failure.expression,
        failure.error,
        consequence,
    )


# ---------------------------------------------------------------------------------------------------------------
# Applicability


def indicator_applies(
    indicator: Indicator,
    lg_type: str,
    local_government: LocalGovernment | None = None,
    failures: list[EvaluationFailure] | None = None,
) -> tuple[bool, bool]:
    """(applies, conditional) for a type, or for one local government when given.

    Without a local government (the preview by type) a condition that needs the local government's own data cannot
    be decided: the indicator is shown, marked conditional. For a real local government `conditional` is False; an
    expression that raises makes the indicator apply, is logged and is appended to `failures` when given.
    """
    if not indicator.applies_to(lg_type):
        return False, False
    if not indicator.applicability:
        return True, False
    names: dict[str, Any] = {"lg_type": lg_type}
    if local_government is not None:
        province = local_government.province if local_government.province_id else None
        names.update(
            province_code=province.code if province else None,
            region=province.region if province else None,
            area_km2=float(local_government.area_km2) if local_government.area_km2 is not None else None,
        )
    try:
        return bool(expressions.evaluate(indicator.applicability, expressions.APPLICABILITY, names)), False
    except Exception as error:
        if local_government is None:
            return True, True
        failure = EvaluationFailure(
            framework_id=indicator.framework_id,
            indicator_id=indicator.pk,
            kind=expressions.APPLICABILITY,
            expression=indicator.applicability,
            local_government_id=local_government.pk,
            error=describe_error(error),
        )
        place = f"local government id={local_government.pk} (DLA code {local_government.dla_code or '-'})"
        _log_failure(failure, indicator, place, "the indicator is treated as applying")
        if failures is not None:
            failures.append(failure)
        return True, False


# ---------------------------------------------------------------------------------------------------------------
# Validation rules


@dataclass(frozen=True)
class RuleCheck:
    """The framework's validation rules checked against one answer."""

    hard: str | None = None  # the message of the first failing hard rule: the save is refused
    warnings: list[str] = field(default_factory=list)  # messages of the failing soft rules
    unchecked: list[str] = field(default_factory=list)  # one message per rule that could not be run


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def rule_values(values: Mapping[str, Any], lg_type: str, target: Decimal | float | None) -> dict[str, Any]:
    """The names a validation rule sees (expressions.ALLOWED_NAMES[VALIDATION]) for an answer's values."""
    return {
        "base": _float(values.get("base")),
        "delivered": _float(values.get("delivered")),
        "count": values.get("count"),
        "answer": values.get("answer"),
        "target": _float(target),
        "lg_type": lg_type,
    }


def check_rules(
    indicator: Indicator,
    values: dict,
    lg_type: str,
    target: Decimal | float | None,
    *,
    local_government_id: int | None = None,
    failures: list[EvaluationFailure] | None = None,
) -> RuleCheck:
    """The indicator's validation rules for these values (base, delivered, count, answer as entered).

    A rule that reads a value that is still None (partial input) is not evaluated yet. A rule that raises with
    every value present is logged, appended to `failures` when given and reported in `unchecked`.
    """
    names = rule_values(values, lg_type, target)
    hard: str | None = None
    warnings: list[str] = []
    unchecked: list[str] = []
    for rule in indicator.validations.all():
        if any(name in names and names[name] is None for name in expressions.names_used(rule.expression)):
            continue
        try:
            passed = bool(expressions.evaluate(rule.expression, expressions.VALIDATION, names))
        except Exception as error:
            failure = EvaluationFailure(
                framework_id=indicator.framework_id,
                indicator_id=indicator.pk,
                kind=expressions.VALIDATION,
                expression=rule.expression,
                local_government_id=local_government_id,
                error=describe_error(error),
            )
            place = f"local government id={local_government_id}" if local_government_id else "no local government"
            _log_failure(failure, indicator, place, "the rule was not checked")
            if failures is not None:
                failures.append(failure)
            unchecked.append(_("A check of this indicator could not be run; the national office has been told."))
            continue
        if passed:
            continue
        if rule.severity == Severity.HARD:
            hard = hard or rule.message
        else:
            warnings.append(rule.message)
    return RuleCheck(hard=hard, warnings=warnings, unchecked=unchecked)


# ---------------------------------------------------------------------------------------------------------------
# Recording (write paths only) and the national administrators' view


def record_failures(failures: Iterable[EvaluationFailure]) -> None:
    """Keep the failures: one ExpressionProblem per (framework, indicator, kind, expression, local government).

    A new one is created; an existing one gets its occurrences increased, its last_seen moved to now and the latest
    error. One INSERT and one UPDATE (more only for hundreds of distinct problems), safe when two processes record
    at once: insert what is missing ignoring the rows that exist, then the UPDATE adds the counts to all of them.
    Call it from write paths only (a GET never writes).
    """
    merged: dict[str, tuple[EvaluationFailure, int]] = {}
    for failure in failures:
        _previous, count = merged.get(failure.key, (failure, 0))
        merged[failure.key] = (failure, count + 1)  # the latest error wins
    if not merged:
        return
    now = timezone.now()
    with transaction.atomic():
        ExpressionProblem.objects.bulk_create(
            [
                ExpressionProblem(
                    key=key,
                    framework_id=failure.framework_id,
                    indicator_id=failure.indicator_id,
                    kind=failure.kind,
                    expression=failure.expression,
                    local_government_id=failure.local_government_id,
                    error=failure.error,
                    occurrences=0,
                    first_seen=now,
                    last_seen=now,
                )
                for key, (failure, _count) in merged.items()
            ],
            ignore_conflicts=True,
        )
        for batch in batched(merged.items(), _UPDATE_BATCH):
            ExpressionProblem.objects.filter(key__in=[key for key, _item in batch]).update(
                occurrences=F("occurrences")
                + Case(*(When(key=key, then=Value(count)) for key, (_f, count) in batch), output_field=IntegerField()),
                error=Case(
                    *(When(key=key, then=Value(failure.error)) for key, (failure, _c) in batch),
                    output_field=TextField(),
                ),
                last_seen=now,
            )


@dataclass(frozen=True)
class ProblemSummary:
    """One failing expression of a framework version, over every local government it failed for."""

    indicator_code: str | None
    kind: str
    kind_label: str
    expression: str
    error: str  # the latest error
    occurrences: int
    first_seen: datetime
    last_seen: datetime
    local_governments: int  # how many different อปท. it failed for
    example: str  # the name of the อปท. it failed for last ("" when none)

    @property
    def other_local_governments(self) -> int:
        """How many more อปท. than the example."""
        return max(self.local_governments - 1, 0)


def _same_expression(framework: Framework):
    """Problems of the same framework, indicator (NULL-safe), kind and expression as the outer row, latest first."""
    return (
        ExpressionProblem.objects.filter(framework=framework, kind=OuterRef("kind"), expression=OuterRef("expression"))
        .annotate(indicator_or_0=Coalesce("indicator_id", 0))
        .filter(indicator_or_0=Coalesce(OuterRef("indicator_id"), 0))
        .order_by("-last_seen", "-pk")
    )


def problem_summaries(framework: Framework) -> list[ProblemSummary]:
    """The recorded problems of a framework version, one per failing expression, newest last_seen first (one query)."""
    same = _same_expression(framework)
    rows = (
        ExpressionProblem.objects.filter(framework=framework)
        .values("indicator_id", "indicator__code", "kind", "expression")
        .annotate(
            total=Sum("occurrences"),
            first=Min("first_seen"),
            last=Max("last_seen"),
            places=Count("local_government_id", distinct=True),
            latest_error=Subquery(same.values("error")[:1]),
            example=Subquery(same.exclude(local_government=None).values("local_government__full_name_th")[:1]),
        )
        .order_by("-last", "indicator__code", "kind", "expression")
    )
    labels = dict(ExpressionKind.choices)
    return [
        ProblemSummary(
            indicator_code=row["indicator__code"],
            kind=row["kind"],
            kind_label=str(labels.get(row["kind"], row["kind"])),
            expression=row["expression"],
            error=row["latest_error"] or "",
            occurrences=row["total"],
            first_seen=row["first"],
            last_seen=row["last"],
            local_governments=row["places"],
            example=row["example"] or "",
        )
        for row in rows
    ]


def problem_count(framework: Framework) -> int:
    """How many different expressions of this version have failed (the badge on the version's page)."""
    return (
        ExpressionProblem.objects.filter(framework=framework)
        .values("indicator_id", "kind", "expression")
        .distinct()
        .order_by()
        .count()
    )
