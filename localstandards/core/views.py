from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from localstandards.assessments import services as assessment_services
from localstandards.core.middleware import THAI_DIGITS_COOKIE
from localstandards.progress import services as progress_services
from localstandards.registry import services as registry_services


def home(request: HttpRequest) -> HttpResponse:
    context = {"today": timezone.localdate()}
    if request.user.is_authenticated:
        context["memberships"] = request.user.cached_memberships
        context["scope_summary"] = registry_services.scope_summary(request.user)
        context.update(assessment_services.home_summary(request.user))
        context.update(progress_summary(request.user))
    return render(request, "core/home.html", context)


def progress_summary(user) -> dict:
    """Officers open on the progress of their scope in the latest round."""
    assessment_round = progress_services.latest_round()
    where = progress_services.top_level(user) if user.follows_progress else None
    if assessment_round is None or where is None:
        return {}
    level, code = where
    progress = progress_services.compute(user, assessment_round, level, None if level == "nation" else code)
    return {"home_progress": progress, "home_progress_where": where}


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html", {"registry": registry_services.registry_facts()})


@require_POST
def set_thai_digits(request: HttpRequest) -> HttpResponse:
    """Switch Thai digits on or off for this browser; works without JavaScript (a plain form post)."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    value = "1" if request.POST.get("thai_digits") == "1" else "0"
    response.set_cookie(
        THAI_DIGITS_COOKIE,
        value,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.IS_PRODUCTION,
        httponly=True,
    )
    return response


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
