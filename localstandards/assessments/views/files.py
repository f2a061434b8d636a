"""Evidence files (upload, download, removal) and comments on a return or one of its indicators."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.assessments import services
from localstandards.assessments.models import Evidence
from localstandards.assessments.views.common import attempt, get_assessment, get_indicator, indicator_url
from localstandards.core.uploads import upload_refused


def at_indicator(indicator) -> str:
    """A message's tag that places it inside the indicator's card (where the page lands after the redirect),
    instead of at the top of the page, off-screen."""
    return f"at-i{indicator.pk}"


@login_required
@require_POST
def upload_evidence(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    indicator = get_indicator(assessment, indicator_pk)
    upload = request.FILES.get("file")
    at_field = at_indicator(indicator)
    if upload_refused(request):
        messages.error(
            request,
            _("The file is too large; the limit is %(limit)s MB.")
            % {"limit": round(settings.EVIDENCE_MAX_BYTES / 1048576, 1)},
            extra_tags=at_field,
        )
    elif upload is None:
        messages.error(request, _("Choose a file to attach."), extra_tags=at_field)
    else:
        name = services.safe_original_name(upload.name)
        outcome = attempt(services.attach_evidence, assessment, indicator, request.user, upload)
        if outcome.saved:
            messages.success(request, _("Attached %(name)s.") % {"name": name}, extra_tags=at_field)
        else:
            messages.error(request, f"{name}: {outcome.error}", extra_tags=at_field)
    return redirect(indicator_url(assessment, indicator))


@login_required
def download_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """The file after the scope check, streamed from whichever storage holds it (the disk, or a private S3
    bucket: no public or signed link ever reaches the browser, so the scope check guards every download)."""
    evidence = get_object_or_404(Evidence.objects.for_user(request.user), pk=evidence_pk, assessment_id=pk)
    try:
        stored = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None  # the record outlived its file (restored database, emptied bucket)
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    # Always a download, never a page: even opened by mistake as a document, it may run nothing and load nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def remove_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    evidence = get_object_or_404(
        Evidence.objects.for_user(request.user).select_related("indicator__mission__area", "assessment"),
        pk=evidence_pk,
        assessment_id=pk,
    )
    outcome = attempt(services.remove_evidence, evidence, request.user)
    at_field = at_indicator(evidence.indicator)
    if outcome.saved:
        messages.success(request, _("Removed %(name)s.") % {"name": evidence.original_name}, extra_tags=at_field)
    else:
        messages.error(request, outcome.error, extra_tags=at_field)
    return redirect(indicator_url(evidence.assessment, evidence.indicator))


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    indicator = None
    indicator_pk = request.POST.get("indicator")
    if indicator_pk:
        indicator = get_indicator(assessment, indicator_pk)
    outcome = attempt(services.add_comment, assessment, request.user, indicator, request.POST.get("body", ""))
    if outcome.saved:
        messages.success(request, _("Comment added."))
    else:
        messages.error(request, outcome.error)
    if indicator is not None:
        return redirect(indicator_url(assessment, indicator))
    return redirect("assessments:overview", pk=assessment.pk)
