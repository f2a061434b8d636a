"""/api/: the JSON API (django-ninja) and the pages where tokens are issued and revoked.

The API's views authenticate themselves (a bearer token, or the session of a logged-in browser) and answer 401
problem details otherwise, so they are marked login_not_required: the login middleware would send an integration
to the HTML login page. tests/test_login_required.py checks that every other route still needs a login.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from localstandards.api import views
from localstandards.api.endpoints import api


def api_language(view):
    """Messages in the language the client asks for (Accept-Language: th or en), Thai when it names neither."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        language = "th"
        for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")[:200]):
            base = code.split("-")[0].lower()
            if base in ("th", "en"):
                language = base
                break
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", language)
        # Answers depend on who asks and in which language: never kept by a shared cache.
        patch_vary_headers(response, ("Accept-Language", "Authorization"))
        patch_cache_control(response, private=True)
        return response

    return wrapped


api_patterns, _app_name, _namespace = api.urls
for pattern in api_patterns:
    pattern.callback = login_not_required(api_language(pattern.callback))

app_name = "api"
urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/new/", views.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    *api_patterns,
]
