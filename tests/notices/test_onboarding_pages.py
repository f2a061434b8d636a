"""The onboarding pages: who may provision and print letters, the account list and its XLSX, and the commands."""

from __future__ import annotations

import io

import openpyxl
import pypdfium2
import pytest
from django.core.management import call_command
from django.urls import reverse

from localstandards.accounts.models import Invitation

pytestmark = pytest.mark.django_db


def unit_url(round_, level="province", code="50") -> str:
    return reverse("notices:onboarding-unit", args=[round_.pk, level, code])


def test_a_provincial_officer_provisions_their_province(open_round, world, users, client_for):
    client = client_for(users.province_officer)
    response = client.post(unit_url(open_round), {"action": "provision"})
    assert response.status_code == 302
    # 3 อปท. in Chiang Mai × 2 seats, 2 of them held by users.head and users.staff.
    assert Invitation.objects.count() == 4
    client.post(unit_url(open_round), {"action": "provision"})
    assert Invitation.objects.count() == 4


@pytest.mark.parametrize("who", ["outsider_province_officer", "district_officer", "staff", "committee_viewer"])
def test_others_cannot_provision_a_province(open_round, world, users, client_for, who):
    response = client_for(getattr(users, who)).post(unit_url(open_round), {"action": "provision"})
    assert response.status_code == 404
    assert Invitation.objects.count() == 0


def test_a_district_officer_prints_their_districts_letters_only(open_round, world, users, client_for):
    client = client_for(users.district_officer)
    letters = reverse("notices:onboarding-letters", args=[open_round.pk, "district", "5001"])
    assert client.get(letters).status_code == 405  # printing issues codes: never on a GET
    response = client.post(letters)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert len(pypdfium2.PdfDocument(pdf)) == 2  # the two อปท. of เมืองเชียงใหม่
    other = reverse("notices:onboarding-letters", args=[open_round.pk, "district", "5002"])
    assert client.post(other).status_code == 404
    assert client.post(reverse("notices:onboarding-letters", args=[open_round.pk, "province", "50"])).status_code == 404


def test_the_account_list_shows_who_never_logged_in_with_contacts(open_round, world, users, client_for):
    users.staff.phone = "053-000111"
    users.staff.save()
    client = client_for(users.district_officer)
    page = client.get(unit_url(open_round, "district", "5001"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "053-000111" in text and "ไม่เคยเข้าสู่ระบบ" in text
    download = client.get(unit_url(open_round, "district", "5001"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
    lg1 = [r for r in rows if r[2] == world.local_government.dla_code]
    assert {(r[4], r[7], r[10]) for r in lg1} == {
        ("บัญชีใช้งานแล้ว", users.staff.email, "มี"),
        ("บัญชีใช้งานแล้ว", users.head.email, "มี"),
    }
    neighbour = [r for r in rows if r[2] == world.neighbour_same_district.dla_code]
    assert [r[4] for r in neighbour] == ["ยังไม่มีบัญชี", "ยังไม่มีบัญชี"]
    assert world.outside_local_government.dla_code not in {r[2] for r in rows}


def test_the_commands_provision_and_write_letters(open_round, world, tmp_path):
    call_command("provision_accounts", open_round.pk, "--province", "90")
    assert Invitation.objects.filter(local_government=world.outside_local_government).count() == 1  # staff is held
    out = tmp_path / "letters.pdf"
    call_command("activation_letters", open_round.pk, "--province", "50", "--out", str(out))
    assert len(pypdfium2.PdfDocument(out.read_bytes())) == 3


def test_the_province_page_offers_the_letters_to_who_manages_it(open_round, world, users, client_for):
    url = reverse("registry:province", args=["50"])
    letters = reverse("notices:onboarding-letters", args=[open_round.pk, "province", "50"])
    assert letters in client_for(users.province_officer).get(url).content.decode()
    assert letters in client_for(users.national_admin).get(url).content.decode()
    assert letters not in client_for(users.district_officer).get(url).content.decode()


def test_one_letter_printed_again_replaces_only_that_local_governments_codes(open_round, world, users, client_for):
    client = client_for(users.province_officer)
    letters = reverse("notices:onboarding-letters", args=[open_round.pk, "province", "50"])
    assert client.post(letters).status_code == 200
    before = set(Invitation.objects.live().values_list("pk", flat=True))
    response = client.post(letters, {"local_government": world.neighbour_same_district.pk})
    assert len(pypdfium2.PdfDocument(b"".join(response.streaming_content))) == 1
    after = set(Invitation.objects.live().values_list("pk", flat=True))
    replaced = before - after
    assert {Invitation.objects.get(pk=pk).local_government for pk in replaced} == {world.neighbour_same_district}
    assert len(replaced) == 2
    outside = client.post(letters, {"local_government": world.outside_local_government.pk})
    assert outside.status_code == 404


def test_a_national_admin_provisions_every_province_at_once(open_round, world, users, client_for):
    url = reverse("notices:onboarding", args=[open_round.pk])
    assert client_for(users.province_officer).post(url, {"action": "provision"}).status_code == 404
    assert Invitation.objects.count() == 0
    assert client_for(users.national_admin).post(url, {"action": "provision"}).status_code == 302
    assert Invitation.objects.count() == 5  # 4 อปท. × 2 seats, 3 of them held
