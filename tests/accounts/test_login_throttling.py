"""Login throttling that resists password spraying and cannot be used to lock an officer out (issue 14)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def attempt(username: str, password: str, address: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(reverse("login"), {"username": username, "password": password}, **extra)


def test_spraying_many_usernames_from_one_address_is_stopped(users, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    for n in range(10):
        UserFactory(username=f"sprayed{n}")
        assert attempt(f"sprayed{n}", "Password1!", "203.0.113.9").status_code == 200  # one try per username
    refused = attempt(users.staff.username, PASSWORD, "203.0.113.9")  # even the right password, from there
    assert refused.status_code == 200 and "15 นาที" in refused.content.decode()
    assert "_auth_user_id" not in refused.client.session
    # Officers elsewhere are not affected, and no account was locked.
    assert attempt(users.staff.username, PASSWORD, "198.51.100.7").status_code == 302
    assert not AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).exists()


def test_a_stranger_cannot_lock_an_officer_out(users, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(5):
        attempt(users.staff.username, "wrong", "203.0.113.50")
    assert attempt(users.staff.username, PASSWORD, "203.0.113.50").status_code == 429  # the stranger's address
    assert attempt(users.staff.username, PASSWORD, "198.51.100.7").status_code == 302  # the officer's own


def test_behind_the_load_balancer_the_address_it_saw_is_counted(users, settings):
    settings.BEHIND_PROXY = True
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        # A forged first entry changes nothing: the balancer's own (last) entry is the client.
        attempt(f"nobody{n}", "x", "10.0.0.2", forwarded=f"192.0.2.{n}, 203.0.113.9")
    refused = attempt(users.staff.username, PASSWORD, "10.0.0.2", forwarded="203.0.113.9")
    assert "15 นาที" in refused.content.decode()
    assert attempt(users.staff.username, PASSWORD, "10.0.0.2", forwarded="198.51.100.7").status_code == 302
