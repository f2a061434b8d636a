"""A URL that fails, to see the 500 page (used by tests/pages/test_error_pages.py)."""

from django.urls import include, path


def broken(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [path("broken/", broken), path("", include("config.urls"))]
