"""A URL that fails, to see the 500 page (used by tests/pages/test_error_pages.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path


@login_not_required  # a visitor's request fails the same way: the 500 page is for everyone
def broken(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [path("broken/", broken), path("", include("config.urls"))]
