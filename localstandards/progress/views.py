"""Progress pages: thin views over progress.services, every read scoped through the one helper."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from localstandards.accounts.models import Role
from localstandards.assessments import quality
from localstandards.assessments.models import AssessmentRound, QualityFlag
from localstandards.core.collation import thai
from localstandards.core.request_input import safe_next
from localstandards.core.thaidate import format_date
from localstandards.progress import exports, services
from localstandards.registry.models import District, LocalGovernmentType, Province, Region
from localstandards.registry.scoping import accessible_units

CHILD_LEVEL = {"nation": "region", "region": "province", "province": "district", "district": None}


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Open the progress page at the top of the user's scope."""
    assessment_round = services.latest_round()
    where = services.top_level(request.user)
    if assessment_round is None or where is None:
        raise Http404
    return redirect("progress:level", assessment_round.pk, *where)


def _unit(request: HttpRequest, level: str, code: str):
    """The unit a progress page is about; outside the user's scope it does not exist (404)."""
    if level == "nation":
        if not accessible_units(request.user).nation:
            raise Http404
        return None, _("Whole country")
    if level == "region":
        if code not in Region.values or not accessible_units(request.user).nation:
            raise Http404
        return None, Region(code).label
    if level == "province":
        province = get_object_or_404(Province.objects.for_user(request.user), code=code)
        return province, _("Province %(name)s") % {"name": province.name_th}
    if level == "district":
        district = get_object_or_404(District.objects.for_user(request.user).select_related("province"), code=code)
        return district, _("District %(name)s") % {"name": district.name_th}
    raise Http404


def _breadcrumbs(level: str, unit) -> list[tuple[str, str, str]]:
    """(label, level, code) from the nation down to the parent of this page."""
    crumbs = [(_("Whole country"), "nation", "all")]
    province = unit if level == "province" else unit.province if level == "district" else None
    if province is not None:
        crumbs.append((Region(province.region).label, "region", province.region))
        if level == "district":
            crumbs.append((province.name_th, "province", province.code))
    return crumbs


@login_required
def level_view(request: HttpRequest, round_id: int, level: str, code: str) -> HttpResponse:
    assessment_round = get_object_or_404(AssessmentRound, pk=round_id)
    unit, title = _unit(request, level, code)
    progress = services.compute(request.user, assessment_round, level, None if level == "nation" else code)
    scope = accessible_units(request.user)
    context = {
        "round": assessment_round,
        "rounds": AssessmentRound.objects.order_by("-fiscal_year", "-opens_on"),
        "level": level,
        "code": code,
        "title": title,
        "progress": progress,
        "child_level": CHILD_LEVEL[level],
        "states": services.STATE_LABELS,
        "breadcrumbs": _breadcrumbs(level, unit) if scope.nation else [],
        "chart": {
            "days": [format_date(day, "short") for day, _n, _c in progress.daily],
            "daily": [n for _d, n, _c in progress.daily],
            "cumulative": [c for _d, _n, c in progress.daily],
            "expected": progress.total.expected,
            "labels": {"daily": _("Submissions that day"), "cumulative": _("Submitted so far")},
        },
    }
    return render(request, "progress/level.html", context)


LAGGARDS_PER_PAGE = 100  # the nation has thousands; the exports carry every row
EXPORT_BATCH = 500  # rows read from the cursor at a time while an export is produced


@login_required
def laggards_view(request: HttpRequest, round_id: int, level: str, code: str) -> HttpResponse:
    """One page of the not-submitted list: filtered, ordered, counted and cut in SQL; the exports stream every row."""
    assessment_round = get_object_or_404(AssessmentRound, pk=round_id)
    _unit_object, title = _unit(request, level, code)
    state = request.GET.get("state", "")
    lg_type = request.GET.get("type", "")
    order = request.GET.get("order", "name")
    required = services.applicable_counts(assessment_round.framework)
    queryset = services.laggards_queryset(
        request.user,
        assessment_round,
        level,
        None if level == "nation" else code,
        state=state if state in services.STATE_LABELS else "",
        lg_type=lg_type if lg_type in LocalGovernmentType.values else "",
        order=order,
        required=required,
    )
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return _download(services.iter_laggards(queryset, required, EXPORT_BATCH), export, assessment_round, code)
    params = request.GET.copy()
    params.pop("format", None)
    page = Paginator(queryset, LAGGARDS_PER_PAGE).get_page(request.GET.get("page"))
    params.pop("page", None)
    context = {
        "round": assessment_round,
        "level": level,
        "code": code,
        "title": title,
        "items": services.laggard_items(page.object_list, required),
        "total": page.paginator.count,
        "page": page,
        "states": services.STATE_LABELS,
        "types": LocalGovernmentType.choices,
        "chosen": {"state": state, "type": lg_type, "order": order},
        "params": params.urlencode(),
    }
    return render(request, "progress/laggards.html", context)


def _download(
    items: Iterator[services.Laggard], kind: str, assessment_round: AssessmentRound, code: str
) -> StreamingHttpResponse | FileResponse:
    """Stream the download: the CSV line by line; the XLSX written row by row to a temporary file, then sent."""
    filename = exports.laggards_filename(assessment_round, code, kind)
    if kind == "csv":
        # The rows are produced while the response streams, after the middleware has returned: keep this
        # request's language for the headers and labels.
        lines = exports.in_language(translation.get_language(), exports.laggards_csv(items))
        response = StreamingHttpResponse(lines, content_type=exports.CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        exports.laggards_xlsx_file(items), as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE
    )


@login_not_required
def public_round(request: HttpRequest, round_id: int) -> HttpResponse:
    """Open to everyone: national and provincial reporting rates, nothing about single local governments."""
    assessment_round = get_object_or_404(AssessmentRound, pk=round_id)
    total, rows = services.public_rates(assessment_round)
    return render(request, "progress/public.html", {"round": assessment_round, "total": total, "rows": rows})


@login_required
def flags_view(request: HttpRequest, round_id: int, level: str, code: str) -> HttpResponse:
    """Every data-quality flag in the unit, open ones first, for the reviewers who check them."""
    assessment_round = get_object_or_404(AssessmentRound, pk=round_id)
    _unit_object, title = _unit(request, level, code)
    returns = services.returns_in(request.user, assessment_round, level, None if level == "nation" else code)
    flags = (
        QualityFlag.objects.for_user(request.user)
        .filter(assessment__in=returns)
        .select_related("assessment__local_government", "indicator", "checked_by")
        .order_by(
            F("checked_at").asc(nulls_first=True), thai("assessment__local_government__name_th"), "indicator__code"
        )
    )
    return render(
        request,
        "progress/flags.html",
        {
            "round": assessment_round,
            "level": level,
            "code": code,
            "title": title,
            "flags": flags,
            "may_check": request.user.is_national_admin
            or request.user.has_role(Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER),
        },
    )


@login_required
@require_POST
def check_flag(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(QualityFlag.objects.for_user(request.user).select_related("assessment"), pk=pk)
    try:
        quality.mark_checked(flag, request.user, request.POST.get("comment", ""))
        messages.success(request, _("Marked as checked."))
    except quality.NotAllowed as error:
        messages.error(request, str(error))
    except ValueError as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(safe_next(request, request.POST.get("next")))
