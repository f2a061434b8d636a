"""Two-factor login: required for national admins, optional for others, with single-use recovery codes."""

from __future__ import annotations

import binascii
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from localstandards.accounts import two_factor

pytestmark = pytest.mark.django_db

PASSWORD = "test-password"  # tests.factories.UserFactory's


@pytest.fixture(autouse=True)
def required(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_NATIONAL_ADMINS = True


def code_for(key_hex: str) -> str:
    return f"{TOTP(binascii.unhexlify(key_hex)).token():06d}"


def logged_in(user) -> Client:
    client = Client()
    user.set_password(PASSWORD)
    user.save()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_a_national_admin_must_set_up_two_factor_before_anything_else(users):
    client = logged_in(users.national_admin)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor"))
    setup = client.get(response["Location"])
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    assert not TOTPDevice.objects.exists()  # a GET writes nothing
    key = re.search(r'name="key" value="([0-9a-f]{40})"', setup.content.decode())[1]
    wrong = client.post(reverse("two-factor"), {"action": "enroll", "key": key, "token": "000000"})
    assert "ไม่ถูกต้อง" in wrong.content.decode() and not TOTPDevice.objects.exists()
    done = client.post(reverse("two-factor"), {"action": "enroll", "key": key, "token": code_for(key)})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/accounts/profile/").status_code == 200


def test_a_national_admin_with_a_device_gives_a_code_after_the_password(users, settings):
    # django-otp slows down guessing (1 s, 2 s, … after each wrong code); the test does not wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    key = two_factor.new_key()
    _device, codes = two_factor.enroll(users.national_admin, key, code_for(key))
    client = logged_in(users.national_admin)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor-verify"))
    refused = client.post(reverse("two-factor-verify"), {"token": "123456", "next": "/accounts/profile/"})
    assert refused.status_code == 200 and client.get("/accounts/profile/").status_code == 302
    accepted = client.post(reverse("two-factor-verify"), {"token": codes[0].upper(), "next": "/accounts/profile/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/accounts/profile/"
    assert client.get("/accounts/profile/").status_code == 200
    # A recovery code works once.
    again = logged_in(users.national_admin)
    assert again.post(reverse("two-factor-verify"), {"token": codes[0]}).status_code == 200
    assert again.post(reverse("two-factor-verify"), {"token": code_for(key)}).status_code == 302


def test_others_need_no_second_factor_but_may_turn_it_on(users):
    client = logged_in(users.staff)
    assert client.get(reverse("profile")).status_code == 200
    key = two_factor.new_key()
    two_factor.enroll(users.staff, key, code_for(key))
    later = logged_in(users.staff)
    assert later.get(reverse("profile"))["Location"].startswith(reverse("two-factor-verify"))


def test_a_national_admin_cannot_turn_it_off(users):
    key = two_factor.new_key()
    two_factor.enroll(users.national_admin, key, code_for(key))
    with pytest.raises(two_factor.TwoFactorError):
        two_factor.disable(users.national_admin)
    assert two_factor.has_device(users.national_admin)
    key = two_factor.new_key()
    two_factor.enroll(users.staff, key, code_for(key))
    two_factor.disable(users.staff)
    assert not two_factor.has_device(users.staff)


def test_a_password_alone_cannot_replace_the_device(users):
    key = two_factor.new_key()
    two_factor.enroll(users.national_admin, key, code_for(key))
    client = logged_in(users.national_admin)
    other = two_factor.new_key()
    response = client.post(reverse("two-factor"), {"action": "enroll", "key": other, "token": code_for(other)})
    assert response.status_code == 404
    assert TOTPDevice.objects.get(user=users.national_admin).key == key
