"""The project's own error pages, in Thai (English when chosen), instead of Django's English defaults."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from localstandards.pages.urls import urlpatterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False


def test_an_unknown_return_gives_the_thai_404_page(production_errors, users, client_for):
    response = client_for(users.staff).get(reverse("assessments:overview", args=[999999]))
    assert response.status_code == 404
    assert "ไม่พบหน้านี้" in response.content.decode()


def test_a_server_error_gives_the_thai_500_page(production_errors, settings):
    settings.ROOT_URLCONF = "tests.pages.broken_urls"
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert "ระบบขัดข้อง" in response.content.decode()


def test_the_home_page_is_in_the_top_layer():
    assert {pattern.name for pattern in urlpatterns} == {"home", "about"}
