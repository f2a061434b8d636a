"""What a return holds, as the officer sees it: applicable indicators with answers, evidence, outcome and gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from localstandards.assessments.forms import AnswerForm
from localstandards.assessments.models import (
    Answer,
    Assessment,
    Comment,
    Evidence,
    SatisfactionAnswer,
    Status,
)
from localstandards.frameworks.evaluation import EvaluationFailure, check_rules, indicator_applies
from localstandards.frameworks.models import Indicator, Kind
from localstandards.frameworks.rules import IndicatorOutcome, indicator_outcome, label_texts, label_thresholds
from localstandards.frameworks.services import frozen_tree


@dataclass
class IndicatorEntry:
    indicator: Indicator
    wording: str
    target: Decimal | None
    answer: Answer | None
    evidence: list[Evidence]
    outcome: IndicatorOutcome
    editable: bool
    missing: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    label_text: str = ""
    warnings: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # rules that failed to run (the national office is told)
    returned_reasons: list[str] = field(default_factory=list)  # why a reviewer sent it back, since the last submission
    guidance: str = ""

    @property
    def version(self) -> int:
        return self.answer.version if self.answer else 0

    @property
    def prefix(self) -> str:
        return f"i{self.indicator.pk}"


@dataclass
class AreaEntry:
    area: object
    missions: list[tuple[object, list[IndicatorEntry]]]
    questions: list[tuple[object, str, SatisfactionAnswer | None]]

    @property
    def indicators(self) -> list[IndicatorEntry]:
        return [entry for _mission, entries in self.missions for entry in entries]

    @property
    def required(self) -> int:
        return len(self.indicators) + len(self.questions)

    @property
    def answered(self) -> int:
        done = sum(1 for e in self.indicators if not any(m not in ("evidence", "explanation") for m in e.missing))
        return done + sum(1 for _q, _w, a in self.questions if _satisfaction_complete(a))

    @property
    def evidence_missing(self) -> int:
        return sum(1 for e in self.indicators if "evidence" in e.missing)

    @property
    def returned(self) -> int:
        """Indicators of this area a reviewer sent back with a reason (a returned return only)."""
        return sum(1 for e in self.indicators if e.returned_reasons)

    @property
    def complete(self) -> bool:
        return self.answered == self.required and not any(e.missing for e in self.indicators) and not self.returned


def _satisfaction_complete(answer: SatisfactionAnswer | None) -> bool:
    return answer is not None and answer.satisfied is not None and answer.needs_improvement is not None


def outcome_of(indicator: Indicator, answer: Answer | None, target, thresholds) -> IndicatorOutcome:
    if answer is None:
        return IndicatorOutcome(None)
    return indicator_outcome(
        indicator.kind,
        base=answer.base,
        delivered=answer.delivered,
        count=answer.count,
        answer=answer.answer,
        target=target,
        thresholds=thresholds,
    )


def missing_parts(indicator: Indicator, answer: Answer | None, evidence_count: int) -> list[str]:
    """What is still needed before submission: input fields, then 'evidence'."""
    missing = []
    if indicator.kind == Kind.RATIO:
        if answer is None or answer.base is None:
            missing.append("base")
        elif answer.base > 0 and answer.delivered is None:
            missing.append("delivered")
    elif indicator.kind == Kind.COUNT:
        if answer is None or answer.count is None:
            missing.append("count")
    elif answer is None or answer.answer is None:
        missing.append("answer")
    no_service = indicator.kind == Kind.RATIO and answer is not None and answer.base == 0
    if indicator.evidence_required and evidence_count == 0 and not no_service:
        missing.append("evidence")
    return missing


def indicator_is_editable(assessment: Assessment, indicator_id: int, reopened: set[int] | None = None) -> bool:
    if assessment.status == Status.DRAFT:
        return True
    if assessment.status != Status.RETURNED:
        return False
    if assessment.reopened_all:
        return True
    if reopened is None:
        reopened = set(assessment.reopened_indicators.values_list("pk", flat=True))
    return indicator_id in reopened


@dataclass(frozen=True)
class _Context:
    """What every indicator entry of one return is built from, loaded once."""

    assessment: Assessment
    thresholds: dict
    texts: dict[str, str]
    reopened: set[int]
    failures: list[EvaluationFailure] | None


def _context(assessment: Assessment, framework, failures) -> _Context:
    if assessment.status == Status.RETURNED and not assessment.reopened_all:
        reopened = set(assessment.reopened_indicators.values_list("pk", flat=True))
    else:
        reopened = set()  # indicator_is_editable does not need them
    return _Context(assessment, label_thresholds(framework), label_texts(framework), reopened, failures)


def _entry(
    ctx: _Context, indicator: Indicator, answer: Answer | None, files: list[Evidence], comments: list[Comment]
) -> IndicatorEntry | None:
    """One indicator as the officer sees it, or None when it does not apply to this local government."""
    lg = ctx.assessment.local_government
    applies, _conditional = indicator_applies(indicator, lg.type, lg, ctx.failures)
    if not applies:
        return None
    target = indicator.target_for(lg.type)
    entry = IndicatorEntry(
        indicator=indicator,
        wording=indicator.wording_for(lg.type),
        guidance=indicator.guidance_for(lg.type),
        target=target,
        answer=answer,
        evidence=files,
        outcome=outcome_of(indicator, answer, target, ctx.thresholds),
        editable=indicator_is_editable(ctx.assessment, indicator.pk, ctx.reopened),
        missing=missing_parts(indicator, answer, len(files)),
        comments=comments,
    )
    entry.label_text = ctx.texts.get(entry.outcome.label, "")
    if ctx.assessment.status == Status.RETURNED:
        since = ctx.assessment.submitted_at
        entry.returned_reasons = [
            c.body
            for c in comments
            if c.kind == Comment.Kind.RETURN_REASON and (since is None or c.created_at >= since)
        ]
    if answer is not None:
        values = {name: getattr(answer, name) for name in AnswerForm.INPUTS}
        checked = check_rules(indicator, values, lg.type, target, local_government_id=lg.pk, failures=ctx.failures)
        entry.warnings, entry.unchecked = checked.warnings, checked.unchecked
        # A soft rule may be broken, but only with an explanation the reviewers can read.
        if entry.warnings and not answer.note.strip():
            entry.missing.append("explanation")
    return entry


def build_entries(assessment: Assessment, *, failures: list[EvaluationFailure] | None = None) -> list[AreaEntry]:
    """The return as the officer sees it: applicable indicators with answers, evidence, outcome and gaps.

    Expressions of the framework that fail are logged, and added to `failures` when a write path passes a list
    to record them (a GET never writes)."""
    framework = frozen_tree(assessment.framework)  # a published version: read once per process
    ctx = _context(assessment, framework, failures)
    answers = {a.indicator_id: a for a in assessment.answers.select_related("updated_by")}
    evidence: dict[int, list[Evidence]] = {}
    for item in assessment.evidence.all():
        evidence.setdefault(item.indicator_id, []).append(item)
    comments: dict[int, list[Comment]] = {}
    for comment in assessment.comments.select_related("author").exclude(indicator=None):
        comments.setdefault(comment.indicator_id, []).append(comment)
    satisfaction = {s.question_id: s for s in assessment.satisfaction_answers.all()}
    lg_type = assessment.local_government.type
    areas = []
    for area in framework.areas.all():
        missions = []
        for mission in area.missions.all():
            entries = [
                entry
                for indicator in mission.indicators.all()
                if (
                    entry := _entry(
                        ctx,
                        indicator,
                        answers.get(indicator.pk),
                        evidence.get(indicator.pk, []),
                        comments.get(indicator.pk, []),
                    )
                )
            ]
            if entries:
                missions.append((mission, entries))
        questions = [(q, q.wording_for(lg_type), satisfaction.get(q.pk)) for q in area.questions.all()]
        if missions or questions:
            areas.append(AreaEntry(area=area, missions=missions, questions=questions))
    return areas


def build_entry(assessment: Assessment, indicator: Indicator) -> IndicatorEntry | None:
    """One indicator of the return, as build_entries would show it, reading only that indicator's rows (the
    autosave answers with this after every save, so it must stay a handful of queries)."""
    ctx = _context(assessment, assessment.framework, None)
    answer = assessment.answers.select_related("updated_by").filter(indicator=indicator).first()
    files = list(assessment.evidence.filter(indicator=indicator))
    comments = list(assessment.comments.select_related("author").filter(indicator=indicator))
    return _entry(ctx, indicator, answer, files, comments)


def saved_entry(
    assessment: Assessment,
    indicator: Indicator,
    answer: Answer,
    outcome: IndicatorOutcome,
    warnings: list[str],
    unchecked: list[str],
) -> IndicatorEntry:
    """The indicator as the autosave answer re-renders it (version, result, messages), from the row just written
    and the checks the save ran: it reads nothing, so its evidence and comments are left empty (not shown)."""
    texts = label_texts(frozen_tree(assessment.framework))
    entry = IndicatorEntry(
        indicator=indicator,
        wording="",
        target=indicator.target_for(assessment.local_government.type),
        answer=answer,
        evidence=[],
        outcome=outcome,
        editable=True,
        warnings=warnings,
        unchecked=unchecked,
        label_text=texts.get(outcome.label, ""),
    )
    if warnings and not answer.note.strip():
        entry.missing.append("explanation")
    return entry


@dataclass(frozen=True)
class Blocker:
    area_code: str
    anchor: str
    text: str


def submission_blockers(assessment: Assessment, areas: list[AreaEntry] | None = None) -> list[Blocker]:
    areas = areas if areas is not None else build_entries(assessment)
    names = {
        "base": _("base (1) missing"),
        "delivered": _("delivered (2) missing"),
        "count": _("number missing"),
        "answer": _("yes / no missing"),
        "evidence": _("evidence missing"),
        "explanation": _("a warning needs an explanation"),
    }
    counts_missing = _("satisfaction counts missing")  # outside the f-string, so makemessages finds it
    blockers = []
    for area in areas:
        for entry in area.indicators:
            if entry.missing:
                text = ", ".join(str(names[m]) for m in entry.missing)
                blockers.append(Blocker(area.area.code, entry.prefix, f"{entry.indicator.code} — {text}"))
        for question, _wording, answer in area.questions:
            if not _satisfaction_complete(answer):
                blockers.append(Blocker(area.area.code, f"q{question.pk}", f"{question.code} — {counts_missing}"))
    return blockers


def returned_entries(areas: list[AreaEntry]) -> list[tuple[AreaEntry, IndicatorEntry]]:
    """The indicators a reviewer sent back, with their area, in the order of the framework."""
    return [(area, entry) for area in areas for entry in area.indicators if entry.returned_reasons]


def general_return_reasons(assessment: Assessment) -> list[Comment]:
    """The reasons for the whole return given when it was last sent back (none unless it is returned)."""
    if assessment.status != Status.RETURNED:
        return []
    reasons = assessment.comments.filter(indicator=None, kind=Comment.Kind.RETURN_REASON).select_related("author")
    if assessment.submitted_at:
        reasons = reasons.filter(created_at__gte=assessment.submitted_at)
    return list(reasons)
