"""National results pages: thin views over analysis.services, every read scoped through the one helper."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from localstandards.accounts.models import Role
from localstandards.analysis import services
from localstandards.analysis.models import Level
from localstandards.assessments.models import Assessment, AssessmentRound, Status
from localstandards.core.tables import XLSX_CONTENT_TYPE, workbook_file
from localstandards.registry.models import TYPE_SHORT_LABELS, LocalGovernment, LocalGovernmentType
from localstandards.registry.scoping import accessible_units

MAP_SOURCE = gettext_lazy("Boundaries: Royal Thai Survey Department via OCHA/HDX (COD-AB), simplified by mapthai")


def _round(round_id: int) -> AssessmentRound:
    return get_object_or_404(AssessmentRound.objects.select_related("framework"), pk=round_id)


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Open the national results of the latest round that has any."""
    where = services.top_unit(request.user)
    latest = AssessmentRound.objects.order_by("-fiscal_year", "-opens_on").first()
    if where is None or latest is None:
        raise Http404
    return redirect("analysis:level", latest.pk, *where)


def _types():
    return [(value, TYPE_SHORT_LABELS.get(value, label)) for value, label in LocalGovernmentType.choices]


@login_required
def level_view(request: HttpRequest, round_id: int, level: str, code: str) -> HttpResponse:
    assessment_round = _round(round_id)
    unit = services.unit_for(request.user, level, code)
    board = services.dashboard(
        request.user, assessment_round, unit, request.GET.get("type", ""), request.GET.get("item")
    )
    if request.GET.get("format") == "xlsx":
        return FileResponse(
            workbook_file(services.dashboard_tables(board)),
            as_attachment=True,
            filename=f"results-{assessment_round.pk}-{level}-{unit.url_code}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
    scope = accessible_units(request.user)
    chart = {
        "items": [
            {"name": row.item.name, "value": _float(row.figures.share_met)}
            for row in board.items
            if row.item.depth == 0
        ],
        "types": [{"name": label, "value": _float(figures.share_met)} for _c, label, figures in board.by_type],
        "map": {code: _float(value) for code, value in board.map_values.items()},
        "labels": {
            "share": _("Meeting the target %"),
            "noData": _("no final return"),
        },
    }
    context = {
        "round": assessment_round,
        "rounds": AssessmentRound.objects.order_by("-fiscal_year", "-opens_on"),
        "board": board,
        "unit": unit,
        "level": level,
        "code": unit.url_code,
        "breadcrumbs": services.breadcrumbs(unit, scope),
        "own_units": services.own_units(request.user) if level == Level.NATION else [],
        "types": _types(),
        "items": services.framework_items(assessment_round),
        "chart": chart,
        "map_source": MAP_SOURCE,
        "show_map": bool(board.map_values) or (scope.nation and level in (Level.NATION, Level.REGION)),
        "compare_rounds": services.comparable_rounds(assessment_round),
        "params": request.GET.urlencode(),
        "national_view": scope.nation or bool(scope.province_ids),
        # Who may produce the committee report (the committee app, a layer above, checks it again).
        "may_report": request.user.is_national_admin or request.user.has_role(Role.COMMITTEE_VIEWER),
    }
    return render(request, "analysis/level.html", context)


def _float(value) -> float | None:
    return None if value is None else round(float(value), 2)


@login_required
def compare_view(request: HttpRequest, round_id: int, other_id: int, level: str, code: str) -> HttpResponse:
    after, before = _round(round_id), _round(other_id)
    if after.pk == before.pk:
        raise Http404
    unit = services.unit_for(request.user, level, code)
    lg_type = request.GET.get("type", "")
    lg_type = lg_type if lg_type in LocalGovernmentType.values else ""
    comparison = services.compare(request.user, after, before, unit, lg_type)
    if request.GET.get("format") == "xlsx":
        return FileResponse(
            workbook_file([services.comparison_table(comparison)]),
            as_attachment=True,
            filename=f"round-over-round-{after.pk}-{before.pk}-{level}-{unit.url_code}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
    return render(
        request,
        "analysis/compare.html",
        {
            "comparison": comparison,
            "unit": unit,
            "level": level,
            "code": unit.url_code,
            "round": after,
            "types": _types(),
            "lg_type": lg_type,
            "breadcrumbs": services.breadcrumbs(unit, accessible_units(request.user)),
        },
    )


@login_required
def compare_local_government(request: HttpRequest, round_id: int, other_id: int, pk: int) -> HttpResponse:
    """One อปท.'s labels in two rounds side by side (both returns must be final and in the viewer's scope)."""
    after, before = _round(round_id), _round(other_id)
    lg = get_object_or_404(LocalGovernment.objects.for_user(request.user), pk=pk)
    returns = {
        a.round_id: a
        for a in Assessment.objects.for_user(request.user).filter(
            local_government=lg, round__in=[after, before], status__in=Status.FINAL
        )
    }
    rows = []
    if after.pk in returns and before.pk in returns:
        rows = services.local_government_changes(returns[before.pk].pk, returns[after.pk].pk)
    return render(
        request,
        "analysis/compare_lg.html",
        {"lg": lg, "after": after, "before": before, "rows": rows, "both_final": bool(rows) or len(returns) == 2},
    )


@lru_cache(maxsize=1)
def _province_shapes(path: str) -> bytes:
    """The province shapes with only what the map needs (the code and the Thai name), read once per process."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    for feature in data["features"]:
        properties = feature["properties"]
        feature["properties"] = {"name": properties["ADM1_PCODE"].removeprefix("TH"), "name_th": properties["ADM1_TH"]}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@require_GET
@login_required
@cache_control(private=True, max_age=86400)
def province_shapes(request: HttpRequest) -> HttpResponse:
    path = settings.PROVINCES_GEOJSON
    if not path or not Path(path).is_file():
        raise Http404
    return HttpResponse(_province_shapes(str(path)), content_type="application/geo+json")
