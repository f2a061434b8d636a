from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from localstandards.core.middleware import THAI_DIGITS_COOKIE
from localstandards.core.request_input import safe_next


@login_not_required
@require_POST
def set_thai_digits(request: HttpRequest) -> HttpResponse:
    """Switch Thai digits on or off for this browser; works without JavaScript (a plain form post)."""
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next")))
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


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
