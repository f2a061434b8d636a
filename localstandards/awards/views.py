"""The award table of a round: thin views over awards.services; every row read through the viewer's scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from localstandards.assessments.models import AssessmentRound
from localstandards.awards import services
from localstandards.awards.forms import AwardFilterForm, FreezeForm
from localstandards.core.collation import thai_sort_key
from localstandards.core.tables import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_text, workbook_file
from localstandards.core.thaidate import format_number

ROWS_PER_PAGE = 100  # the nation has ~7,850 final returns; the downloads carry every row


def _round_for(request: HttpRequest, round_id: int) -> AssessmentRound:
    """The round, for the people who follow results beyond one local government; anyone else gets a 404."""
    if not request.user.follows_progress:
        raise Http404
    return get_object_or_404(AssessmentRound, pk=round_id)


def filename(assessment_round: AssessmentRound, extension: str) -> str:
    return f"{services.TABLE_KEY}-{assessment_round.fiscal_year}-{assessment_round.pk}.{extension}"


@login_required
def award_scores(request: HttpRequest, round_id: int) -> HttpResponse:
    assessment_round = _round_for(request, round_id)
    rows, award_list = services.listed_rows(assessment_round, request.user)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        # The whole table the viewer may see (filters and pages are for reading on screen).
        table = services.award_table(rows, assessment_round, award_list)
        if export == "csv":
            response = HttpResponse(csv_text(table), content_type=CSV_CONTENT_TYPE)
            response["Content-Disposition"] = f'attachment; filename="{filename(assessment_round, "csv")}"'
            return response
        return FileResponse(
            workbook_file([table]),
            as_attachment=True,
            filename=filename(assessment_round, "xlsx"),
            content_type=XLSX_CONTENT_TYPE,
        )
    provinces = sorted({(str(row.province_id), row.province) for row in rows}, key=lambda p: thai_sort_key(p[1]))
    filters = AwardFilterForm(request.GET or None, provinces=provinces)
    chosen = filters.chosen()
    shown = [
        row
        for row in rows
        if (not chosen["type"] or row.lg_type == chosen["type"])
        and (not chosen["province"] or str(row.province_id) == chosen["province"])
    ]
    table = services.award_table(shown, assessment_round, award_list)
    page = Paginator(table.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    context = {
        "round": assessment_round,
        "table": table,
        "page": page,
        "total": len(rows),
        "filters": filters,
        "params": params.urlencode(),
        "award_list": award_list,
        "differences": services.differences(assessment_round, request.user) if award_list else [],
        "may_freeze": award_list is None and request.user.is_national_admin,
    }
    return render(request, "awards/award_scores.html", context)


@login_required
@require_POST
def freeze_list(request: HttpRequest, round_id: int) -> HttpResponse:
    """Freeze in two posts: the button asks for the confirmation page, the ticked confirmation freezes."""
    assessment_round = _round_for(request, round_id)
    if not request.user.is_national_admin:
        raise PermissionDenied
    form = FreezeForm(request.POST if "confirm_step" in request.POST else None)
    if not form.is_valid():
        rows = services.award_rows(assessment_round)
        return render(
            request,
            "awards/freeze_confirm.html",
            {
                "round": assessment_round,
                "form": form,
                "count": len(rows),
                "unscored": sum(1 for row in rows if row.score is None),
                "award_list": services.frozen_list(assessment_round),
            },
        )
    try:
        award_list = services.freeze(assessment_round, request.user)
    except services.AwardError as error:
        messages.error(request, error.message)
    else:
        count = award_list.entries_count
        messages.success(
            request,
            ngettext(
                "The award list is frozen: %(count)s local government.",
                "The award list is frozen: %(count)s local governments.",
                count,
            )
            % {"count": format_number(count)},
        )
    return redirect("awards:round", assessment_round.pk)
