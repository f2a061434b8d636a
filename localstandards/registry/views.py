from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from localstandards.core.collation import thai
from localstandards.registry import services
from localstandards.registry.forms import LocalGovernmentFilterForm
from localstandards.registry.models import (
    TYPE_SHORT_LABELS,
    District,
    LocalGovernment,
    LocalGovernmentType,
    Province,
    Region,
)
from localstandards.registry.scoping import accessible_units
from localstandards.registry.signals import local_government_page, province_page

PAGE_SIZE = 50


@login_required
def local_government_list(request: HttpRequest) -> HttpResponse:
    form = LocalGovernmentFilterForm(request.GET or None, user=request.user)
    local_governments = LocalGovernment.objects.for_user(request.user).select_related("province", "district")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            local_governments = local_governments.filter(
                Q(name_th__icontains=data["q"]) | Q(full_name_th__icontains=data["q"]) | Q(dla_code=data["q"])
            )
        if data["province"]:
            local_governments = local_governments.filter(province=data["province"])
        if data["district"]:
            local_governments = local_governments.filter(district=data["district"])
        if data["type"]:
            local_governments = local_governments.filter(type=data["type"])
        if not data["inactive"]:
            local_governments = local_governments.filter(is_active=True)
    else:
        local_governments = local_governments.filter(is_active=True)
    page = Paginator(local_governments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "registry/local_government_list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, context)


@login_required
def local_government_detail(request: HttpRequest, pk: int) -> HttpResponse:
    local_government = get_object_or_404(
        LocalGovernment.objects.for_user(request.user).select_related("province", "district"), pk=pk
    )
    scope = accessible_units(request.user)
    sections = local_government_page.send(sender=LocalGovernment, request=request, local_government=local_government)
    context = {
        "lg": local_government,
        "sections": [html for _receiver, html in sections if html],
        "can_open_province": scope.covers_province(local_government.province_id),
        "can_open_district": local_government.district_id
        and District.objects.for_user(request.user).filter(pk=local_government.district_id).exists(),
    }
    return render(request, "registry/local_government_detail.html", context)


@login_required
def province_list(request: HttpRequest) -> HttpResponse:
    provinces = list(Province.objects.for_user(request.user).order_by(thai("name_th")))
    matrix = services.type_count_matrix(LocalGovernment.objects.for_user(request.user).active(), "province_id")
    columns = _type_columns(matrix)
    regions = []
    for region in Region:
        rows = [_with_counts(p, matrix, columns) for p in provinces if p.region == region]
        if rows:
            regions.append({"region": region, "rows": rows})
    return render(request, "registry/province_list.html", {"regions": regions, "columns": columns})


@login_required
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    province = get_object_or_404(Province.objects.for_user(request.user), code=code)
    local_governments = LocalGovernment.objects.for_user(request.user).active().filter(province=province)
    districts = District.objects.for_user(request.user).filter(province=province).order_by(thai("name_th"))
    matrix = services.type_count_matrix(local_governments, "district_id")
    columns = _type_columns(matrix)
    context = {
        "province": province,
        "by_type": services.type_counts(local_governments),
        "total": local_governments.count(),
        "district_rows": [_with_counts(d, matrix, columns) for d in districts],
        "columns": columns,
        "provincial": local_governments.filter(type=LocalGovernmentType.PAO).first(),
        "sections": [html for _r, html in province_page.send(Province, request=request, province=province) if html],
    }
    return render(request, "registry/province_detail.html", context)


@login_required
def district_detail(request: HttpRequest, code: str) -> HttpResponse:
    district = get_object_or_404(District.objects.for_user(request.user).select_related("province"), code=code)
    local_governments = (
        LocalGovernment.objects.for_user(request.user)
        .active()
        .filter(district=district)
        .order_by("type", thai("name_th"))
    )
    context = {
        "district": district,
        "by_type": services.type_counts(local_governments),
        "local_governments": local_governments,
        "can_open_province": accessible_units(request.user).covers_province(district.province_id),
    }
    return render(request, "registry/district_detail.html", context)


def _type_columns(matrix: dict) -> list[dict]:
    """Only the types that occur in the table, in the fixed type order, with short and full labels."""
    present = {kind for counts in matrix.values() for kind in counts}
    return [
        {"type": kind, "short": TYPE_SHORT_LABELS[kind], "label": kind.label}
        for kind in LocalGovernmentType
        if kind.value in present
    ]


def _with_counts(unit, matrix: dict, columns: list[dict]) -> dict:
    counts = matrix.get(unit.pk, {})
    return {
        "unit": unit,
        "counts": [counts.get(column["type"].value, 0) for column in columns],
        "total": sum(counts.values()),
    }
