"""Rebuild the stored results (a cache) of one return or of a whole round from the pure scoring functions.

`rescore_assessment` reads the return's answers and the framework version the return is stamped with (never the
round's or a newer version), calls `scoring.score_return`, and replaces the return's cached rows in one
transaction. Running it twice gives the same rows; a rebuild of a round equals the incremental results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import batched

from django.db import connection, models, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from localstandards.assessments.models import Answer, Assessment, AssessmentRound, SatisfactionAnswer, Status
from localstandards.frameworks import expressions
from localstandards.frameworks.evaluation import EvaluationFailure, indicator_applies, record_failures
from localstandards.frameworks.models import Framework
from localstandards.frameworks.rules import ABOVE, DEVELOP, MEETS, NO_SERVICE, NOT_DONE, label_thresholds
from localstandards.frameworks.services import load_tree
from localstandards.scoring import scoring
from localstandards.scoring.models import AreaScore, IndicatorResultRecord, ReturnScore
from localstandards.scoring.signals import send_results_changed_on_commit

_SIX = Decimal("0.000001")
_SEVEN = Decimal("0.0000001")
_INSERT_BATCH = 1000  # rows per INSERT: under SQLite's variable limit with 17 columns


# Satisfaction counts kept by an app above this one (the online citizen survey of `public`), added to the paper
# counts. The app registers its source in AppConfig.ready(), so scoring never imports it. A source takes return ids
# and gives {return id: [rows with question_id, satisfied, needs_improvement]}.
SATISFACTION_SOURCES: list[Callable[[Sequence[int]], dict[int, list]]] = []


def extra_satisfaction(assessment_ids: Sequence[int]) -> dict[int, list]:
    extra: dict[int, list] = defaultdict(list)
    for source in SATISFACTION_SOURCES:
        for assessment_id, rows in source(assessment_ids).items():
            extra[assessment_id].extend(rows)
    return extra


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


def indicator_input(indicator, area_id: int, target, answer) -> scoring.IndicatorInput:
    """One applicable indicator of a return as the scoring functions take it, from its answer (None: unanswered).
    The one place an answer becomes a scoring input: the stored results and the round generator both use it."""
    return scoring.IndicatorInput(
        indicator_id=indicator.pk,
        area_id=area_id,
        kind=indicator.kind,
        target=target,
        weight=indicator.weight,
        base=answer.base if answer else None,
        delivered=answer.delivered if answer else None,
        count=answer.count if answer else None,
        answer=answer.answer if answer else None,
        code=indicator.code,
    )


def build_input(
    assessment: Assessment,
    framework: Framework | None = None,
    failures: list[EvaluationFailure] | None = None,
    *,
    answers: dict | None = None,
    satisfaction: Iterable | None = None,
) -> scoring.ReturnInput:
    """The plain input of the pure functions for one return (`framework`: its stamped version, tree loaded).
    Applicability conditions that fail to run are added to `failures` (the indicator is then scored).
    `answers` ({indicator id: answer}) and `satisfaction` (rows with question_id, satisfied, needs_improvement):
    the return's, when the caller already read them (rescore_round reads many returns' at once)."""
    framework = framework or load_tree(assessment.framework)
    if framework.pk != assessment.framework_id:
        raise ValueError("a return is scored against the framework version it is stamped with")
    lg = assessment.local_government
    if answers is None:
        answers = {a.indicator_id: a for a in assessment.answers.all()}
    if satisfaction is None:
        satisfaction = [
            *assessment.satisfaction_answers.all(),
            *extra_satisfaction([assessment.pk]).get(assessment.pk, []),
        ]
    satisfaction_rows = satisfaction
    tree = _tree_view(framework)
    areas, indicators, satisfaction = [], [], []  # satisfaction: the inputs, from satisfaction_rows
    for area, area_indicators in tree.areas:
        areas.append(scoring.AreaInput(area_id=area.pk, weight=area.weight, code=area.code))
        for indicator in area_indicators:
            applies, _conditional = indicator_applies(indicator, lg.type, lg, failures)
            if not applies:
                continue
            indicators.append(
                indicator_input(indicator, area.pk, tree.target(indicator, lg.type), answers.get(indicator.pk))
            )
    questions = tree.questions
    for item in satisfaction_rows:
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
        parameters=tree.parameters,
    )


@dataclass
class _TreeView:
    """The loaded tree of a version as build_input walks it, kept on the framework object: rescore_round scores
    thousands of returns with one tree, and walking the prefetched relations costs a manager per step."""

    areas: list[tuple]  # (area, its indicators in order)
    questions: dict[int, int]  # satisfaction question id → area id
    parameters: scoring.ScoringParameters
    targets: dict[tuple[int, str], Decimal | None]

    def target(self, indicator, lg_type: str) -> Decimal | None:
        key = (indicator.pk, lg_type)
        if key not in self.targets:
            self.targets[key] = indicator.target_for(lg_type)
        return self.targets[key]


def _tree_view(framework: Framework) -> _TreeView:
    view = getattr(framework, "_scoring_tree_view", None)
    if view is None:
        areas = list(framework.areas.all())
        view = _TreeView(
            areas=[(area, [i for m in area.missions.all() for i in m.indicators.all()]) for area in areas],
            questions={q.pk: q.area_id for area in areas for q in area.questions.all()},
            parameters=parameters_of(framework),
            targets={},
        )
        framework._scoring_tree_view = view
    return view


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


@dataclass
class ResultRows:
    """One return's results as column values (dicts keyed by attname, assessment_id included), for bulk writes."""

    score: dict
    areas: list[dict]
    records: list[dict]


def result_rows(
    assessment: Assessment,
    *,
    framework: Framework | None = None,
    failures: list[EvaluationFailure] | None = None,
    answers: dict | None = None,
    satisfaction: Iterable | None = None,
) -> ResultRows:
    """The return's results as column values, from the pure functions (no write). `framework`: its tree, loaded;
    `answers`, `satisfaction`: as for build_input. Expressions that fail to run (applicability, the score formula)
    are added to `failures`."""
    framework = framework or load_tree(assessment.framework)
    if answers is None:
        answers = {a.indicator_id: a for a in assessment.answers.all()}
    scored = scoring.score_return(
        build_input(assessment, framework, failures, answers=answers, satisfaction=satisfaction)
    )
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
    records = [_record(assessment.pk, result, answers.get(result.indicator_id)) for result in scored.indicators]
    areas = [
        {
            "assessment_id": assessment.pk,
            "area_id": area.area_id,
            "weight": area.weight,
            "weighted_compliance": _stored(area.weighted_compliance),
            **_summary_fields(area),
        }
        for area in scored.summary.areas
    ]
    summary = scored.summary
    score = {
        "assessment_id": assessment.pk,
        "framework_id": assessment.framework_id,
        "indicator_score": _stored(summary.indicator_score),
        "satisfaction_score": _stored(summary.satisfaction_score),
        "score": _stored(summary.score),
        "passed": summary.passed,
        "formula_error": summary.formula_error[:500],
        "assessment_status": assessment.status,
        "computed_at": timezone.now(),
        **_summary_fields(summary),
    }
    return ResultRows(score, areas, records)


def compute_results(
    assessment: Assessment, *, framework: Framework | None = None, failures: list[EvaluationFailure] | None = None
) -> Results:
    """The return's results as unsaved rows, from the pure functions (no write). `framework`: its tree, loaded.
    Expressions that fail to run (applicability, the score formula) are added to `failures`."""
    framework = framework or load_tree(assessment.framework)
    rows = result_rows(assessment, framework=framework, failures=failures)
    indicators = {i.pk: i for area in framework.areas.all() for m in area.missions.all() for i in m.indicators.all()}
    areas = {area.pk: area for area in framework.areas.all()}
    records = []
    for fields in rows.records:
        record = IndicatorResultRecord(**fields)
        record.assessment = assessment
        record.indicator, record.area = indicators[record.indicator_id], areas[record.area_id]
        records.append(record)
    area_scores = []
    for fields in rows.areas:
        area_score = AreaScore(**fields)
        area_score.assessment = assessment
        area_scores.append(area_score)
    score = ReturnScore(**rows.score)
    score.assessment = assessment
    return Results(score, area_scores, records, stored=False)


def rescore_assessment(assessment: Assessment, *, framework: Framework | None = None) -> ReturnScore:
    """Replace the cached results of one return (idempotent). `framework`: its stamped version, tree loaded."""
    with transaction.atomic():
        # Lock the return so two rebuilds of the same return (status change + command) run one after the other.
        assessment = (
            # Unscoped: scoring is a system job over the returns it is given.
            Assessment.objects.unscoped()
            .select_for_update(of=("self",))
            .select_related("local_government__province", "framework")
            # The status the stored results were computed for: a return that was final counts in the national
            # results until its new results are in.
            .annotate(
                scored_status=Subquery(
                    ReturnScore.objects.filter(assessment=OuterRef("pk")).values("assessment_status")[:1]
                )
            )
            .get(pk=assessment.pk)
        )
        failures: list[EvaluationFailure] = []
        results = compute_results(assessment, framework=framework, failures=failures)
        record_failures(failures)
        # Unscoped: scoring is a system job over the returns it is given.
        IndicatorResultRecord.objects.unscoped().filter(assessment=assessment).delete()
        # Unscoped: scoring is a system job over the returns it is given.
        AreaScore.objects.unscoped().filter(assessment=assessment).delete()
        # Unscoped: scoring is a system job over the returns it is given.
        ReturnScore.objects.unscoped().filter(assessment=assessment).delete()
        IndicatorResultRecord.objects.bulk_create(results.records)
        AreaScore.objects.bulk_create(results.areas)
        results.score.save()
        send_results_changed_on_commit(
            round_id=assessment.round_id,
            assessment_ids=(assessment.pk,),
            final_changed=assessment.status in Status.FINAL or assessment.scored_status in Status.FINAL,
        )
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
    # Unscoped: scoring is a system job over the returns it is given.
    score = ReturnScore.objects.unscoped().filter(assessment=assessment).first()
    if is_stale(score, assessment):
        return compute_results(assessment)
    records = list(
        # Unscoped: scoring is a system job over the returns it is given.
        IndicatorResultRecord.objects.unscoped()
        .filter(assessment=assessment)
        .select_related("indicator__mission", "area")
    )
    # Unscoped: scoring is a system job over the returns it is given.
    return Results(score, list(AreaScore.objects.unscoped().filter(assessment=assessment)), records, stored=True)


def _record(assessment_id: int, result: scoring.IndicatorResult, answer) -> dict:
    return {
        "assessment_id": assessment_id,
        "indicator_id": result.indicator_id,
        "area_id": result.area_id,
        "kind": result.kind,
        "label": result.label or "",
        "target": result.target,
        "base": answer.base if answer else None,
        "delivered": answer.delivered if answer else None,
        "count": answer.count if answer else None,
        "answer": answer.answer if answer else None,
        "value": _stored(result.value),
        "percentage": _stored(result.percentage),
        "shortfall": _stored(result.shortfall, _SEVEN),
        "weight": result.weight,
        "applicable": result.applicable,
        "met": result.met,
    }


ROUND_CHUNK = 500  # returns per transaction in rescore_round: a few queries each, bounded memory


def rescore_round(assessment_round: AssessmentRound, *, chunk_size: int = ROUND_CHUNK) -> int:
    """Rebuild the cached results of every return of a round; returns how many returns were scored.

    In chunks of `chunk_size` returns, one transaction each: the returns (locked, as rescore_assessment locks its
    one), their answers and satisfaction answers in three queries, the same `result_rows` as one return, then
    the chunk's old rows deleted and the new ones inserted in bulk. The framework tree is loaded once per version.
    A national round (7,850 returns) is about 16 chunks instead of 7,850 transactions of 12 queries.
    """
    trees: dict[int, Framework] = {}
    ids = list(assessment_round.assessments.order_by("pk").values_list("pk", flat=True))
    for chunk in batched(ids, chunk_size):
        _rescore_chunk(chunk, trees)
    if ids:
        # Outside a transaction the signal goes at once; inside one (a caller's), after it commits.
        send_results_changed_on_commit(round_id=assessment_round.pk, assessment_ids=tuple(ids), final_changed=True)
    return len(ids)


def _rescore_chunk(ids: tuple[int, ...], trees: dict[int, Framework]) -> None:
    with transaction.atomic():
        assessments = list(
            # Unscoped: scoring is a system job over the returns it is given.
            Assessment.objects.unscoped()
            .filter(pk__in=ids)
            .select_for_update(of=("self",))
            .select_related("local_government__province", "framework")
            .order_by("pk")
        )
        locked = [a.pk for a in assessments]  # a return deleted meanwhile is simply not there
        # Plain rows, not model instances: the scoring reads four numbers of each answer.
        answers: dict[int, dict] = defaultdict(dict)
        for row in (
            # Unscoped: scoring is a system job over the returns it is given.
            Answer.objects.unscoped()
            .filter(assessment_id__in=locked)
            .values_list("assessment_id", "indicator_id", "base", "delivered", "count", "answer", named=True)
        ):
            answers[row.assessment_id][row.indicator_id] = row
        satisfaction: dict[int, list] = defaultdict(list)
        for row in (
            # Unscoped: scoring is a system job over the returns it is given.
            SatisfactionAnswer.objects.unscoped()
            .filter(assessment_id__in=locked)
            .values_list("assessment_id", "question_id", "satisfied", "needs_improvement", named=True)
        ):
            satisfaction[row.assessment_id].append(row)
        for assessment_id, rows in extra_satisfaction(locked).items():
            satisfaction[assessment_id].extend(rows)
        failures: list[EvaluationFailure] = []
        records: list[dict] = []
        areas: list[dict] = []
        scores: list[dict] = []
        for assessment in assessments:
            if assessment.framework_id not in trees:
                trees[assessment.framework_id] = load_tree(assessment.framework)
            rows = result_rows(
                assessment,
                framework=trees[assessment.framework_id],
                failures=failures,
                answers=answers.get(assessment.pk, {}),
                satisfaction=satisfaction.get(assessment.pk, []),
            )
            records.extend(rows.records)
            areas.extend(rows.areas)
            scores.append(rows.score)
        record_failures(failures)
        # Unscoped: scoring is a system job over the returns it is given.
        IndicatorResultRecord.objects.unscoped().filter(assessment_id__in=locked).delete()
        # Unscoped: scoring is a system job over the returns it is given.
        AreaScore.objects.unscoped().filter(assessment_id__in=locked).delete()
        # Unscoped: scoring is a system job over the returns it is given.
        ReturnScore.objects.unscoped().filter(assessment_id__in=locked).delete()
        _insert(IndicatorResultRecord, records)
        _insert(AreaScore, areas)
        _insert(ReturnScore, scores)


def _insert(model: type[models.Model], rows: list[dict]) -> None:
    """Insert new rows in bulk: with COPY on PostgreSQL (a national round is about 270,000 indicator results, and
    bulk_create spends more time building its statements than computing them), else with bulk_create.

    The rows are complete column values from result_rows (no auto_now fields, every value already rounded to its
    column), so they go to the database as they are."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=_INSERT_BATCH)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    attnames = [field.attname for field in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[name] for name in attnames])
