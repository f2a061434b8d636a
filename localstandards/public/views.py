"""Thin public views: no login, GET only, cacheable. They read through public.services (final results only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from localstandards.accounts.throttling import client_ip
from localstandards.assessments.models import Assessment, AssessmentRound
from localstandards.core.collation import thai
from localstandards.core.pdf import thai_pdf_document
from localstandards.core.tables import CSV_CONTENT_TYPE
from localstandards.core.thaidate import format_datetime
from localstandards.progress.services import public_rates
from localstandards.public import opendata, services, survey
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
    # An officer who can see the returns gets the way to their citizen surveys (the page is then private).
    own = []
    if request.user.is_authenticated:
        own = list(Assessment.objects.for_user(request.user).filter(local_government=lg).select_related("round"))
    return render(
        request, "public/local_government.html", {"lg": lg, "history": services.history(lg), "own_returns": own}
    )


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


# ---------------------------------------------------------------- the citizen survey

SATISFACTION_CHOICES = [("1", gettext_lazy("Satisfied")), ("0", gettext_lazy("Needs improvement"))]


class SurveyForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"), required=False, max_length=survey.COMMENT_MAX, widget=forms.Textarea
    )
    challenge = forms.CharField(widget=forms.HiddenInput, max_length=300)
    counter = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, data, questions, lg_type: str) -> None:
        super().__init__(data)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=question.wording_for(lg_type),
                choices=SATISFACTION_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": gettext_lazy("Please answer this question.")},
            )
        self.fields["comment"].widget.attrs.update({"rows": 3, "class": "form-control"})

    def question_fields(self):
        return [(question, self[f"q{question.pk}"]) for question in self.questions]

    def choices(self) -> dict[int, bool]:
        return {question.pk: self.cleaned_data[f"q{question.pk}"] == "1" for question in self.questions}


def _survey_return(round_id: int, lg_pk: int) -> Assessment:
    # The survey is public: the return is found by its round and local government, never by a user's scope.
    queryset = Assessment.objects.unscoped().select_related("round", "framework", "local_government__province")
    return get_object_or_404(queryset, round_id=round_id, local_government_id=lg_pk)


def survey_url(assessment: Assessment) -> str:
    """The address the QR code carries: the site's canonical address, whatever host the officer used."""
    path = reverse("public:survey", args=[assessment.round_id, assessment.local_government_id])
    return settings.SITE_URL.rstrip("/") + path


@login_not_required
@never_cache
def survey_page(request: HttpRequest, round_id: int, lg_pk: int) -> HttpResponse:
    """The citizen survey of one return: a question per satisfaction question, พอใจ / ปรับปรุง, a comment."""
    assessment = _survey_return(round_id, lg_pk)
    questions = survey.questions(assessment)
    cookie = survey.cookie_name(assessment.round_id)
    token = request.get_signed_cookie(cookie, default=None, salt=cookie)
    error = ""
    if request.method == "POST":
        form = SurveyForm(request.POST, questions, assessment.local_government.type)
        if form.is_valid():
            token = token or survey.new_browser_token()
            try:
                survey.submit(
                    assessment,
                    form.choices(),
                    form.cleaned_data["comment"],
                    token=token,
                    challenge=form.cleaned_data["challenge"],
                    counter=form.cleaned_data["counter"],
                    address=client_ip(request),  # behind the load balancer: the address it saw
                )
            except survey.SurveyError as refusal:
                error = str(refusal)
                status = 429 if refusal.code == "rate" else 400
            else:
                response = redirect(request.path + "?thanks=1")
                response.set_signed_cookie(
                    cookie,
                    token,
                    salt=cookie,
                    max_age=survey.COOKIE_MAX_AGE,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
                return response
        else:
            status = 400
            error = _("Please answer every question.")
    elif request.method == "GET":
        form = SurveyForm(None, questions, assessment.local_government.type)
        status = 200
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {
        "assessment": assessment,
        "lg": assessment.local_government,
        "form": form,
        "challenge": survey.new_challenge(assessment.pk),
        "bits": survey.POW_BITS,
        "error": error,
        "open": survey.is_open(assessment),
        "answered": survey.has_answered(assessment, token),
        "thanks": request.GET.get("thanks") == "1",
    }
    return render(request, "public/survey.html", context, status=status)


def _officer_return(request: HttpRequest, pk: int) -> Assessment:
    queryset = Assessment.objects.for_user(request.user).select_related("round", "framework", "local_government")
    return get_object_or_404(queryset, pk=pk)


class ExclusionForm(forms.Form):
    starts_at = forms.TypedChoiceField(label=gettext_lazy("From the hour"), coerce=str)
    ends_at = forms.TypedChoiceField(label=gettext_lazy("To the hour (included)"), coerce=str)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data, hours: list[survey.Hour]) -> None:
        super().__init__(data)
        choices = [(hour.starts_at.isoformat(), format_datetime(hour.starts_at)) for hour in hours]
        self.fields["starts_at"].choices = choices
        self.fields["ends_at"].choices = choices
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        first = dt.datetime.fromisoformat(self.cleaned_data["starts_at"])
        last = dt.datetime.fromisoformat(self.cleaned_data["ends_at"])
        first, last = min(first, last), max(first, last)
        return first, last + dt.timedelta(hours=1)


@login_required
def survey_responses(request: HttpRequest, pk: int) -> HttpResponse:
    """For the อปท. and its reviewers: the survey's address and poster, counts (paper, online, sum), responses by
    hour, and the exclusion of a suspicious batch with a reason."""
    assessment = _officer_return(request, pk)
    hours = survey.by_hour(assessment)
    may_exclude = survey.may_exclude(request.user, assessment)
    if request.method == "POST":
        form = ExclusionForm(request.POST, hours)
        if not may_exclude:
            messages.error(request, _("You may not exclude responses of this return."))
        elif form.is_valid():
            try:
                exclusion = survey.exclude(assessment, request.user, *form.period(), form.cleaned_data["reason"])
            except survey.SurveyError as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(
                    request,
                    _("%(count)s responses were excluded from the counts.") % {"count": exclusion.responses},
                )
                return redirect("public:survey-responses", pk=assessment.pk)
        else:
            messages.error(request, _("Please choose the hours and give a reason."))
    else:
        form = ExclusionForm(None, hours)
    url = survey_url(assessment)
    return render(
        request,
        "public/survey_responses.html",
        {
            "assessment": assessment,
            "lg": assessment.local_government,
            "url": url,
            "qr": mark_safe(segno.make(url, error="m").svg_inline(scale=3, omitsize=True)),  # noqa: S308 (segno's SVG)
            "counts": survey.question_counts(assessment),
            "hours": hours,
            "exclusions": assessment.survey_exclusions.select_related("excluded_by"),
            "open": survey.is_open(assessment),
            "may_exclude": may_exclude,
            "form": form,
        },
    )


@login_required
@require_GET
def survey_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """An A4 poster for the อปท. to print: its name, the round, the QR code and the address."""
    assessment = _officer_return(request, pk)
    url = survey_url(assessment)
    document = thai_pdf_document(
        "public/survey_poster.html",
        {
            "assessment": assessment,
            "lg": assessment.local_government,
            "url": url,
            "qr": segno.make(url, error="m").svg_data_uri(scale=10, border=2),
        },
    )
    response = HttpResponse(document.write_pdf(), content_type="application/pdf")
    code = assessment.local_government.dla_code or f"lg{assessment.local_government_id}"
    response["Content-Disposition"] = f'inline; filename="survey-{code}-{assessment.round.fiscal_year}.pdf"'
    return response
