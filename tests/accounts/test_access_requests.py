"""Self-service access requests: search, ask, and a decision only by the head or an officer above, with an e-mail
to the requester either way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from localstandards.accounts import access_requests
from localstandards.accounts.invitations import Person
from localstandards.accounts.models import AccessRequest, Role, User
from localstandards.notices.models import OutgoingEmail

pytestmark = pytest.mark.django_db

PASSWORD = "Lampang-2567-horse"


def ask(lg, role=Role.LG_STAFF, email="nid@example.go.th") -> AccessRequest:
    return access_requests.submit(lg, role, Person("นิด", "ดีงาม", "นักวิเคราะห์", email, "081-0000000", PASSWORD))


def test_the_public_page_finds_by_name_or_dla_code_and_records_the_request(client, world):
    by_name = client.get(reverse("request-access"), {"q": "สันผีเสื้อ"})
    assert by_name.status_code == 200 and world.neighbour_same_district.full_name_th in by_name.content.decode()
    by_code = client.get(reverse("request-access"), {"q": "65002"})
    text = by_code.content.decode()
    assert world.local_government_other_district.full_name_th in text
    assert world.neighbour_same_district.full_name_th not in text
    response = client.post(
        reverse("request-access"),
        {
            "local_government": world.neighbour_same_district.pk,
            "role": Role.LG_HEAD,
            "first_name": "นิด",
            "last_name": "ดีงาม",
            "position": "ปลัด",
            "email": "Nid@Example.go.th",
            "phone": "081-0000000",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200 and "ส่งคำขอแล้ว" in response.content.decode()
    request = AccessRequest.objects.get()
    assert (request.local_government, request.role, request.email) == (
        world.neighbour_same_district,
        Role.LG_HEAD,
        "nid@example.go.th",
    )
    assert request.password.startswith(("argon2", "md5", "pbkdf2")) and PASSWORD not in request.password


@pytest.mark.parametrize(
    ("decider", "allowed"),
    [
        ("head", True),
        ("district_officer", True),
        ("province_officer", True),
        ("national_admin", True),
        ("staff", False),
        ("outsider_province_officer", False),
        ("committee_viewer", False),
    ],
)
def test_approval_respects_scope(world, users, decider, allowed):
    request = ask(world.local_government)
    if allowed:
        account = access_requests.approve(getattr(users, decider), request.pk)
        assert account.username == "nid@example.go.th" and account.check_password(PASSWORD)
        assert [(m.role, m.local_government) for m in account.memberships.all()] == [
            (Role.LG_STAFF, world.local_government)
        ]
    else:
        with pytest.raises(access_requests.AccessRequestError):
            access_requests.approve(getattr(users, decider), request.pk)
        assert not User.objects.filter(username="nid@example.go.th").exists()
        request.refresh_from_db()
        assert request.status == AccessRequest.Status.PENDING


def test_a_head_decides_only_for_their_own_local_government(world, users):
    request = ask(world.neighbour_same_district)
    with pytest.raises(access_requests.AccessRequestError):
        access_requests.refuse(users.head, request.pk, "ไม่รู้จัก")
    assert access_requests.decidable(users.head).count() == 0
    assert list(access_requests.decidable(users.district_officer)) == [request]


def test_the_requester_gets_an_e_mail_either_way(world, users, client_for):
    approved = ask(world.local_government, email="a@example.go.th")
    refused = ask(world.local_government, email="b@example.go.th")
    client = client_for(users.district_officer)
    page = client.get(reverse("access-requests"))
    assert "a@example.go.th" in page.content.decode() and "b@example.go.th" in page.content.decode()
    client.post(reverse("access-requests"), {"request": approved.pk, "decision": "approve"})
    client.post(reverse("access-requests"), {"request": refused.pk, "decision": "refuse", "reason": "ไม่ใช่เจ้าหน้าที่"})
    mails = {m.to: m for m in OutgoingEmail.objects.filter(to__in=["a@example.go.th", "b@example.go.th"])}
    assert set(mails) == {"a@example.go.th", "b@example.go.th"}
    assert mails["a@example.go.th"].subject == "อนุมัติสิทธิ์เข้าใช้งานของ เทศบาลตำบลหนองป่าครั่ง แล้ว"
    assert "ไม่ได้รับอนุมัติ" in mails["b@example.go.th"].subject and "ไม่ใช่เจ้าหน้าที่" in mails["b@example.go.th"].body
    # Decided once: a second approval changes nothing and sends nothing.
    sent = OutgoingEmail.objects.count()
    client.post(reverse("access-requests"), {"request": approved.pk, "decision": "approve"})
    assert OutgoingEmail.objects.count() == sent


def test_the_decision_page_is_404_for_people_who_decide_nothing(users, client_for):
    assert client_for(users.staff).get(reverse("access-requests")).status_code == 404
    assert client_for(users.committee_viewer).get(reverse("access-requests")).status_code == 404


def test_the_people_who_may_decide_are_told_of_a_new_request(world, users):
    ask(world.local_government)
    to = sorted(OutgoingEmail.objects.values_list("to", flat=True))
    assert to == sorted([users.head.email, users.district_officer.email, users.province_officer.email])
    assert OutgoingEmail.objects.first().subject == "คำขอสิทธิ์เข้าใช้งาน เทศบาลตำบลหนองป่าครั่ง"
