"""One test per kind of bad input the fuzz test (tests/security/test_fuzz.py) found to end in a 500: each now ends
in a clear answer and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from localstandards.accounts.models import AccessRequest
from localstandards.assessments.models import Answer, AssessmentRound
from localstandards.core.request_input import id_from, int_from, safe_next
from tests.assessments import factories

pytestmark = pytest.mark.django_db


def refused_page(response) -> bool:
    return "core/refused_input.html" in [template.name for template in response.templates]


UNICODE_DIGITS = ["²", "①", "¹²", "٣", "𝟙"]  # str.isdigit() is True for all; int() refuses the first three
TOO_BIG = [str(2**31), str(2**63), str(2**64), "9" * 400]


@pytest.mark.parametrize("text", ["abc", "", " ", "1.5", "-1", "0", "1e3", "0x10", *UNICODE_DIGITS, str(2**63)])
def test_id_from_refuses_what_is_not_a_row_id(text):
    assert id_from(text) is None


def test_id_from_reads_ascii_ids_up_to_the_largest_bigint():
    assert id_from("12") == 12 and id_from(" 7 ") == 7 and id_from(str(2**63 - 1)) == 2**63 - 1
    assert id_from(["1"]) is None and id_from(None) is None


def test_int_from_keeps_to_its_range():
    assert int_from("-5", -10, 10) == -5 and int_from("11", -10, 10) is None and int_from("๓", 0, 10) is None


@pytest.mark.parametrize(
    "value",
    [
        "evil",
        "http://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil",
        " //evil",
        "javascript:x",
        "/\x00",
        "/\t/evil.example",
    ],
)
def test_safe_next_sends_anything_but_a_path_on_this_site_to_the_default(rf, value):
    assert safe_next(rf.post("/"), value, "/home/") == "/home/"


def test_safe_next_keeps_a_path_on_this_site(rf):
    assert safe_next(rf.post("/"), "/returns/?round=1") == "/returns/?round=1"


@pytest.mark.parametrize("value", ["evil", "%", "2567", "http://evil.example/", "//evil.example"])
def test_a_bare_word_or_another_site_in_next_goes_home_after_an_unlock(users, client_for, value):
    response = client_for(users.national_admin).post(reverse("unlock", args=[users.staff.pk]), {"next": value})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_digit_switch_never_redirects_off_site(client):
    for value in ["evil", "//evil.example", "https://evil.example/"]:
        response = client.post(reverse("set-thai-digits"), {"thai_digits": "1", "next": value})
        assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("value", [*UNICODE_DIGITS, *TOO_BIG, "abc"])
def test_a_round_filter_that_is_no_id_shows_the_list(open_round, users, client_for, value):
    response = client_for(users.staff).get(reverse("assessments:list"), {"round": value})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("1", "⁰", "2567"), ("1", "1", "¹²"), ("²", "1", "2567"), ("1", "9" * 400, "2567"), ("1", "1", "9" * 400)],
)
def test_a_date_with_digits_int_cannot_read_is_refused_with_a_message(open_round, users, client_for, day, month, year):
    before = AssessmentRound.objects.values_list("opens_on", "closes_on", "review_deadline").get(pk=open_round.pk)
    response = client_for(users.national_admin).post(
        reverse("assessments:round-edit", args=[open_round.pk]),
        {"opens_on_day": day, "opens_on_month": month, "opens_on_year": year, "reason": "แก้วันที่"},
    )
    assert response.status_code == 200
    assert "วัน เดือน" in response.content.decode() or "Enter a date" in response.content.decode()
    assert (
        AssessmentRound.objects.values_list("opens_on", "closes_on", "review_deadline").get(pk=open_round.pk) == before
    )


@pytest.mark.parametrize("value", ["²", str(2**63), "abc"])
def test_an_access_request_id_that_is_no_id_is_not_found(users, client_for, value):
    response = client_for(users.national_admin).post(
        reverse("access-requests"), {"request": value, "decision": "approve"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["²", str(2**63), "abc"])
def test_a_posted_local_government_that_is_no_id_is_a_form_error(world, value):
    response = Client().post(reverse("request-access"), {"local_government": value, "role": "LG_STAFF"})
    assert response.status_code == 200 and not AccessRequest.objects.exists()


def test_a_user_name_longer_than_any_account_is_a_failed_login_not_a_500(users):
    response = Client().post(reverse("login"), {"username": "9" * 400, "password": "x"})
    assert response.status_code == 200 and "form" in response.content.decode()


def test_a_two_factor_key_that_is_not_hex_shows_a_fresh_code(users, client_for):
    response = client_for(users.national_admin).post(
        reverse("two-factor"), {"action": "enroll", "key": "zz²", "token": "123456"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "url", "data"),
    [
        ("staff", "assessments:list", {"q": "a\x00b"}),
        ("province_officer", "registry:list", {"province": "\x00"}),
        ("national_admin", "operations:people", {"q": "\x00"}),
        (None, "public:search", {"q": "ท่า\x00"}),
    ],
)
def test_a_nul_character_in_a_query_is_refused_with_a_message(open_round, users, client_for, role, url, data):
    client = client_for(users.by_name(role)) if role else Client()
    response = client.get(reverse(url), data)
    assert response.status_code == 400 and refused_page(response)


def test_a_nul_character_in_a_posted_field_is_refused_and_changes_nothing(open_round, users, client_for):
    response = client_for(users.national_admin).post(
        reverse("assessments:round-cancel", args=[open_round.pk]), {"reason": "ยกเลิก\x00"}
    )
    assert response.status_code == 400 and refused_page(response)
    assert AssessmentRound.objects.filter(pk=open_round.pk).exists()


@pytest.mark.parametrize("version", [str(2**31), str(2**63 - 1), str(2**63), "-1", "²"])
def test_an_answer_posted_with_a_version_beyond_any_row_is_refused(assessment, users, client_for, version):
    indicator = factories.indicator(assessment.framework, factories.COUNT)
    response = client_for(users.staff).post(
        reverse("assessments:area", args=[assessment.pk, "1"]),
        {f"i{indicator.pk}-count": "3", f"i{indicator.pk}-version": version},
    )
    assert response.status_code < 500 and not Answer.objects.unscoped().filter(assessment=assessment).exists()


@pytest.mark.parametrize("count", [str(2**31), "99999999999", "๒๑๔๗๔๘๓๖๔๘"])
def test_a_count_beyond_the_integer_column_is_refused_with_a_message(assessment, users, client_for, count):
    indicator = factories.indicator(assessment.framework, factories.COUNT)
    response = client_for(users.staff).post(
        reverse("assessments:area", args=[assessment.pk, "1"]),
        {f"i{indicator.pk}-count": count, f"i{indicator.pk}-version": "0"},
        follow=True,
    )
    assert response.status_code == 200 and not Answer.objects.unscoped().filter(assessment=assessment).exists()
