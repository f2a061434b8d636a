"""Data entry: the overview, an area's page (plain form post), HTMX autosave of one indicator or question, and the
live label preview. Each save goes through the services, which check role, window, state and version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.assessments import audit, services
from localstandards.assessments.forms import AnswerForm, ExtensionForm, SatisfactionForm
from localstandards.assessments.models import Answer, Assessment
from localstandards.assessments.permissions import Action, may
from localstandards.assessments.views.common import attempt, get_assessment, get_indicator, page_context
from localstandards.frameworks.models import Indicator, SatisfactionQuestion
from localstandards.frameworks.rules import label_texts, label_thresholds


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    areas = services.build_entries(assessment)
    context = page_context(request, assessment)
    context.update(
        areas=areas,
        blockers=services.submission_blockers(assessment, areas),
        returned=services.returned_entries(areas),
        return_reasons=services.general_return_reasons(assessment),
        general_comments=assessment.comments.filter(indicator=None).select_related("author"),
        extension_form=ExtensionForm() if may(request.user, Action.GRANT_EXTENSION, assessment) else None,
        extensions=assessment.extensions.select_related("granted_by"),
        timeline=audit.status_timeline(assessment),
    )
    return render(request, "assessments/overview.html", context)


@login_required
def area(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One area's indicators. With JavaScript each indicator saves itself; without, this form posts them all."""
    assessment = get_assessment(request, pk)
    context = page_context(request, assessment)
    results: dict[str, dict] = {}
    if request.method == "POST":
        results = _save_area_post(request, assessment)
        saved = sum(1 for r in results.values() if r.get("saved"))
        failed = sum(1 for r in results.values() if r.get("error") or r.get("errors") or r.get("conflict"))
        if failed:
            messages.error(request, _("%(failed)s items were not saved; see the messages below.") % {"failed": failed})
        else:
            messages.success(request, _("Saved %(saved)s items.") % {"saved": saved})
            return redirect(request.path)
        assessment.refresh_from_db()
    areas = services.build_entries(assessment)
    current = next((a for a in areas if a.area.code == code), None)
    if current is None:
        raise Http404
    index = areas.index(current)
    context.update(
        areas=areas,
        current=current,
        previous_area=areas[index - 1] if index > 0 else None,
        next_area=areas[index + 1] if index + 1 < len(areas) else None,
        results=results,
        question_rows=[(q, wording, answer, results.get(f"q{q.pk}")) for q, wording, answer in current.questions],
    )
    return render(request, "assessments/area.html", context)


def _save_area_post(request: HttpRequest, assessment: Assessment) -> dict[str, dict]:
    """Save every indicator and question of a no-JavaScript form post; each keeps its own result ("i12", "q3")."""
    results: dict[str, dict] = {}
    indicators = Indicator.objects.filter(framework=assessment.framework).prefetch_related("targets", "validations")
    for indicator in indicators:
        form = AnswerForm(request.POST, prefix=f"i{indicator.pk}")
        if not form.is_posted():
            continue
        raw = form.raw()
        existing = assessment.answers.filter(indicator=indicator).first()
        unchanged = existing is not None and _same_answer(existing, raw)
        if unchanged or (existing is None and not any(raw.values())):
            continue
        outcome = attempt(services.save_answer, assessment, indicator, request.user, raw, form.expected_version())
        results[f"i{indicator.pk}"] = outcome.as_result(raw)
    for question in SatisfactionQuestion.objects.filter(framework=assessment.framework):
        form = SatisfactionForm(request.POST, prefix=f"q{question.pk}")
        if not form.is_posted():
            continue
        raw = form.raw()
        existing = assessment.satisfaction_answers.filter(question=question).first()
        if existing is None and not any(raw.values()):
            continue
        stored = (
            ["" if v is None else str(v) for v in (existing.satisfied, existing.needs_improvement)]
            if existing
            else None
        )
        if stored is not None and stored == [raw["satisfied"].strip(), raw["needs_improvement"].strip()]:
            continue
        outcome = attempt(services.save_satisfaction, assessment, question, request.user, raw, form.expected_version())
        results[f"q{question.pk}"] = outcome.as_result(raw)
    return results


def _same_answer(answer: Answer, raw: dict[str, str]) -> bool:
    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)

    def normalised(value: str) -> str:
        try:
            parsed = services.parse_number(value)
        except ValueError:
            return value
        return text(parsed)

    return (
        normalised(raw["base"]) == text(answer.base)
        and normalised(raw["delivered"]) == text(answer.delivered)
        and raw["count"].strip() == text(answer.count)
        and raw["answer"].strip() == text(answer.answer)
        and raw["note"].strip() == answer.note
    )


@login_required
@require_POST
def save_indicator(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """HTMX autosave of one indicator; answers with the re-rendered indicator block."""
    assessment = get_assessment(request, pk)
    indicator = get_indicator(assessment, indicator_pk)
    form = AnswerForm(request.POST, prefix=f"i{indicator.pk}")
    raw = form.raw()
    outcome = attempt(services.save_answer, assessment, indicator, request.user, raw, form.expected_version())
    if outcome.saved and request.htmx:  # the hot path: answer from the row just written, read nothing more
        done = outcome.value
        entry = services.saved_entry(assessment, indicator, done.answer, done.outcome, done.warnings, done.unchecked)
    else:
        entry = services.build_entry(assessment, indicator)  # this indicator only
    if entry is None:
        raise Http404
    context = page_context(request, assessment)
    context.update(entry=entry, result=outcome.as_result(raw), field_names=AnswerForm.inputs_for(indicator.kind))
    template = "assessments/includes/indicator_oob.html" if request.htmx else "assessments/includes/indicator.html"
    return render(request, template, context, status=outcome.status)


@login_required
@require_POST
def preview_indicator(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """The result label for the numbers being typed, from the same rule the scores use; saves nothing."""
    assessment = get_assessment(request, pk)
    indicator = get_indicator(assessment, indicator_pk)
    raw = AnswerForm(request.POST, prefix=f"i{indicator.pk}").raw()
    lg_type = assessment.local_government.type
    target = indicator.target_for(lg_type)
    values, errors, _warnings = services.clean_answer(indicator, raw, lg_type, target)
    entry = services.IndicatorEntry(
        indicator=indicator,
        wording="",
        target=target,
        answer=None,
        evidence=[],
        outcome=services.outcome_of(indicator, None, target, {}),
        editable=False,
    )
    if not errors:
        draft = Answer(indicator=indicator, **{k: v for k, v in values.items() if k != "note"})
        entry.outcome = services.outcome_of(indicator, draft, target, label_thresholds(assessment.framework))
        entry.label_text = label_texts(assessment.framework).get(entry.outcome.label, "")
    return render(request, "assessments/includes/outcome.html", {"entry": entry})


@login_required
@require_POST
def save_question(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    question = get_object_or_404(SatisfactionQuestion.objects.filter(framework=assessment.framework), pk=question_pk)
    form = SatisfactionForm(request.POST, prefix=f"q{question.pk}")
    raw = form.raw()
    outcome = attempt(services.save_satisfaction, assessment, question, request.user, raw, form.expected_version())
    answer = assessment.satisfaction_answers.filter(question=question).first()
    context = page_context(request, assessment)
    context.update(question=question, wording=question.wording_for(assessment.local_government.type), answer=answer)
    context["result"] = outcome.as_result(raw)
    template = "assessments/includes/question_oob.html" if request.htmx else "assessments/includes/question.html"
    return render(request, template, context, status=outcome.status)
