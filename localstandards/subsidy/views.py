"""Subsidy analysis pages: thin views over subsidy.services. National administrators and committee viewers see the
nation, provincial officers their province (every read goes through `for_user`); anyone else gets a 404."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from localstandards.accounts.models import Role
from localstandards.assessments.models import AssessmentRound
from localstandards.core.permissions import national_admin_required
from localstandards.core.tables import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, Table, csv_text, workbook_file
from localstandards.core.thaidate import format_number
from localstandards.subsidy import services
from localstandards.subsidy.forms import AnalysisFilterForm, FiscalUploadForm, UnitCostForm
from localstandards.subsidy.models import FiscalImport

NUMERIC_KINDS = {"int", "decimal", "percent"}
SHORTFALL_ROWS_PER_PAGE = 200


def may_see_analysis(user) -> bool:
    return user.is_active and (user.is_national_admin or user.has_role(Role.COMMITTEE_VIEWER, Role.PROVINCE_OFFICER))


def analysis_reader_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_see_analysis(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def display_cells(table: Table, rows: list | None = None) -> list[list[tuple[str, bool]]]:
    """Each cell as shown on the page: (text, is a number); 2 decimals for decimals and percentages."""
    shown = []
    for row in table.rows if rows is None else rows:
        cells = []
        for value, column in zip(row, table.columns, strict=False):
            numeric = column.kind in NUMERIC_KINDS
            if value is None or value == "":
                text = "—" if numeric else ""
            elif column.kind == "int":
                text = format_number(value)
            elif numeric:
                text = format_number(value, 2)
            else:
                text = str(value)
            cells.append((text, numeric))
        shown.append(cells)
    return shown


@require_safe
@analysis_reader_required
def start(request: HttpRequest) -> HttpResponse:
    """The analysis of the latest round."""
    latest = AssessmentRound.objects.order_by("-fiscal_year", "-opens_on").first()
    if latest is None:
        raise Http404
    return redirect("subsidy:analysis", latest.pk)


@require_safe
@analysis_reader_required
def analysis_view(request: HttpRequest, round_id: int) -> HttpResponse:
    assessment_round = get_object_or_404(AssessmentRound, pk=round_id)
    form = AnalysisFilterForm(request.GET or None, user=request.user)
    chosen = form.cleaned_data if form.is_valid() else {}
    lg_type = chosen.get("type") or ""
    province = chosen.get("province")
    tables = services.analysis_tables(
        assessment_round, request.user, lg_type=lg_type or None, province_id=province.pk if province else None
    )
    download = request.GET.get("download")
    if download:
        chosen = [table for table in tables if download in (table.key, "all")]
        export = request.GET.get("format")
        if not chosen or export not in ("xlsx", "csv") or (export == "csv" and len(chosen) != 1):
            raise Http404
        stem = f"subsidy-{download}-{assessment_round.fiscal_year}"
        if export == "csv":
            response = HttpResponse(csv_text(chosen[0]), content_type=CSV_CONTENT_TYPE)
            response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
            return response
        return FileResponse(
            workbook_file(chosen), as_attachment=True, filename=f"{stem}.xlsx", content_type=XLSX_CONTENT_TYPE
        )
    fiscal_import = services.fiscal_import_for(assessment_round)
    filters = {
        key: value for key, value in (("province", province.code if province else ""), ("type", lg_type)) if value
    }
    # The shortfall table of the whole country runs to thousands of rows: the page shows it a page at a time.
    shortfall_page = Paginator(tables[2].rows, SHORTFALL_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    shown = [
        {
            "table": table,
            "cells": display_cells(table, shortfall_page.object_list if table.key == "shortfall" else None),
        }
        for table in tables
    ]
    context = {
        "round": assessment_round,
        "rounds": AssessmentRound.objects.order_by("-fiscal_year", "-opens_on"),
        "form": form,
        "filter_prefix": "".join(f"{key}={value}&" for key, value in filters.items()),
        "filters": urlencode(filters),
        "fiscal_import": fiscal_import,
        "synthetic": fiscal_import is not None and fiscal_import.synthetic,
        "tables": shown,
        "shortfall_page": shortfall_page,
        "is_national_admin": request.user.is_national_admin,
    }
    return render(request, "subsidy/analysis.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@national_admin_required
def import_view(request: HttpRequest) -> HttpResponse:
    problems: list = []
    latest = AssessmentRound.objects.order_by("-fiscal_year", "-opens_on").first()
    initial = {"fiscal_year": request.GET.get("year") or (latest.fiscal_year if latest else None)}
    form = FiscalUploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["data_file"]
        try:
            summary = services.import_fiscal(
                upload.read(), form.cleaned_data["fiscal_year"], filename=upload.name, user=request.user
            )
        except services.FiscalImportError as error:
            problems = error.problems
        else:
            messages.success(request, _("Fiscal data imported: %(summary)s") % {"summary": summary})
            return redirect("subsidy:import")
    imports = list(FiscalImport.objects.select_related("imported_by").order_by("-fiscal_year"))
    context = {
        "form": form,
        "problems": [str(problem) for problem in problems],
        "imports": imports,
        "synthetic": any(item.synthetic for item in imports),
        "max_rows": services.MAX_ROWS,
    }
    return render(request, "subsidy/import.html", context, status=400 if problems else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@national_admin_required
def unit_costs_view(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    if not services.MIN_YEAR <= fiscal_year <= services.MAX_YEAR:
        raise Http404
    indicators = services.indicators_of_year(fiscal_year)
    if not indicators:
        raise Http404
    form = UnitCostForm(request.POST or None, indicators=indicators, current=services.unit_costs(fiscal_year))
    if request.method == "POST" and form.is_valid():
        count = services.set_unit_costs(fiscal_year, form.costs(), user=request.user)
        messages.success(
            request,
            _("Unit costs for FY %(year)s saved: %(count)s indicators have a unit cost.")
            % {"year": fiscal_year, "count": count},
        )
        return redirect("subsidy:unit-costs", fiscal_year)
    rounds = AssessmentRound.objects.filter(fiscal_year=fiscal_year).order_by("-opens_on")
    return render(
        request,
        "subsidy/unit_costs.html",
        {"form": form, "fiscal_year": fiscal_year, "rounds": rounds},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
