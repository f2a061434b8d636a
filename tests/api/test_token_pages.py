"""The token pages: who may issue tokens, for which scope; the secret shown once; revocation."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from localstandards.api.models import ApiToken, TokenScope
from localstandards.api.services import hash_key
from tests.api.conftest import bearer, make_token

pytestmark = pytest.mark.django_db


def be_date(day: dt.date) -> dict[str, str]:
    return {"expires_on_day": str(day.day), "expires_on_month": str(day.month), "expires_on_year": str(day.year + 543)}


def form(**fields):
    data = {"name": "ระบบจังหวัด", **be_date(timezone.localdate() + dt.timedelta(days=30))}
    data.update(fields)
    return data


def test_a_provincial_officer_issues_a_token_for_the_province_shown_once(users, world, client_for):
    client = client_for(users.province_officer)
    page = client.get(reverse("api:token-create"))
    assert page.status_code == 200
    assert [value for value, _label in page.context["form"].fields["scope_level"].choices] == [TokenScope.PROVINCE]
    response = client.post(
        reverse("api:token-create"), form(scope_level=TokenScope.PROVINCE, province=world.province.pk)
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = response.context["key"]
    token = ApiToken.objects.get()
    assert (token.key_hash, token.province, token.creator, token.can_write) == (
        hash_key(key),
        world.province,
        users.province_officer,
        False,
    )
    assert key in response.content.decode()
    listing = client.get(reverse("api:tokens")).content.decode()
    assert token.prefix in listing and key not in listing
    assert bearer(key).get("/api/provinces").json()["items"][0]["code"] == "50"


def test_another_province_cannot_be_chosen(users, world, client_for):
    response = client_for(users.province_officer).post(
        reverse("api:token-create"), form(scope_level=TokenScope.PROVINCE, province=world.other_province.pk)
    )
    assert response.status_code == 200 and "province" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_an_expiry_more_than_a_year_away_is_refused(users, client_for):
    late = be_date(timezone.localdate() + dt.timedelta(days=400))
    response = client_for(users.national_admin).post(
        reverse("api:token-create"), form(scope_level=TokenScope.NATION, **late)
    )
    assert response.context["form"].non_field_errors()
    assert not ApiToken.objects.exists()


def test_people_without_an_issuing_role_are_told_who_issues_tokens(users, client_for, world):
    make_token(users.province_officer, TokenScope.PROVINCE, province=world.province)
    for user in (users.district_officer, users.committee_viewer, users.no_role):
        client = client_for(user)
        listing = client.get(reverse("api:tokens"))
        assert listing.status_code == 200 and listing.context["may_issue"] is False
        assert "tokens" not in listing.context and ApiToken.objects.get().prefix not in listing.content.decode()
        assert client.get(reverse("api:token-create")).status_code == 404, user


def test_revoking_stops_the_token_and_others_cannot_revoke_it(users, world, client_for):
    issued = make_token(users.province_officer, TokenScope.PROVINCE, province=world.province)
    url = reverse("api:token-revoke", args=[issued.token.pk])
    assert client_for(users.outsider_province_officer).post(url).status_code == 404
    assert bearer(issued.key).get("/api/me").status_code == 200
    response = client_for(users.province_officer).post(url)
    assert response.status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.revoked_by == users.province_officer
    assert bearer(issued.key).get("/api/me").status_code == 401


def test_a_national_admin_sees_and_may_revoke_every_token(users, world, client_for):
    issued = make_token(users.province_officer, TokenScope.PROVINCE, province=world.province)
    client = client_for(users.national_admin)
    assert issued.token.prefix in client.get(reverse("api:tokens")).content.decode()
    client.post(reverse("api:token-revoke", args=[issued.token.pk]))
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None


def test_the_command_prints_a_token_no_wider_than_the_user(users, world):
    out = io.StringIO()
    call_command("issue_api_token", "province_officer", "--scope", "province:50", "--days", "7", stdout=out)
    key = out.getvalue().strip()
    assert bearer(key).get("/api/provinces").json()["items"][0]["code"] == "50"
    with translation.override("en"), pytest.raises(CommandError, match="cannot be wider than your own"):
        call_command("issue_api_token", "province_officer", "--scope", "province:90", stdout=io.StringIO())
    assert ApiToken.objects.count() == 1


def test_a_national_admin_revokes_tokens_in_the_admin(users, world, client_for):
    issued = make_token(users.province_officer, TokenScope.PROVINCE, province=world.province)
    client = client_for(users.national_admin)
    assert client.get(reverse("admin:api_apitoken_changelist")).status_code == 200
    client.post(reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [issued.token.pk]})
    assert bearer(issued.key).get("/api/me").status_code == 401
    assert client.get(reverse("admin:api_apitokenuse_changelist")).status_code == 200
