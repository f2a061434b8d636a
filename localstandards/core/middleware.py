from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from localstandards.core import thaidate

THAI_DIGITS_COOKIE = "thai_digits"
# Types worth gzipping; PDF, XLSX, images and evidence files are compressed already.
COMPRESSIBLE_TYPES = {"application/json", "application/javascript", "application/xml", "image/svg+xml"}


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (random padding against BREACH included), for text responses only.

    Gzipping a PDF, a workbook or an uploaded scan again costs the app server CPU and saves nothing.
    Why compressing pages that carry a CSRF token is acceptable: docs/deployment.md, "Compression".
    """

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").partition(";")[0].strip().lower()
        if not (content_type.startswith("text/") or content_type in COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)


class ThaiFirstLocaleMiddleware:
    """Thai unless the visitor chose English with the switch (a cookie); the browser's language is ignored.

    Also sets the visitor's Thai-digit preference for this request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        digits_cookie = request.COOKIES.get(THAI_DIGITS_COOKIE)
        token = thaidate.set_thai_digits_preference(None if digits_cookie not in ("0", "1") else digits_cookie == "1")
        try:
            response = self.get_response(request)
        finally:
            thaidate.reset_thai_digits_preference(token)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class PrivateResponsesMiddleware:
    """Nothing shown to a signed-in user is kept by a browser or a proxy: `Cache-Control: private, no-store` on
    every response to an authenticated request (pages, downloads, PDFs, evidence) that did not set its own cache
    policy. Public pages set theirs; visitors' responses are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _holds_nul(data) -> bool:
    return any("\x00" in name or any("\x00" in value for value in values) for name, values in data.lists())


class RefuseNulCharactersMiddleware:
    """A query string or a posted form with a NUL character is refused with a clear page (400) before any view
    runs. Nobody types one; PostgreSQL can neither store nor compare text holding one, so every search, lookup
    and save given one failed with a 500 (tests/security/test_fuzz.py), and SQLite would store it silently.

    Reading request.POST here parses the body before the view, as CsrfViewMiddleware does for every post anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request.GET) or (request.method == "POST" and _holds_nul(request.POST)):
            return render(request, "core/refused_input.html", status=400)
        return self.get_response(request)
