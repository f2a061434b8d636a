"""Deny by default: every route needs a login unless its view is marked login_not_required, and the ones that are
marked are exactly the public pages below. A new public view has to be added here on purpose."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from localstandards.api.urls import api_patterns

PUBLIC = {
    "home",
    "about",
    "healthz",
    "set-thai-digits",
    "set_language",
    "javascript-catalog",
    "login",
    "activate",
    "request-access",
    "oidc_authentication_init",  # single sign-on: to the provider and back (accounts.oidc)
    "oidc_authentication_callback",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "progress:public",
    "reports:public",
    "reports:embed",
    "reports:public-pdf",
    "public:home",
    "public:search",
    "public:provinces",
    "public:province",
    "public:local-government",
    "public:open-data",
    "public:data-dictionary",
    "public:data-catalogue",
    "public:data-file",
    "public:survey",
}


API_OPERATIONS = {f"api:{pattern.name}" for pattern in api_patterns}


def routes(resolver: URLResolver | None = None, namespace: str = ""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else str(pattern.pattern), pattern.callback


def test_only_the_public_pages_open_without_a_login():
    open_routes = {
        name
        for name, view in routes()
        if getattr(view, "login_required", True) is False and not name.startswith("admin:")
    }
    # The JSON API's operations authenticate themselves (a token or the session; 401 problem details otherwise,
    # tests/api): exactly those are open to the middleware, not the token pages of the same namespace.
    assert {name for name in open_routes if name.startswith("api:")} == API_OPERATIONS
    assert open_routes - API_OPERATIONS == PUBLIC


def test_the_middleware_asks_for_a_login(client):
    response = client.get("/analysis/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
