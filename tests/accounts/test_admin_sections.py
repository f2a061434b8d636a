"""The admin is for national administrators, in Thai like the rest: third-party sections too."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_names_every_section_in_thai(users, client_for):
    response = client_for(users.national_admin).get(reverse("admin:index"))
    assert response.status_code == 200
    body = response.content.decode()
    for english in ("Axes", "Tasks Database Backend"):
        assert english not in body
    assert "การเข้าสู่ระบบและการล็อกบัญชี" in body and "งานเบื้องหลัง" in body
