"""Tokens for the API tests, issued through the service as the token page does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from localstandards.api.models import TokenScope
from localstandards.api.services import issue_token


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


def make_token(user, level=TokenScope.NATION, *, province=None, local_government=None, can_write=False, days=30):
    return issue_token(
        user,
        name="integration",
        scope_level=level,
        province=province,
        local_government=local_government,
        can_write=can_write,
        expires_on=timezone.localdate() + dt.timedelta(days=days),
    )


def bearer(key: str, language: str = "th") -> Client:
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": language})


@pytest.fixture
def national_key(users):
    return make_token(users.national_admin).key


@pytest.fixture
def province_key(users, world):
    return make_token(users.province_officer, TokenScope.PROVINCE, province=world.province).key


@pytest.fixture
def staff_write_key(users, world):
    return make_token(
        users.staff, TokenScope.LOCAL_GOVERNMENT, local_government=world.local_government, can_write=True
    ).key
