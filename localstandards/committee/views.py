"""The committee report pages: the list of a round's reports, the button that asks for one, the downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.assessments.models import AssessmentRound
from localstandards.committee import services
from localstandards.committee.models import CommitteeReport, ReportState
from localstandards.core.tables import XLSX_CONTENT_TYPE


def _allowed(request: HttpRequest) -> None:
    """National administrators and committee viewers only; to anyone else the pages do not exist."""
    if not services.may_request(request.user):
        raise Http404


@login_required
def report_list(request: HttpRequest, round_id: int) -> HttpResponse:
    _allowed(request)
    assessment_round = get_object_or_404(AssessmentRound, pk=round_id)
    reports = CommitteeReport.objects.filter(round=assessment_round).select_related("requested_by")[:20]
    waiting = any(report.state in (ReportState.QUEUED, ReportState.RUNNING) for report in reports)
    template = "committee/includes/reports.html" if request.headers.get("HX-Request") else "committee/list.html"
    return render(
        request, template, {"round": assessment_round, "reports": reports, "waiting": waiting, "states": ReportState}
    )


@login_required
@require_POST
def request_report(request: HttpRequest, round_id: int) -> HttpResponse:
    _allowed(request)
    assessment_round = get_object_or_404(AssessmentRound, pk=round_id)
    services.request_report(assessment_round, request.user)
    messages.success(
        request,
        _("The report is being produced. It appears in the list below when it is ready, and you will get an e-mail."),
    )
    return redirect("committee:list", assessment_round.pk)


@login_required
def download(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    _allowed(request)
    report = get_object_or_404(CommitteeReport, pk=pk, state=ReportState.DONE)
    stored = report.pdf if kind == "pdf" else report.xlsx if kind == "xlsx" else None
    if not stored:
        raise Http404
    content_type = "application/pdf" if kind == "pdf" else XLSX_CONTENT_TYPE
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{services.file_stem(report.round)}.{kind}",
        content_type=content_type,
    )
