"""Thin public views: no login, GET only, cacheable. They read through public.services (final results only)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from localstandards.assessments.models import AssessmentRound
from localstandards.core.collation import thai
from localstandards.core.tables import CSV_CONTENT_TYPE
from localstandards.progress.services import public_rates
from localstandards.public import opendata, services
from localstandards.registry.models import District, LocalGovernment, Province

MAX_AGE = 300  # seconds: results change when a return is accepted; five minutes late is fine for the public


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No login, GET only, and cacheable by shared caches for anonymous visitors. A logged-in visitor's page
    carries their menu, so it is private; Vary: Cookie keeps the two apart in any cache."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, max_age=0)
        else:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        return response

    return login_not_required(require_GET(wrapped))


class RoundForm(forms.Form):
    round = forms.TypedChoiceField(coerce=int, required=False, choices=())

    def __init__(self, data, rounds: list[AssessmentRound]) -> None:
        super().__init__(data)
        self.fields["round"].choices = [("", "")] + [(r.pk, r.name) for r in rounds]
        self.fields["round"].error_messages["invalid_choice"] = _("There is no such round; the latest round is shown.")


def _chosen_round(request: HttpRequest) -> tuple[AssessmentRound | None, list[AssessmentRound], list[str]]:
    """The round in ?round= (or the latest), the rounds to choose from, and the error for a bad choice."""
    rounds = list(AssessmentRound.objects.order_by("-fiscal_year", "-opens_on", "-pk"))
    form = RoundForm(request.GET, rounds)
    if form.is_valid() and form.cleaned_data["round"]:
        return next(r for r in rounds if r.pk == form.cleaned_data["round"]), rounds, []
    errors = [str(e) for e in form.errors.get("round", [])]
    return (rounds[0] if rounds else None), rounds, errors


@public_page
def home(request: HttpRequest) -> HttpResponse:
    assessment_round = services.current_round()
    total, rows = public_rates(assessment_round) if assessment_round else (None, [])
    return render(request, "public/home.html", {"round": assessment_round, "total": total, "rows": rows})


@public_page
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:200]
    found = services.search(text)
    page = Paginator(found, services.SEARCH_LIMIT).get_page(request.GET.get("page"))
    return render(
        request,
        "public/search.html",
        {"q": text, "page": page, "query": urlencode({"q": text}), "searched": bool(text.strip())},
    )


@public_page
def provinces(request: HttpRequest) -> HttpResponse:
    return render(request, "public/provinces.html", {"provinces": services.provinces_with_districts()})


@public_page
def province(request: HttpRequest, code: str) -> HttpResponse:
    the_province = get_object_or_404(Province, code=code)
    assessment_round, rounds, errors = _chosen_round(request)
    districts = list(District.objects.filter(province=the_province).order_by(thai("name_th")))
    district = None
    units = LocalGovernment.objects.active().filter(province=the_province)
    district_code = request.GET.get("district", "")
    if district_code:
        district = next((d for d in districts if d.code == district_code), None)
        if district is None:
            errors.append(_("There is no such district in this province; all are shown."))
        else:
            units = units.filter(district=district)
    rows = services.sorted_by_name(services.unit_rows(assessment_round, units))
    drawn = services.province_map(settings.PROVINCES_GEOJSON, the_province.code, rows)
    return render(
        request,
        "public/province.html",
        {
            "province": the_province,
            "districts": districts,
            "district": district,
            "round": assessment_round,
            "rounds": rounds,
            "errors": errors,
            "rows": rows,
            "summary": services.summarize(rows),
            "outline": drawn[0] if drawn else None,
            "dots": drawn[1] if drawn else [],
        },
    )


@public_page
def local_government(request: HttpRequest, pk: int) -> HttpResponse:
    lg = get_object_or_404(LocalGovernment.objects.select_related("province", "district"), pk=pk)
    return render(request, "public/local_government.html", {"lg": lg, "history": services.history(lg)})


# ---------------------------------------------------------------- open data


@public_page
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/open_data.html",
        {
            "rounds": opendata.rounds_with_final_results(),
            "datasets": opendata.DATASETS.values(),
            "formats": opendata.FORMATS,
            "licence_name": opendata.LICENCE_NAME,
            "licence_url": opendata.LICENCE_URL,
        },
    )


@public_page
def data_dictionary(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/data_dictionary.html",
        {
            "datasets": opendata.DATASETS.values(),
            "licence_name": opendata.LICENCE_NAME,
            "licence_url": opendata.LICENCE_URL,
        },
    )


@public_page
def data_file(request: HttpRequest, round_id: int, dataset: str, fmt: str) -> HttpResponse:
    if dataset not in opendata.DATASETS or fmt not in opendata.FORMATS:
        raise Http404
    assessment_round = get_object_or_404(AssessmentRound, pk=round_id)
    name = f"localstandards-{assessment_round.pk}-{dataset}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(opendata.csv_chunks(dataset, assessment_round), content_type=CSV_CONTENT_TYPE)
    else:
        about = {
            "dataset": dataset,
            "title": str(opendata.DATASETS[dataset].title),
            "round": {
                "id": assessment_round.pk,
                "name": assessment_round.name,
                "fiscal_year": assessment_round.fiscal_year,
            },
            "licence": {"name": opendata.LICENCE_NAME, "url": opendata.LICENCE_URL},
            "dictionary": request.build_absolute_uri(reverse("public:data-dictionary")) + f"#{dataset}",
            "fields": opendata.fields_json(dataset),
        }
        response = StreamingHttpResponse(
            opendata.json_chunks(dataset, assessment_round, about), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@public_page
def catalogue(request: HttpRequest) -> HttpResponse:
    def url(name: str, *args) -> str:
        return request.build_absolute_uri(reverse(name, args=args))

    data = opendata.catalogue(opendata.rounds_with_final_results(), url)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response
