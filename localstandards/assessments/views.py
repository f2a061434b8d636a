"""Thin views over services: every read goes through `for_user`, every write through a service function."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.assessments import services, workflow
from localstandards.assessments.forms import CertifyForm, ExtensionForm, RoundForm, default_round_initial
from localstandards.assessments.models import (
    Answer,
    Assessment,
    AssessmentRound,
    Comment,
    Evidence,
    ReviewLevel,
    SatisfactionAnswer,
    Status,
)
from localstandards.frameworks.models import Indicator, SatisfactionQuestion


def _get_assessment(request: HttpRequest, pk: int) -> Assessment:
    queryset = Assessment.objects.for_user(request.user).select_related(
        "round", "framework", "local_government__province", "local_government__district", "certified_by"
    )
    return get_object_or_404(queryset.prefetch_related("extensions"), pk=pk)


def _page_context(request: HttpRequest, assessment: Assessment) -> dict:
    window = services.entry_window(assessment)
    return {
        "assessment": assessment,
        "window": window,
        "can_write": window.is_open
        and assessment.status in (Status.DRAFT, Status.RETURNED)
        and services._can_enter_data(request.user, assessment),
        "transitions": workflow.allowed_transitions(request.user, assessment),
    }


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    returns = Assessment.objects.for_user(request.user).select_related(
        "round", "local_government__province", "local_government__district"
    )
    rounds = AssessmentRound.objects.filter(pk__in=returns.values("round_id")).order_by("-fiscal_year", "-opens_on")
    chosen_round = request.GET.get("round")
    if chosen_round and chosen_round.isdigit():
        returns = returns.filter(round_id=int(chosen_round))
    status = request.GET.get("status", "")
    if status == "mine":
        levels = [a for a in ("district", "province") if _reviews_somewhere(request.user, a)]
        wanted = [workflow.STATUS_OF_LEVEL[ReviewLevel(level)] for level in levels]
        returns = returns.filter(status__in=wanted)
    elif status in Status.values:
        returns = returns.filter(status=status)
    query = (request.GET.get("q") or "").strip()
    if query:
        returns = returns.filter(Q(local_government__name_th__icontains=query) | Q(local_government__dla_code=query))
    counts = dict(returns.order_by().values_list("status").annotate(n=Count("pk")))
    page = Paginator(returns.order_by("local_government__name_th"), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "rounds": rounds,
        "statuses": Status.choices,
        "counts": counts,
        "chosen_status": status,
        "chosen_round": chosen_round,
        "query": query,
        "params": params.urlencode(),
        "is_reviewer": _reviews_somewhere(request.user, "district") or _reviews_somewhere(request.user, "province"),
    }
    return render(request, "assessments/assessment_list.html", context)


def _reviews_somewhere(user, level: str) -> bool:
    from localstandards.accounts.models import Role

    role = {"district": Role.DISTRICT_OFFICER, "province": Role.PROVINCE_OFFICER}[level]
    return user.is_national_admin or user.has_role(role)


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    areas = services.build_entries(assessment)
    context = _page_context(request, assessment)
    context.update(
        areas=areas,
        blockers=services.submission_blockers(assessment, areas),
        general_comments=assessment.comments.filter(indicator=None).select_related("author"),
        extension_form=ExtensionForm() if services.may_grant_extension(request.user, assessment) else None,
        extensions=assessment.extensions.select_related("granted_by"),
        timeline=_status_timeline(assessment),
    )
    return render(request, "assessments/overview.html", context)


def _status_timeline(assessment: Assessment) -> list[dict]:
    """Each status change of the return (who, when, from, to), oldest first, from its audit history."""
    rows = assessment.history.select_related("history_user").order_by("history_date", "history_id")
    labels = dict(Status.choices)
    timeline, previous = [], Status.DRAFT  # every return starts as a draft (created in bulk when the round opens)
    for row in rows:
        if row.status != previous:
            timeline.append(
                {"when": row.history_date, "who": row.history_user, "old": labels[previous], "new": labels[row.status]}
            )
            previous = row.status
    return timeline


@login_required
def area(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One area's indicators. With JavaScript each indicator saves itself; without, this form posts them all."""
    assessment = _get_assessment(request, pk)
    context = _page_context(request, assessment)
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


def _posted(request: HttpRequest, prefix: str, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.POST.get(f"{prefix}-{name}", "") for name in names}


def _save_area_post(request: HttpRequest, assessment: Assessment) -> dict[str, dict]:
    """Save every indicator and question of a no-JavaScript form post; each keeps its own result ("i12", "q3")."""
    results: dict[str, dict] = {}
    indicators = Indicator.objects.filter(framework=assessment.framework).prefetch_related("targets", "validations")
    for indicator in indicators:
        prefix = f"i{indicator.pk}"
        if f"{prefix}-version" not in request.POST:
            continue
        raw = _posted(request, prefix, ("base", "delivered", "count", "answer", "note"))
        existing = Answer.objects.filter(assessment=assessment, indicator=indicator).first()
        unchanged = existing is not None and _same_answer(existing, raw)
        if unchanged or (existing is None and not any(raw.values())):
            continue
        results[f"i{indicator.pk}"] = _save_one(request, assessment, indicator, raw)
    for question in SatisfactionQuestion.objects.filter(framework=assessment.framework):
        prefix = f"q{question.pk}"
        if f"{prefix}-version" not in request.POST:
            continue
        raw = _posted(request, prefix, ("satisfied", "needs_improvement"))
        existing = SatisfactionAnswer.objects.filter(assessment=assessment, question=question).first()
        if existing is None and not any(raw.values()):
            continue
        stored = (
            ["" if v is None else str(v) for v in (existing.satisfied, existing.needs_improvement)]
            if existing
            else None
        )
        if stored is not None and stored == [raw["satisfied"].strip(), raw["needs_improvement"].strip()]:
            continue
        try:
            services.save_satisfaction(assessment, question, request.user, raw, _version(request, prefix))
            results[f"q{question.pk}"] = {"saved": True}
        except services.InvalidAnswer as error:
            results[f"q{question.pk}"] = {"errors": error.errors, "raw": raw}
        except services.VersionConflict as error:
            results[f"q{question.pk}"] = {"conflict": error, "raw": raw}
        except services.AssessmentError as error:
            results[f"q{question.pk}"] = {"error": error.message}
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


def _version(request: HttpRequest, prefix: str) -> int:
    try:
        return int(request.POST.get(f"{prefix}-version", "0"))
    except ValueError:
        return -1


def _save_one(request: HttpRequest, assessment: Assessment, indicator: Indicator, raw: dict[str, str]) -> dict:
    try:
        result = services.save_answer(assessment, indicator, request.user, raw, _version(request, f"i{indicator.pk}"))
    except services.InvalidAnswer as error:
        return {"errors": error.errors, "raw": raw}
    except services.VersionConflict as error:
        return {"conflict": error, "raw": raw}
    except services.AssessmentError as error:
        return {"error": error.message, "raw": raw}
    return {"saved": True, "warnings": result.warnings}


@login_required
@require_POST
def save_indicator(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """HTMX autosave of one indicator; answers with the re-rendered indicator block."""
    assessment = _get_assessment(request, pk)
    indicator = get_object_or_404(Indicator.objects.filter(framework=assessment.framework), pk=indicator_pk)
    raw = _posted(request, f"i{indicator.pk}", ("base", "delivered", "count", "answer", "note"))
    result = _save_one(request, assessment, indicator, raw)
    assessment.refresh_from_db()
    entry = next(
        (e for a in services.build_entries(assessment) for e in a.indicators if e.indicator.pk == indicator.pk), None
    )
    if entry is None:
        raise Http404
    context = _page_context(request, assessment)
    fields = {"ratio": ("base", "delivered"), "count": ("count",)}.get(indicator.kind, ("answer",))
    context.update(entry=entry, result=result, field_names=fields)
    status = 200 if result.get("saved") else 422 if (result.get("errors") or result.get("error")) else 409
    template = "assessments/includes/indicator_oob.html" if request.htmx else "assessments/includes/indicator.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def preview_indicator(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """The result label for the numbers being typed, from the same rule the scores use; saves nothing."""
    assessment = _get_assessment(request, pk)
    indicator = get_object_or_404(Indicator.objects.filter(framework=assessment.framework), pk=indicator_pk)
    raw = _posted(request, f"i{indicator.pk}", ("base", "delivered", "count", "answer", "note"))
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
        entry.outcome = services.outcome_of(indicator, draft, target, services.label_thresholds(assessment.framework))
        entry.label_text = services.label_texts(assessment.framework).get(entry.outcome.label, "")
    return render(request, "assessments/includes/outcome.html", {"entry": entry})


@login_required
@require_POST
def save_question(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    question = get_object_or_404(SatisfactionQuestion.objects.filter(framework=assessment.framework), pk=question_pk)
    raw = _posted(request, f"q{question.pk}", ("satisfied", "needs_improvement"))
    result: dict = {"raw": raw}
    status = 200
    try:
        services.save_satisfaction(assessment, question, request.user, raw, _version(request, f"q{question.pk}"))
        result = {"saved": True}
    except services.InvalidAnswer as error:
        result["errors"], status = error.errors, 422
    except services.VersionConflict as error:
        result["conflict"], status = error, 409
    except services.AssessmentError as error:
        result["error"], status = error.message, 422
    answer = SatisfactionAnswer.objects.filter(assessment=assessment, question=question).first()
    context = _page_context(request, assessment)
    context.update(question=question, wording=question.wording_for(assessment.local_government.type), answer=answer)
    context["result"] = result
    template = "assessments/includes/question_oob.html" if request.htmx else "assessments/includes/question.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def upload_evidence(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    indicator = get_object_or_404(Indicator.objects.filter(framework=assessment.framework), pk=indicator_pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            services.attach_evidence(assessment, indicator, request.user, upload)
            messages.success(request, _("Attached %(name)s.") % {"name": services.safe_original_name(upload.name)})
        except services.AssessmentError as error:
            messages.error(request, f"{services.safe_original_name(upload.name)}: {error.message}")
    return redirect(_indicator_url(assessment, indicator))


def _indicator_url(assessment: Assessment, indicator: Indicator) -> str:
    area_code = indicator.mission.area.code
    return reverse("assessments:area", args=[assessment.pk, area_code]) + f"#i{indicator.pk}"


@login_required
def download_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.for_user(request.user), pk=evidence_pk, assessment_id=pk)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
@require_POST
def remove_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    evidence = get_object_or_404(
        Evidence.objects.for_user(request.user).select_related("indicator__mission__area", "assessment"),
        pk=evidence_pk,
        assessment_id=pk,
    )
    try:
        services.remove_evidence(evidence, request.user)
        messages.success(request, _("Removed %(name)s.") % {"name": evidence.original_name})
    except services.AssessmentError as error:
        messages.error(request, error.message)
    return redirect(_indicator_url(evidence.assessment, evidence.indicator))


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    indicator = None
    indicator_pk = request.POST.get("indicator")
    if indicator_pk:
        indicator = get_object_or_404(Indicator.objects.filter(framework=assessment.framework), pk=indicator_pk)
    try:
        services.add_comment(assessment, request.user, indicator, request.POST.get("body", ""))
        messages.success(request, _("Comment added."))
    except services.AssessmentError as error:
        messages.error(request, error.message)
    if indicator is not None:
        return redirect(_indicator_url(assessment, indicator))
    return redirect("assessments:overview", pk=assessment.pk)


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    context = _page_context(request, assessment)
    transition = "resubmit" if assessment.status == Status.RETURNED else "submit"
    may_certify = workflow.can(transition, request.user, assessment)
    # Prefill with the previous certification (a resubmission), else with the head's own name and position.
    form = CertifyForm(
        request.POST or None,
        initial={
            "certifier_name": assessment.certifier_name or request.user.get_full_name(),
            "certifier_position": assessment.certifier_position or request.user.position,
        },
    )
    if request.method == "POST" and may_certify and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit(
                assessment,
                request.user,
                certifier_name=data["certifier_name"],
                certifier_position=data["certifier_position"],
                confirmed=data["confirmed"],
            )
            messages.success(request, _("The return was certified and submitted."))
            return redirect("assessments:receipt", pk=assessment.pk)
        except services.InvalidAnswer as error:
            for name, text in error.errors.items():
                form.add_error(name if name in form.fields else None, text)
        except services.AssessmentError as error:
            form.add_error(None, error.message)
    context.update(form=form, may_certify=may_certify, blockers=services.submission_blockers(assessment))
    return render(request, "assessments/submit.html", context)


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    if assessment.submitted_at is None:
        raise Http404
    context = _page_context(request, assessment)
    context["answer_count"] = assessment.answers.count()
    context["evidence_count"] = assessment.evidence.count()
    return render(request, "assessments/receipt.html", context)


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    context = _page_context(request, assessment)
    level = {Status.AWAITING_DISTRICT: "district", Status.AWAITING_PROVINCE: "province"}.get(assessment.status)
    may_review = level is not None and workflow.can(f"{level}_accept", request.user, assessment)
    areas = services.build_entries(assessment)
    if request.method == "POST":
        if not may_review:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.accept(assessment, request.user, level)
                messages.success(request, _("The return was accepted."))
            elif action == "return":
                reasons = {
                    entry.indicator.pk: request.POST.get(f"reason-{entry.indicator.pk}", "")
                    for area_entry in areas
                    for entry in area_entry.indicators
                }
                services.return_for_correction(
                    assessment,
                    request.user,
                    level,
                    reasons={pk_: text for pk_, text in reasons.items() if text.strip()},
                    reopen_all=request.POST.get("reopen_all") == "1",
                    general_reason=request.POST.get("general_reason", ""),
                )
                messages.success(request, _("The return was sent back for correction."))
            else:
                raise services.AssessmentError(_("Choose accept or return."))
            return redirect("assessments:list")
        except services.AssessmentError as error:
            messages.error(request, error.message)
    from localstandards.progress.models import QualityFlag

    flags: dict[int, list] = {}
    for flag in QualityFlag.objects.filter(assessment=assessment).select_related("checked_by"):
        flags.setdefault(flag.indicator_id, []).append(flag)
    context.update(
        areas=areas,
        level=level,
        may_review=may_review,
        flags=flags,
        flag_list=[flag for items in flags.values() for flag in items],
    )
    return render(request, "assessments/review.html", context)


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    try:
        services.reopen(assessment, request.user, request.POST.get("reason", ""))
        messages.success(request, _("The return was reopened."))
    except services.AssessmentError as error:
        messages.error(request, error.message)
    return redirect("assessments:overview", pk=assessment.pk)


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a new last day and a reason."))
    else:
        try:
            services.grant_extension(assessment, request.user, form.cleaned_data["until"], form.cleaned_data["reason"])
            messages.success(request, _("Extension granted."))
        except services.AssessmentError as error:
            messages.error(request, error.message)
    return redirect("assessments:overview", pk=assessment.pk)


@login_required
def indicator_history(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    indicator = get_object_or_404(Indicator.objects.filter(framework=assessment.framework), pk=indicator_pk)
    answer_rows = list(
        Answer.history.filter(assessment_id=assessment.pk, indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    changes = []
    previous = None
    for row in answer_rows:
        for name in ("base", "delivered", "count", "answer", "note"):
            old = getattr(previous, name) if previous else None
            new = getattr(row, name)
            if old != new and not (old in (None, "") and new in (None, "")):
                changes.append(
                    {"when": row.history_date, "who": row.history_user, "what": name, "old": old, "new": new}
                )
        previous = row
    for row in Evidence.history.filter(assessment_id=assessment.pk, indicator_id=indicator.pk).select_related(
        "history_user"
    ):
        what = {"+": "evidence_added", "-": "evidence_removed", "~": "evidence_changed"}[row.history_type]
        changes.append(
            {"when": row.history_date, "who": row.history_user, "what": what, "old": None, "new": row.original_name}
        )
    changes.sort(key=lambda change: change["when"])
    context = _page_context(request, assessment)
    context.update(
        indicator=indicator,
        wording=indicator.wording_for(assessment.local_government.type),
        changes=changes,
        comments=Comment.objects.filter(assessment=assessment, indicator=indicator).select_related("author"),
    )
    return render(request, "assessments/history.html", context)


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_national_admin:
        raise Http404
    rounds = AssessmentRound.objects.select_related("framework").annotate(
        expected=Count("assessments"),
        submitted=Count("assessments", filter=~Q(assessments__status=Status.DRAFT)),
    )
    return render(request, "assessments/round_list.html", {"rounds": rounds})


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    if not request.user.is_national_admin:
        raise Http404
    form = RoundForm(request.POST or None, initial=default_round_initial())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.open_round(
                framework=data["framework"],
                name=data["name"],
                fiscal_year=data["fiscal_year"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                review_deadline=data["review_deadline"],
                district_review=data["district_review"],
                province_review=data["province_review"],
                province_may_extend=data["province_may_extend"],
                excluded_codes=data["excluded_codes"],
                user=request.user,
            )
            messages.success(
                request,
                _("Round opened with %(count)s returns.") % {"count": created.assessments.count()},
            )
            return redirect("assessments:rounds")
        except services.AssessmentError as error:
            form.add_error(None, error.message)
    return render(request, "assessments/round_form.html", {"form": form})
