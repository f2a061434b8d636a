"""A person's data (PDPA): a national admin exports what the system holds about a person, or anonymises it."""

from __future__ import annotations

import json

import pytest
from axes.models import AccessLog
from django.urls import reverse

from localstandards.accounts.models import RoleMembership, User
from localstandards.assessments import services
from localstandards.assessments.models import Assessment
from localstandards.operations.models import PersonDataAction

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_account_its_roles_certifications_and_comments(submitted, users, client_for):
    services.add_comment(submitted, users.district_officer, None, "ขอภาพถ่ายเพิ่ม")
    client = client_for(users.national_admin)
    url = reverse("operations:person-export", args=[users.head.pk])
    assert client.post(url, {"reason": ""}).status_code == 302  # a reason is required
    data = json.loads(client.post(url, {"reason": "คำขอลงวันที่ 1 ธ.ค. 2569"}).content)
    assert data["account"]["username"] == users.head.username
    assert [r["role"] for r in data["roles"]] == ["LG_HEAD"]
    assert [c["return"] for c in data["certified_returns"]] == [submitted.pk]
    officer = json.loads(
        client.post(reverse("operations:person-export", args=[users.district_officer.pk]), {"reason": "คำขอ"}).content
    )
    assert [c["text"] for c in officer["comments"]] == ["ขอภาพถ่ายเพิ่ม"]
    assert PersonDataAction.objects.filter(person=users.head, kind="export", done_by=users.national_admin).exists()


def test_anonymising_removes_the_person_and_keeps_the_official_record(submitted, users, client_for):
    head = users.head
    head.phone, head.position = "081-234-5678", "นายก"
    head.save()
    AccessLog.objects.create(username=head.username, ip_address="203.0.113.9", user_agent="x")
    client = client_for(users.national_admin)
    url = reverse("operations:person-anonymise", args=[head.pk])
    client.post(url, {"reason": "ขอลบข้อมูล"})  # without the confirmation: nothing happens
    assert User.objects.get(pk=head.pk).phone == "081-234-5678"
    client.post(url, {"reason": "ขอลบข้อมูล", "confirm": "1"})
    person = User.objects.get(pk=head.pk)
    assert person.username == f"anonymised-{head.pk}"
    assert (person.first_name, person.last_name, person.email, person.phone, person.position) == ("",) * 5
    assert not person.is_active and not person.has_usable_password()
    assert not RoleMembership.objects.filter(user=person).exists()
    assert not AccessLog.objects.filter(username=head.username).exists()
    certified = Assessment.objects.unscoped().get(pk=submitted.pk)
    assert certified.certified_by_id == head.pk and certified.certifier_name  # the official record stays
    action = PersonDataAction.objects.get(person=person, kind="anonymise")
    assert (action.done_by, action.reason) == (users.national_admin, "ขอลบข้อมูล")


def test_only_national_admins_reach_a_persons_data(users, client_for):
    for user in (users.province_officer, users.committee_viewer, users.staff):
        client = client_for(user)
        assert client.get(reverse("operations:people")).status_code == 404
        assert (
            client.post(
                reverse("operations:person-anonymise", args=[users.staff.pk]), {"reason": "x", "confirm": "1"}
            ).status_code
            == 404
        )
    assert User.objects.get(pk=users.staff.pk).is_active
    page = client_for(users.national_admin).get(reverse("operations:people"), {"q": users.staff.username})
    assert users.staff in page.context["found"]
