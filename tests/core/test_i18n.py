"""Thai first, English by the switch, Thai digits by the switch; the browser's language is not obeyed."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_thai_is_the_default_even_for_an_english_browser(client):
    response = client.get(reverse("home"), headers={"accept-language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "th"
    assert '<html lang="th">' in response.content.decode()
    assert "เข้าสู่ระบบ" in response.content.decode()


@pytest.mark.django_db
def test_the_english_switch_changes_the_language_and_returns_to_the_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/about/"})
    assert response.status_code == 302 and response["Location"] == "/about/"
    page = client.get("/about/").content.decode()
    assert '<html lang="en">' in page
    assert "Data sources and credits" in page
    client.post(reverse("set_language"), {"language": "th", "next": "/"})
    assert "แหล่งข้อมูล" in client.get("/about/").content.decode()


@pytest.mark.django_db
def test_the_thai_digit_switch_sets_digits_and_refuses_foreign_redirects(client):
    response = client.post(reverse("set-thai-digits"), {"thai_digits": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.cookies["thai_digits"].value == "1"
    client.post(reverse("set-thai-digits"), {"thai_digits": "0", "next": "/about/"})
    assert client.cookies["thai_digits"].value == "0"


@pytest.mark.django_db
def test_thai_digits_show_in_dates_on_pages(users, client_for):
    client = client_for(users.staff)
    client.post(reverse("set-thai-digits"), {"thai_digits": "1", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert "๒๕๖" in body


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_health_check(client):
    assert client.get(reverse("healthz")).content == b"ok"
