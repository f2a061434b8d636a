"""Rebuild the stored results (a cache) of one return or of a whole round from the pure scoring functions.

`rescore_assessment` reads the return's answers and the framework version the return is stamped with (never the
round's or a newer version), calls `scoring.score_return`, and replaces the return's cached rows in one
transaction. Running it twice gives the same rows; a rebuild of a round equals the incremental results.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from localstandards.assessments.models import Assessment, AssessmentRound
from localstandards.frameworks import expressions
from localstandards.frameworks.evaluation import EvaluationFailure, indicator_applies, record_failures
from localstandards.frameworks.models import Framework
from localstandards.frameworks.rules import ABOVE, DEVELOP, MEETS, NO_SERVICE, NOT_DONE, label_thresholds
from localstandards.frameworks.services import load_tree
from localstandards.scoring import scoring
from localstandards.scoring.models import AreaScore, IndicatorResultRecord, ReturnScore

_SIX = Decimal("0.000001")
_SEVEN = Decimal("0.0000001")


def _stored(value: Decimal | None, places: Decimal = _SIX) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def parameters_of(framework: Framework) -> scoring.ScoringParameters:
    """The version's scoring sheet and label thresholds, the same thresholds the data-entry page uses."""
    return scoring.ScoringParameters(
        thresholds=label_thresholds(framework),
        satisfaction_share=framework.satisfaction_share,
        pass_threshold=framework.pass_threshold,
        satisfaction_pass_threshold=framework.satisfaction_pass_threshold,
        score_formula=framework.score_formula or "",
    )


def build_input(
    assessment: Assessment, framework: Framework | None = None, failures: list[EvaluationFailure] | None = None
) -> scoring.ReturnInput:
    """The plain input of the pure functions for one return (`framework`: its stamped version, tree loaded).
    Applicability conditions that fail to run are added to `failures` (the indicator is then scored)."""
    framework = framework or load_tree(assessment.framework)
    if framework.pk != assessment.framework_id:
        raise ValueError("a return is scored against the framework version it is stamped with")
    lg = assessment.local_government
    answers = {a.indicator_id: a for a in assessment.answers.all()}
    areas, indicators, satisfaction = [], [], []
    for area in framework.areas.all():
        areas.append(scoring.AreaInput(area_id=area.pk, weight=area.weight, code=area.code))
        for mission in area.missions.all():
            for indicator in mission.indicators.all():
                applies, _conditional = indicator_applies(indicator, lg.type, lg, failures)
                if not applies:
                    continue
                answer = answers.get(indicator.pk)
                indicators.append(
                    scoring.IndicatorInput(
                        indicator_id=indicator.pk,
                        area_id=area.pk,
                        kind=indicator.kind,
                        target=indicator.target_for(lg.type),
                        weight=indicator.weight,
                        base=answer.base if answer else None,
                        delivered=answer.delivered if answer else None,
                        count=answer.count if answer else None,
                        answer=answer.answer if answer else None,
                        code=indicator.code,
                    )
                )
    questions = {q.pk: q.area_id for area in framework.areas.all() for q in area.questions.all()}
    for item in assessment.satisfaction_answers.all():
        if item.question_id in questions:
            satisfaction.append(
                scoring.SatisfactionInput(
                    question_id=item.question_id,
                    area_id=questions[item.question_id],
                    satisfied=item.satisfied,
                    needs_improvement=item.needs_improvement,
                )
            )
    return scoring.ReturnInput(
        areas=tuple(areas),
        indicators=tuple(indicators),
        satisfaction=tuple(satisfaction),
        parameters=parameters_of(framework),
    )


def _summary_fields(summary: scoring.Counts) -> dict:
    labels = summary.label_counts
    return {
        "indicators": summary.indicators,
        "scored": summary.scored,
        "applicable": summary.applicable,
        "met": summary.met,
        "above": labels[ABOVE],
        "meets": labels[MEETS],
        "develop": labels[DEVELOP],
        "no_service": labels[NO_SERVICE],
        "not_done": labels[NOT_DONE],
        "compliance": _stored(summary.compliance),
        "satisfied": summary.satisfied,
        "needs_improvement": summary.needs_improvement,
        "satisfaction": _stored(summary.satisfaction),
    }


@dataclass
class Results:
    """One return's results as model rows: saved (read from the cache) or not (computed now, never written)."""

    score: ReturnScore
    areas: list[AreaScore]
    records: list[IndicatorResultRecord]
    stored: bool


def compute_results(
    assessment: Assessment, *, framework: Framework | None = None, failures: list[EvaluationFailure] | None = None
) -> Results:
    """The return's results as unsaved rows, from the pure functions (no write). `framework`: its tree, loaded.
    Expressions that fail to run (applicability, the score formula) are added to `failures`."""
    framework = framework or load_tree(assessment.framework)
    scored = scoring.score_return(build_input(assessment, framework, failures))
    if scored.summary.formula_error and failures is not None:
        failures.append(
            EvaluationFailure(
                framework_id=framework.pk,
                indicator_id=None,
                kind=expressions.SCORING,
                expression=framework.score_formula or "",
                local_government_id=assessment.local_government_id,
                error=scored.summary.formula_error[:500],
            )
        )
    answers = {a.indicator_id: a for a in assessment.answers.all()}
    indicators = {i.pk: i for area in framework.areas.all() for m in area.missions.all() for i in m.indicators.all()}
    areas = {area.pk: area for area in framework.areas.all()}
    records = []
    for result in scored.indicators:
        record = _record(assessment, result, answers.get(result.indicator_id))
        record.indicator, record.area = indicators[result.indicator_id], areas[result.area_id]
        records.append(record)
    area_scores = [
        AreaScore(
            assessment=assessment,
            area_id=area.area_id,
            weight=area.weight,
            weighted_compliance=_stored(area.weighted_compliance),
            **_summary_fields(area),
        )
        for area in scored.summary.areas
    ]
    summary = scored.summary
    score = ReturnScore(
        assessment=assessment,
        framework_id=assessment.framework_id,
        indicator_score=_stored(summary.indicator_score),
        satisfaction_score=_stored(summary.satisfaction_score),
        score=_stored(summary.score),
        passed=summary.passed,
        formula_error=summary.formula_error[:500],
        assessment_status=assessment.status,
        computed_at=timezone.now(),
        **_summary_fields(summary),
    )
    return Results(score, area_scores, records, stored=False)


def rescore_assessment(assessment: Assessment, *, framework: Framework | None = None) -> ReturnScore:
    """Replace the cached results of one return (idempotent). `framework`: its stamped version, tree loaded."""
    with transaction.atomic():
        # Lock the return so two rebuilds of the same return (status change + command) run one after the other.
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("local_government__province", "framework")
            .get(pk=assessment.pk)
        )
        failures: list[EvaluationFailure] = []
        results = compute_results(assessment, framework=framework, failures=failures)
        record_failures(failures)
        IndicatorResultRecord.objects.filter(assessment=assessment).delete()
        AreaScore.objects.filter(assessment=assessment).delete()
        ReturnScore.objects.filter(assessment=assessment).delete()
        IndicatorResultRecord.objects.bulk_create(results.records)
        AreaScore.objects.bulk_create(results.areas)
        results.score.save()
        return results.score


def is_stale(score: ReturnScore | None, assessment: Assessment) -> bool:
    """Whether the stored results no longer match the return (missing, another version, status or answers moved)."""
    if score is None or score.framework_id != assessment.framework_id:
        return True
    if score.assessment_status != assessment.status:
        return True
    if assessment.is_final:
        return False  # a final return cannot change without a status change first
    changed = [
        assessment.answers.aggregate(last=Max("updated_at"))["last"],
        assessment.satisfaction_answers.aggregate(last=Max("updated_at"))["last"],
    ]
    return any(when and when > score.computed_at for when in changed)


def current_results(assessment: Assessment) -> Results:
    """The results to show now: the stored cache when it is up to date, else computed in memory.

    Read paths (pages, PDF, exports) call this; it never writes, so a GET stays a read (and can go to a replica).
    The cache is rebuilt by the status-change task and by `manage.py rescore`.
    """
    score = ReturnScore.objects.filter(assessment=assessment).first()
    if is_stale(score, assessment):
        return compute_results(assessment)
    records = list(
        IndicatorResultRecord.objects.filter(assessment=assessment).select_related("indicator__mission", "area")
    )
    return Results(score, list(AreaScore.objects.filter(assessment=assessment)), records, stored=True)


def _record(assessment: Assessment, result: scoring.IndicatorResult, answer) -> IndicatorResultRecord:
    return IndicatorResultRecord(
        assessment=assessment,
        indicator_id=result.indicator_id,
        area_id=result.area_id,
        kind=result.kind,
        label=result.label or "",
        target=result.target,
        base=answer.base if answer else None,
        delivered=answer.delivered if answer else None,
        count=answer.count if answer else None,
        answer=answer.answer if answer else None,
        value=_stored(result.value),
        percentage=_stored(result.percentage),
        shortfall=_stored(result.shortfall, _SEVEN),
        weight=result.weight,
        applicable=result.applicable,
        met=result.met,
    )


def rescore_round(assessment_round: AssessmentRound) -> int:
    """Rebuild the cached results of every return of a round; returns how many returns were scored."""
    trees: dict[int, Framework] = {}
    count = 0
    for assessment in assessment_round.assessments.order_by("pk").only("pk", "framework_id"):
        if assessment.framework_id not in trees:
            trees[assessment.framework_id] = load_tree(assessment.framework)
        rescore_assessment(assessment, framework=trees[assessment.framework_id])
        count += 1
    return count
