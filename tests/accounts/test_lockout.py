"""Lockout: the locked-out page says what to do in Thai; an officer unlocks only accounts in their scope."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from localstandards.accounts import lockout

pytestmark = pytest.mark.django_db


def lock(user, settings) -> None:
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="10.0.0.9",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )


def test_the_lockout_page_says_what_to_do_in_thai(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _attempt in range(3):
        response = client.post(reverse("login"), {"username": users.staff.username, "password": "wrong"})
    assert response.status_code == 429
    text = response.content.decode()
    assert "บัญชีถูกระงับชั่วคราว" in text and "ปลดล็อก" in text and "30 นาที" in text


@pytest.mark.parametrize(
    ("officer", "target", "allowed"),
    [
        ("district_officer", "staff", True),
        ("province_officer", "head", True),
        ("province_officer", "district_officer", True),
        ("national_admin", "province_officer", True),
        ("outsider_province_officer", "staff", False),
        ("district_officer", "outsider_staff", False),
        ("district_officer", "district_officer", False),
        ("province_officer", "province_officer", False),
        ("head", "staff", False),
        ("committee_viewer", "staff", False),
    ],
)
def test_an_officer_unlocks_only_accounts_in_scope(users, client_for, settings, officer, target, allowed):
    locked_user = getattr(users, target)
    lock(locked_user, settings)
    response = client_for(getattr(users, officer)).post(reverse("unlock", args=[locked_user.pk]))
    assert response.status_code == (302 if allowed else 404)
    still_locked = lockout.locked_usernames([locked_user.username]) == {locked_user.username}
    assert still_locked is not allowed


def test_the_account_list_offers_unlock_for_a_locked_account(open_round, users, client_for, settings):
    lock(users.staff, settings)
    page = client_for(users.district_officer).get(
        reverse("notices:onboarding-unit", args=[open_round.pk, "district", "5001"])
    )
    assert reverse("unlock", args=[users.staff.pk]) in page.content.decode()
    assert reverse("unlock", args=[users.head.pk]) not in page.content.decode()
