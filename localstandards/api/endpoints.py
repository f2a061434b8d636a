"""The JSON API (django-ninja): thin operations over the same scoped querysets and services as the pages.

Every read starts from `Model.objects.for_user(principal)` (or a service that does), where the principal is the
logged-in person (session) or the token's principal (api.services.principal_for); an id outside it is a 404.
Errors are RFC 9457 problem details, in Thai or in English (Accept-Language). No `from __future__ import
annotations` here: ninja reads the parameters' real annotations.
"""

from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Router, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import APIKeyCookie, HttpBearer

from localstandards.api import schemas, services
from localstandards.assessments import services as assessment_services
from localstandards.assessments.models import Assessment, AssessmentRound, Status
from localstandards.awards.services import award_rows
from localstandards.frameworks.models import Framework
from localstandards.frameworks.models import Status as FrameworkStatus
from localstandards.frameworks.services import framework_to_spec, frozen_indicator, frozen_tree
from localstandards.progress import services as progress_services
from localstandards.registry.models import District, LocalGovernment, LocalGovernmentType, Province, Region
from localstandards.registry.scoping import accessible_units
from localstandards.scoring.services import current_results

PAGE_SIZE = 50


# Unit codes as the registry writes them (DOPA: 2-digit provinces, 4-digit districts; regions are names).
def province_code():
    return Query(None, pattern=r"^[0-9]{2}$", description="A province's DOPA code (2 digits).")


def district_code():
    return Query(None, pattern=r"^[0-9]{4}$", description="A district's DOPA code (4 digits).")


MAX_PAGE_SIZE = 200
MAX_ID = 2_147_483_647  # ids beyond a 32-bit integer cannot exist; refused before they reach the database


class Pages(PageNumberPagination):
    """`page` (from 1) and `page_size` (up to 200); the answer is `{"items": [...], "count": total}`."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)


def Id(description: str = ""):  # a Path with the bounds of an id
    return Path(..., ge=1, le=MAX_ID, description=description)


PROBLEM = "application/problem+json"


class TokenAuth(HttpBearer):
    """`Authorization: Bearer lsk_…`: a token acts as its scope; expired, revoked or orphaned tokens are refused."""

    def authenticate(self, request: HttpRequest, token: str):
        principal = services.authenticate(token, request)
        if principal is not None:
            services.check_rate(principal)
        return principal


class SessionAuth(APIKeyCookie):
    """A logged-in browser (the session cookie), with Django's CSRF check on writes."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        if user.is_authenticated and user.is_active:
            services.check_rate(user)
            return user
        return None


class ProblemDetailsAPI(NinjaAPI):
    """Documents error responses with RFC 9457's media type, as they are sent."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status) >= "400" and "application/json" in content:
                        content[PROBLEM] = content.pop("application/json")
        return schema


api = ProblemDetailsAPI(
    title="Local standards API",
    version="1",
    description=(
        "Read the registry, frameworks, rounds, returns, results, progress and award scores in your scope, and "
        "write answers and satisfaction counts under the same rules as the data-entry pages. "
        "Authenticate with `Authorization: Bearer <token>` (tokens are issued on the API tokens page). "
        "Errors are RFC 9457 problem details; send `Accept-Language: en` for English messages."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def problem(request: HttpRequest, status: int, title: str, detail: str, kind: str, errors=None, headers=None):
    body = {
        "type": f"/api/docs#problem-{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = problem(
        request,
        401,
        _("Not authenticated"),
        _("Send a valid token (Authorization: Bearer …) or log in. The token may be expired or revoked."),
        "unauthenticated",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(AuthorizationError)
def _forbidden(request, exc):
    return problem(request, 403, _("Not allowed"), str(exc.message), "forbidden")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(request, 404, _("Not found"), _("There is no such item in your scope."), "not-found")


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return problem(request, 422, _("Invalid request"), _("Some of the input is not valid."), "invalid", exc.errors)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(request, exc.status_code, _("Refused"), str(exc.message), "refused")


@api.exception_handler(services.RateLimited)
def _rate_limited(request, exc):
    return problem(
        request,
        429,
        _("Too many requests"),
        _("Too many requests: wait %(seconds)s seconds and try again.") % {"seconds": exc.retry_after},
        "rate-limited",
        headers={"Retry-After": str(exc.retry_after)},
    )


@api.exception_handler(assessment_services.AssessmentError)
def _refused(request, exc):
    if isinstance(exc, assessment_services.InvalidAnswer):
        return problem(request, 422, _("Not saved"), exc.message, "invalid-answer", exc.errors)
    if isinstance(exc, assessment_services.VersionConflict):
        current = exc.current
        return problem(
            request, 409, _("Not saved"), exc.message, "version-conflict", {"current_version": current.version}
        )
    if isinstance(exc, assessment_services.NotAllowed):
        return problem(request, 403, _("Not saved"), exc.message, "not-allowed")
    return problem(request, 409, _("Not saved"), exc.message, "entry-closed")


ERRORS = {401: schemas.Problem, 404: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}
ERRORS_NO_404 = {401: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}


def principal(request: HttpRequest):
    return request.auth


# ---- who am I


@api.get("/me", response={200: schemas.TokenInfo, **ERRORS_NO_404}, tags=["tokens"])
def me(request: HttpRequest):
    """The caller: a person or a token, and the scope it reads."""
    who = principal(request)
    token = getattr(who, "api_token", None)
    scope = accessible_units(who)
    if scope.is_empty:
        label = "none"
    elif scope.nation:
        label = "nation"
    elif scope.province_ids:
        label = "province"
    else:
        label = "district" if scope.district_ids else "local_government"
    return {
        "kind": "token" if token else "session",
        "username": who.username,
        "token_name": token.name if token else None,
        "scope": label,
        "can_write": token.can_write if token else True,
        "expires_at": token.expires_at if token else None,
    }


# ---- the registry

registry = Router(tags=["registry"])


@registry.get("/provinces", response={200: list[schemas.ProvinceOut], **ERRORS_NO_404})
@paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def provinces(request: HttpRequest, region: Region | None = None):
    rows = Province.objects.for_user(principal(request)).order_by("code")
    if region:
        rows = rows.filter(region=region)
    return rows


@registry.get("/provinces/{code}", response={200: schemas.ProvinceOut, **ERRORS})
def province(request: HttpRequest, code: str = Path(..., pattern=r"^[0-9]{2}$")):
    return get_object_or_404(Province.objects.for_user(principal(request)), code=code)


def _district_out(district: District) -> dict:
    return {
        "id": district.pk,
        "code": district.code,
        "name_th": district.name_th,
        "name_en": district.name_en,
        "province_code": district.province.code,
    }


@registry.get("/districts", response={200: list[schemas.DistrictOut], **ERRORS_NO_404})
@paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def districts(request: HttpRequest, province: str | None = province_code()):
    rows = District.objects.for_user(principal(request)).select_related("province").order_by("code")
    if province:
        rows = rows.filter(province__code=province)
    return [_district_out(d) for d in rows]


def _lg_out(lg: LocalGovernment) -> dict:
    return {
        "id": lg.pk,
        "dla_code": lg.dla_code,
        "name_th": lg.name_th,
        "full_name_th": lg.full_name_th,
        "type": lg.type,
        "province_code": lg.province.code,
        "district_code": lg.district.code if lg.district_id else None,
        "is_active": lg.is_active,
    }


@registry.get("/local-governments", response={200: list[schemas.LocalGovernmentOut], **ERRORS_NO_404})
@paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def local_governments(
    request: HttpRequest,
    province: str | None = province_code(),
    district: str | None = district_code(),
    type: LocalGovernmentType | None = None,
):
    rows = LocalGovernment.objects.for_user(principal(request)).select_related("province", "district")
    rows = _unit_filters(rows, "", province, district, type)
    return _Mapped(rows.order_by("dla_code", "pk"), _lg_out)


@registry.get("/local-governments/{lg_id}", response={200: schemas.LocalGovernmentOut, **ERRORS})
def local_government(request: HttpRequest, lg_id: int = Id()):
    queryset = LocalGovernment.objects.for_user(principal(request)).select_related("province", "district")
    return _lg_out(get_object_or_404(queryset, pk=lg_id))


def _unit_filters(rows, path: str, province, district, lg_type):
    if province:
        rows = rows.filter(**{f"{path}province__code": province})
    if district:
        rows = rows.filter(**{f"{path}district__code": district})
    if lg_type:
        rows = rows.filter(**{f"{path}type": lg_type})
    return rows


class _Mapped:
    """A queryset whose page is turned into dicts after slicing (the paginator slices, then we map the page)."""

    def __init__(self, queryset, mapper):
        self.queryset, self.mapper = queryset, mapper

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return [self.mapper(row) for row in self.queryset[item]]


# ---- frameworks and rounds: shared by every unit, readable by anyone with a scope


def _require_scope(request: HttpRequest) -> None:
    if accessible_units(principal(request)).is_empty:
        raise Http404


frameworks = Router(tags=["frameworks"])


@frameworks.get("/frameworks", response={200: list[schemas.FrameworkOut], **ERRORS_NO_404})
@paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def framework_list(request: HttpRequest):
    """Published and retired versions (drafts are still being edited and are not shown)."""
    if accessible_units(principal(request)).is_empty:
        return Framework.objects.none()
    return Framework.objects.exclude(status=FrameworkStatus.DRAFT).order_by("code", "version")


@frameworks.get("/frameworks/{framework_id}", response={200: schemas.FrameworkDetail, **ERRORS})
def framework_detail(request: HttpRequest, framework_id: int = Id()):
    """One version in the structure of its workbook (framework, areas, missions, indicators, … one key a sheet)."""
    _require_scope(request)
    framework = get_object_or_404(Framework.objects.exclude(status=FrameworkStatus.DRAFT), pk=framework_id)
    framework.structure = framework_to_spec(frozen_tree(framework))
    return framework


rounds = Router(tags=["rounds"])


@rounds.get("/rounds", response={200: list[schemas.RoundOut], **ERRORS_NO_404})
@paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def round_list(request: HttpRequest, fiscal_year: int | None = Query(None, ge=2500, le=2700)):
    if accessible_units(principal(request)).is_empty:
        return AssessmentRound.objects.none()
    rows = AssessmentRound.objects.all()
    if fiscal_year is not None:
        rows = rows.filter(fiscal_year=fiscal_year)
    return rows.order_by("-fiscal_year", "-opens_on", "pk")


@rounds.get("/rounds/{round_id}", response={200: schemas.RoundOut, **ERRORS})
def round_detail(request: HttpRequest, round_id: int = Id()):
    _require_scope(request)
    return get_object_or_404(AssessmentRound, pk=round_id)


# ---- returns, their answers and results

returns = Router(tags=["returns"])


def _return_queryset(request: HttpRequest):
    return Assessment.objects.for_user(principal(request)).select_related(
        "round", "framework", "local_government__province", "local_government__district"
    )


def _return_out(assessment: Assessment) -> dict:
    lg = assessment.local_government
    return {
        "id": assessment.pk,
        "round_id": assessment.round_id,
        "local_government_id": lg.pk,
        "dla_code": lg.dla_code,
        "name": lg.full_name_th,
        "province_code": lg.province.code,
        "district_code": lg.district.code if lg.district_id else None,
        "type": lg.type,
        "framework_id": assessment.framework_id,
        "status": assessment.status,
        "version": assessment.version,
        "submitted_at": assessment.submitted_at,
        "first_submitted_at": assessment.first_submitted_at,
        "accepted_at": assessment.accepted_at,
        "last_activity_at": assessment.last_activity_at,
        "last_day": getattr(assessment, "last_day", None),
    }


@returns.get("/returns", response={200: list[schemas.ReturnOut], **ERRORS_NO_404})
@paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def return_list(
    request: HttpRequest,
    round: int | None = Query(None, ge=1, le=MAX_ID),
    province: str | None = province_code(),
    district: str | None = district_code(),
    type: LocalGovernmentType | None = None,
    status: Status | None = None,
):
    rows = _return_queryset(request).with_last_day()
    if round is not None:
        rows = rows.filter(round_id=round)
    if status:
        rows = rows.filter(status=status)
    rows = _unit_filters(rows, "local_government__", province, district, type)
    return _Mapped(rows.order_by("round_id", "local_government__dla_code", "pk"), _return_out)


def _get_return(request: HttpRequest, return_id: int) -> Assessment:
    return get_object_or_404(_return_queryset(request).with_last_day(), pk=return_id)


@returns.get("/returns/{return_id}", response={200: schemas.ReturnDetail, **ERRORS})
def return_detail(request: HttpRequest, return_id: int = Id()):
    """The return with its answers and satisfaction counts, as saved (each with the version to send back)."""
    assessment = _get_return(request, return_id)
    tree = frozen_tree(assessment.framework)
    codes = {i.pk: i.code for area in tree.areas.all() for m in area.missions.all() for i in m.indicators.all()}
    question_codes = {q.pk: q.code for q in tree.questions.all()}
    body = _return_out(assessment)
    body["answers"] = [_answer_out(a, codes) for a in assessment.answers.order_by("indicator_id")]
    body["satisfaction"] = [
        {
            "question_id": s.question_id,
            "question_code": question_codes.get(s.question_id, ""),
            "satisfied": s.satisfied,
            "needs_improvement": s.needs_improvement,
            "version": s.version,
            "updated_at": s.updated_at,
        }
        for s in assessment.satisfaction_answers.order_by("question_id")
    ]
    return body


def _answer_out(answer, codes: dict[int, str]) -> dict:
    return {
        "indicator_id": answer.indicator_id,
        "indicator_code": codes.get(answer.indicator_id, ""),
        "base": answer.base,
        "delivered": answer.delivered,
        "count": answer.count,
        "answer": answer.answer,
        "note": answer.note,
        "version": answer.version,
        "updated_at": answer.updated_at,
    }


def _counts(summary) -> dict:
    names = ("indicators", "scored", "applicable", "met", "above", "meets", "develop", "no_service", "not_done")
    return {
        **{name: getattr(summary, name) for name in names},
        "compliance": summary.compliance,
        "satisfied": summary.satisfied,
        "needs_improvement": summary.needs_improvement,
        "satisfaction": summary.satisfaction,
    }


@returns.get("/returns/{return_id}/results", response={200: schemas.ResultsOut, **ERRORS})
def return_results(request: HttpRequest, return_id: int = Id()):
    """Labels per indicator, area summaries and the score: final once accepted, provisional before."""
    assessment = _get_return(request, return_id)
    results = current_results(assessment)
    tree = frozen_tree(assessment.framework)
    areas = {area.pk: area for area in tree.areas.all()}
    codes = {i.pk: i.code for area in tree.areas.all() for m in area.missions.all() for i in m.indicators.all()}
    score = results.score
    return {
        **_counts(score),
        "return_id": assessment.pk,
        "status": assessment.status,
        "final": assessment.is_final,
        "stored": results.stored,
        "indicator_score": score.indicator_score,
        "satisfaction_score": score.satisfaction_score,
        "score": score.score,
        "passed": score.passed,
        "areas": [
            {
                **_counts(area),
                "area_id": area.area_id,
                "area_code": areas[area.area_id].code if area.area_id in areas else "",
                "area_name": areas[area.area_id].name if area.area_id in areas else "",
                "weight": area.weight,
                "weighted_compliance": area.weighted_compliance,
            }
            for area in results.areas
        ],
        "indicators": [
            {
                "indicator_id": r.indicator_id,
                "indicator_code": codes.get(r.indicator_id, ""),
                "area_code": areas[r.area_id].code if r.area_id in areas else "",
                "label": r.label,
                "applicable": r.applicable,
                "met": r.met,
                "target": r.target,
            }
            for r in results.records
        ],
    }


# ---- writes: the same service functions as the data-entry pages


def _writable(request: HttpRequest, return_id: int) -> tuple[object, Assessment]:
    who = principal(request)
    token = getattr(who, "api_token", None)
    assessment = _get_return(request, return_id)  # out of scope: 404 before anything else
    if token is not None and not token.can_write:
        raise AuthorizationError(message=_("This token is read-only."))
    return who, assessment


WRITE_ERRORS = {**ERRORS, 403: schemas.Problem, 409: schemas.Problem}


def _raw(values: dict) -> dict[str, str]:
    return {name: "" if value is None else str(value) for name, value in values.items()}


@returns.put("/returns/{return_id}/answers/{indicator_id}", response={200: schemas.SavedAnswer, **WRITE_ERRORS})
def save_answer(request: HttpRequest, payload: schemas.AnswerIn, return_id: int = Id(), indicator_id: int = Id()):
    """Save one indicator's answer: window, extension, state, version and validation as on the entry page.

    Send the `version` you read; a newer save by someone else is a 409 with the current version."""
    who, assessment = _writable(request, return_id)
    indicator = frozen_indicator(assessment.framework, indicator_id)
    if indicator is None:
        raise Http404
    values = payload.dict()
    version = values.pop("version")
    saved = assessment_services.save_answer(assessment, indicator, who, _raw(values), version)
    return {**_answer_out(saved.answer, {indicator.pk: indicator.code}), "warnings": [str(w) for w in saved.warnings]}


@returns.put("/returns/{return_id}/satisfaction/{question_id}", response={200: schemas.SatisfactionOut, **WRITE_ERRORS})
def save_satisfaction(
    request: HttpRequest, payload: schemas.SatisfactionIn, return_id: int = Id(), question_id: int = Id()
):
    """Save one satisfaction question's counts, under the same rules as the entry page."""
    who, assessment = _writable(request, return_id)
    question = next((q for q in frozen_tree(assessment.framework).questions.all() if q.pk == question_id), None)
    if question is None:
        raise Http404
    values = payload.dict()
    version = values.pop("version")
    saved = assessment_services.save_satisfaction(assessment, question, who, _raw(values), version)
    return {
        "question_id": question.pk,
        "question_code": question.code,
        "satisfied": saved.satisfied,
        "needs_improvement": saved.needs_improvement,
        "version": saved.version,
        "updated_at": saved.updated_at,
    }


# ---- progress and award scores: for those who follow progress (officers, national, committee)

progress = Router(tags=["progress"])


def _followed_round(request: HttpRequest, round_id: int) -> AssessmentRound:
    if not principal(request).follows_progress:
        raise Http404
    return get_object_or_404(AssessmentRound, pk=round_id)


def _row_out(row) -> dict:
    return {
        "key": row.key,
        "label": str(row.label),
        "expected": row.expected,
        "submitted": row.submitted,
        "on_time": row.on_time,
        "reporting_rate": row.reporting_rate,
        "on_time_rate": row.on_time_rate,
        "states": dict(zip(progress_services.STATE_LABELS, row.state_counts(), strict=True)),
    }


@progress.get("/rounds/{round_id}/progress", response={200: schemas.ProgressOut, **ERRORS})
def round_progress(
    request: HttpRequest,
    round_id: int = Id(),
    level: Literal["nation", "region", "province", "district"] = "nation",
    code: str | None = Query(None, pattern=r"^[A-Z0-9_]{1,16}$"),
):
    """Reporting and on-time rates per child unit of (level, code): nation → regions → provinces → districts."""
    assessment_round = _followed_round(request, round_id)
    who = principal(request)
    scope = accessible_units(who)
    if level in ("nation", "region"):
        if not scope.nation or (level == "region" and code not in Region.values):
            raise Http404
    elif level == "province":
        get_object_or_404(Province.objects.for_user(who), code=code)
    else:
        get_object_or_404(District.objects.for_user(who), code=code)
    result = progress_services.compute(who, assessment_round, level, code if level != "nation" else None)
    return {
        "round_id": assessment_round.pk,
        "level": level,
        "code": code if level != "nation" else None,
        "days_left": result.days_left,
        "total": _row_out(result.total),
        "rows": [_row_out(row) for row in result.rows],
    }


@progress.get("/rounds/{round_id}/awards", response={200: list[schemas.AwardOut], **ERRORS})
@paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def round_awards(
    request: HttpRequest,
    round_id: int = Id(),
    province: str | None = province_code(),
    district: str | None = district_code(),
    type: LocalGovernmentType | None = None,
):
    """Award scores of the round's final returns in your scope, with the rank within the type nationwide."""
    assessment_round = _followed_round(request, round_id)
    rows = award_rows(assessment_round, principal(request))
    codes = dict(
        LocalGovernment.objects.filter(pk__in=[r.local_government_id for r in rows]).values_list("pk", "province__code")
    )
    district_codes = dict(
        District.objects.filter(pk__in={r.district_id for r in rows if r.district_id}).values_list("pk", "code")
    )
    selected = [
        row
        for row in rows
        if (not province or codes.get(row.local_government_id) == province)
        and (not district or district_codes.get(row.district_id) == district)
        and (not type or row.lg_type == type)
    ]
    return [
        {
            "return_id": row.assessment_id,
            "local_government_id": row.local_government_id,
            "dla_code": row.dla_code,
            "name": row.name,
            "province": row.province,
            "district": row.district,
            "type": row.lg_type,
            "score": row.score,
            "rank_in_type": row.rank_in_type,
            "framework_id": row.framework_id,
        }
        for row in selected
    ]


api.add_router("", registry)
api.add_router("", frameworks)
api.add_router("", rounds)
api.add_router("", returns)
api.add_router("", progress)
