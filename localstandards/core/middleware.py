from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from localstandards.core import thaidate

THAI_DIGITS_COOKIE = "thai_digits"


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
