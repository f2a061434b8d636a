"""Certification and submission, the receipt, review by the district and the province, reopening, extensions,
and one indicator's history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.assessments import audit, services, workflow
from localstandards.assessments.forms import CertifyForm, ExtensionForm
from localstandards.assessments.models import Status
from localstandards.assessments.views.common import attempt, get_assessment, get_indicator, page_context


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    context = page_context(request, assessment)
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
        outcome = attempt(services.submit, assessment, request.user, **form.cleaned_data)
        if outcome.saved:
            messages.success(request, _("The return was certified and submitted."))
            return redirect("assessments:receipt", pk=assessment.pk)
        for name, text in outcome.errors.items():
            form.add_error(name if name in form.fields else None, text)
        if not outcome.errors:
            form.add_error(None, outcome.error)
    context.update(form=form, may_certify=may_certify, blockers=services.submission_blockers(assessment))
    return render(request, "assessments/submit.html", context)


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    if assessment.submitted_at is None:
        raise Http404
    context = page_context(request, assessment)
    context["answer_count"] = assessment.answers.count()
    context["evidence_count"] = assessment.evidence.count()
    return render(request, "assessments/receipt.html", context)


def _decide(request: HttpRequest, assessment, level: str, areas) -> str:
    """Carry out the reviewer's decision; returns the success message (raises AssessmentError when refused).

    The form names the level and the version of the return it was shown for: a decision posted twice (a double
    click, Back and submit again) finds the return moved on and is refused, instead of deciding at the next level."""
    if request.POST.get("level") != level or request.POST.get("version") != str(assessment.version):
        raise services.AssessmentError(
            _(
                "This return has changed since the page was opened (it is now: %(status)s). Nothing was done; "
                "open the return again to see where it stands."
            )
            % {"status": assessment.get_status_display()}
        )
    action = request.POST.get("action")
    if action == "accept":
        services.accept(assessment, request.user, level)
        return _("The return was accepted.")
    if action == "return":
        reasons = {
            entry.indicator.pk: request.POST.get(f"reason-{entry.indicator.pk}", "")
            for area_entry in areas
            for entry in area_entry.indicators
        }
        services.return_for_correction(
            assessment,
            request.user,
            level,
            reasons={pk: text for pk, text in reasons.items() if text.strip()},
            reopen_all=request.POST.get("reopen_all") == "1",
            general_reason=request.POST.get("general_reason", ""),
        )
        return _("The return was sent back for correction.")
    raise services.AssessmentError(_("Choose accept or return."))


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    context = page_context(request, assessment)
    level = {Status.AWAITING_DISTRICT: "district", Status.AWAITING_PROVINCE: "province"}.get(assessment.status)
    may_review = level is not None and workflow.can(f"{level}_accept", request.user, assessment)
    areas = services.build_entries(assessment)
    if request.method == "POST":
        if not may_review:
            raise Http404
        outcome = attempt(_decide, request, assessment, level, areas)
        if outcome.saved:
            messages.success(request, outcome.value)
            return redirect("assessments:list")
        messages.error(request, outcome.error)
    flags: dict[int, list] = {}
    for flag in assessment.quality_flags.filter().select_related("checked_by"):
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
    assessment = get_assessment(request, pk)
    outcome = attempt(services.reopen, assessment, request.user, request.POST.get("reason", ""))
    if outcome.saved:
        messages.success(request, _("The return was reopened."))
    else:
        messages.error(request, outcome.error)
    return redirect("assessments:overview", pk=assessment.pk)


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a new last day and a reason."))
        return redirect("assessments:overview", pk=assessment.pk)
    outcome = attempt(services.grant_extension, assessment, request.user, **form.cleaned_data)
    if outcome.saved:
        messages.success(request, _("Extension granted."))
    else:
        messages.error(request, outcome.error)
    return redirect("assessments:overview", pk=assessment.pk)


@login_required
@require_POST
def cancel_extension(request: HttpRequest, pk: int, extension_pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    extension = get_object_or_404(assessment.extensions.all(), pk=extension_pk)
    outcome = attempt(services.cancel_extension, extension, request.user, request.POST.get("reason", ""))
    if outcome.saved:
        messages.success(request, _("The extension was cancelled."))
    else:
        messages.error(request, outcome.error)
    return redirect("assessments:overview", pk=assessment.pk)


@login_required
def indicator_history(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    indicator = get_indicator(assessment, indicator_pk)
    context = page_context(request, assessment)
    context.update(
        indicator=indicator,
        wording=indicator.wording_for(assessment.local_government.type),
        changes=audit.indicator_changes(assessment, indicator.pk, file_names=context["may_see_evidence"]),
        comments=assessment.comments.filter(indicator=indicator).select_related("author"),
    )
    return render(request, "assessments/history.html", context)
