"""Invitations: provisioning is idempotent; codes are single-use, expire, and a re-issue invalidates the old code;
activation makes a user with the invitation's role and scope and logs them in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from localstandards.accounts import invitations
from localstandards.accounts.models import Invitation, Role, User
from localstandards.notices import onboarding

pytestmark = pytest.mark.django_db

PASSWORD = "Kh0nKaen-river-2567"


def person(email: str = "somsak@example.go.th") -> invitations.Person:
    return invitations.Person("สมศักดิ์", "ใจงาม", "ปลัด อบต.", email, "053-111222", PASSWORD)


def test_provisioning_twice_creates_nothing_twice(open_round, world, users):
    first = onboarding.provision_round(open_round, users.national_admin)
    # 4 expected อปท. × 2 seats; users.head, users.staff and users.outsider_staff already hold three of them.
    assert (first.created, first.already_active, first.already_invited) == (5, 3, 0)
    second = onboarding.provision_round(open_round, users.national_admin)
    assert (second.created, second.already_active, second.already_invited) == (0, 3, 5)
    assert Invitation.objects.count() == 5
    assert set(Invitation.objects.values_list("round_id", flat=True)) == {open_round.pk}


def test_provisioning_one_province_only(open_round, world, users):
    result = onboarding.provision_round(open_round, users.province_officer, world.province)
    assert result.created == 4
    assert not Invitation.objects.filter(local_government=world.outside_local_government).exists()


def test_a_code_activates_once_with_the_invitations_role_and_scope(world):
    invitations.provision([world.neighbour_same_district.pk], None, None)
    seat = Invitation.objects.get(local_government=world.neighbour_same_district, role=Role.LG_HEAD)
    seat, code = invitations.issue_code(seat, None)
    user = invitations.activate(code.lower().replace("-", " "), person())
    assert user.username == "somsak@example.go.th" and user.phone == "053-111222" and user.position == "ปลัด อบต."
    assert [(m.role, m.local_government) for m in user.memberships.all()] == [
        (Role.LG_HEAD, world.neighbour_same_district)
    ]
    seat.refresh_from_db()
    assert seat.used_by == user and seat.used_at is not None
    with pytest.raises(invitations.InvitationError, match="ถูกใช้ไปแล้ว"):
        invitations.activate(code, person("other@example.go.th"))
    assert User.objects.filter(username="other@example.go.th").count() == 0


def test_an_expired_code_is_refused(world, settings):
    settings.INVITATION_CODE_DAYS = 30
    invitations.provision([world.neighbour_same_district.pk], None, None)
    seat = Invitation.objects.get(local_government=world.neighbour_same_district, role=Role.LG_STAFF)
    issued = timezone.now() - dt.timedelta(days=30, seconds=1)
    seat, code = invitations.issue_code(seat, None, now=issued)
    assert seat.expires_at == issued + dt.timedelta(days=30)
    with pytest.raises(invitations.InvitationError, match="หมดอายุ"):
        invitations.activate(code, person())
    assert not User.objects.filter(username="somsak@example.go.th").exists()


def test_reissue_invalidates_the_old_code_and_records_who(world, users):
    invitations.provision([world.neighbour_same_district.pk], None, None)
    seat = Invitation.objects.get(local_government=world.neighbour_same_district, role=Role.LG_STAFF)
    seat, old = invitations.issue_code(seat, users.province_officer)
    new_seat, new = invitations.issue_code(seat, users.district_officer)
    old_seat = Invitation.objects.get(pk=seat.pk)
    assert old_seat.invalidated_by == users.district_officer and old_seat.replaced_by == new_seat
    assert new_seat.issued_by == users.district_officer
    with pytest.raises(invitations.InvitationError, match="ถูกแทนที่"):
        invitations.activate(old, person())
    assert invitations.activate(new, person()).has_role(Role.LG_STAFF)


def test_a_weak_password_is_refused_and_the_code_still_works(world):
    invitations.provision([world.neighbour_same_district.pk], None, None)
    seat = Invitation.objects.get(local_government=world.neighbour_same_district, role=Role.LG_STAFF)
    _seat, code = invitations.issue_code(seat, None)
    weak = invitations.Person("ก", "ข", "ค", "a@example.go.th", "1", "12345678")
    with pytest.raises(ValidationError):
        invitations.activate(code, weak)
    assert invitations.find_usable(code).used_at is None


def test_the_activation_page_prefills_the_code_and_logs_the_person_in(client, world):
    invitations.provision([world.neighbour_same_district.pk], None, None)
    seat = Invitation.objects.get(local_government=world.neighbour_same_district, role=Role.LG_HEAD)
    _seat, code = invitations.issue_code(seat, None)
    url = reverse("activate")
    page = client.get(url, {"code": code})
    assert page.status_code == 200
    assert f'value="{code}"' in page.content.decode() and "สันผีเสื้อ" in page.content.decode()
    form = {
        "code": code,
        "first_name": "สมศักดิ์",
        "last_name": "ใจงาม",
        "position": "ปลัด",
        "email": "Somsak@Example.go.th",
        "phone": "053-111222",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post(url, form)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(username="somsak@example.go.th")
    assert client.session["_auth_user_id"] == str(user.pk)
    again = client.post(url, {**form, "email": "x@example.go.th"})
    assert again.status_code == 200 and "ถูกใช้ไปแล้ว" in again.content.decode()


def test_a_wrong_code_on_the_page_says_so_and_writes_nothing(client, world):
    response = client.get(reverse("activate"), {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 200 and "ไม่ถูกต้อง" in response.content.decode()
