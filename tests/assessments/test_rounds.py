"""Opening, re-dating and cancelling a round (national administrators), with dates entered in the Buddhist era:
an administrator who types 2568 must get 2568, a Christian year is refused, and nothing opens before the
summary of what it will do has been shown and confirmed (issue 16)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from localstandards.assessments import services
from localstandards.assessments.models import Answer, Assessment, AssessmentRound
from localstandards.registry.models import LocalGovernment
from tests.assessments import factories
from tests.assessments.factories import RATIO
from tests.dates import be_date_fields
from tests.html import find, find_all, text

pytestmark = pytest.mark.django_db


def _fiscal_year(day: dt.date) -> int:
    """The Thai fiscal year (B.E.) a day falls in: October starts the next one."""
    return day.year + 543 + (1 if day.month >= 10 else 0)


def _fingerprint(response) -> str:
    match = re.search(r'name="confirm" value="([0-9a-f]+)"', response.content.decode())
    assert match, "no summary to confirm"
    return match.group(1)


def _summary(response) -> str:
    return text(find(response.content, id="round-summary"))


def _has_summary(response) -> bool:
    return bool(find_all(response.content, id="round-summary"))


def _form(framework, opens: dt.date, closes: dt.date, review: dt.date, **extra) -> dict:
    return {
        "name": "รอบทดสอบวันที่",
        "fiscal_year": str(_fiscal_year(opens)),
        "framework": str(framework.pk),
        **be_date_fields("opens_on", opens),
        **be_date_fields("closes_on", closes),
        **be_date_fields("review_deadline", review),
        "district_review": "on",
        "province_review": "on",
        **extra,
    }


@pytest.fixture
def window():
    today = timezone.localdate()
    return today, today + dt.timedelta(days=30), today + dt.timedelta(days=60)


def test_the_dates_are_typed_as_day_month_and_buddhist_year(users, client_for):
    body = client_for(users.national_admin).get(reverse("assessments:round-new")).content.decode()
    for name in ("opens_on", "closes_on", "review_deadline"):
        assert f'name="{name}_day"' in body and f'name="{name}_month"' in body and f'name="{name}_year"' in body
    assert 'type="date"' not in body  # the browser's Christian-era picker is gone
    assert "มิถุนายน" in body  # months by their Thai names


def test_the_first_press_shows_a_summary_and_opens_nothing(world, framework, users, client_for, window):
    response = client_for(users.national_admin).post(reverse("assessments:round-new"), _form(framework, *window))
    assert response.status_code == 200
    assert not AssessmentRound.objects.filter(name="รอบทดสอบวันที่").exists()
    summary = _summary(response)
    expected = LocalGovernment.objects.active().count()
    assert f"{expected}" in summary.replace(",", "")
    assert "31 วัน" in summary  # the window in words: opening day to last day, both counted


def test_confirming_the_summary_opens_the_round_in_the_year_typed(world, framework, users, client_for, window):
    client = client_for(users.national_admin)
    first = client.post(reverse("assessments:round-new"), _form(framework, *window))
    fingerprint = _fingerprint(first)
    response = client.post(reverse("assessments:round-new"), _form(framework, *window, confirm=fingerprint))
    assert response.status_code == 302
    opened = AssessmentRound.objects.get(name="รอบทดสอบวันที่")
    assert (opened.opens_on, opened.closes_on, opened.review_deadline) == window
    assert opened.assessments.count() == LocalGovernment.objects.active().count()
    assert opened.history.get().history_user == users.national_admin


def test_values_changed_after_the_summary_need_a_new_summary(world, framework, users, client_for, window):
    client = client_for(users.national_admin)
    first = client.post(reverse("assessments:round-new"), _form(framework, *window))
    fingerprint = _fingerprint(first)
    opens, closes, review = window
    later = _form(framework, opens, closes + dt.timedelta(days=5), review, confirm=fingerprint)
    response = client.post(reverse("assessments:round-new"), later)
    assert response.status_code == 200
    assert not AssessmentRound.objects.filter(name="รอบทดสอบวันที่").exists()
    assert "36 วัน" in _summary(response)


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2025", "ดูเหมือนเป็นปีคริสต์ศักราช"),  # a Christian year in the B.E. field
        ("3111", "ระหว่าง"),  # what 2568 typed into a C.E. picker became
        ("25x8", "วัน เดือน และปี"),
    ],
)
def test_a_year_that_is_not_buddhist_era_is_refused(world, framework, users, client_for, window, year, message):
    data = _form(framework, *window)
    data["opens_on_year"] = year
    response = client_for(users.national_admin).post(reverse("assessments:round-new"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AssessmentRound.objects.exists()


def test_a_day_that_does_not_exist_is_refused(world, framework, users, client_for, window):
    data = _form(framework, *window)
    data.update(opens_on_day="31", opens_on_month="2")
    response = client_for(users.national_admin).post(reverse("assessments:round-new"), data)
    assert "ไม่มีวันที่" in response.content.decode()
    assert not AssessmentRound.objects.exists()


def test_thai_digits_are_read(world, framework, users, client_for, window):
    opens = window[0]
    data = _form(framework, *window)
    data["opens_on_year"] = str(opens.year + 543).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    response = client_for(users.national_admin).post(reverse("assessments:round-new"), data)
    assert _has_summary(response)


def test_a_window_far_from_the_fiscal_year_needs_a_tick(world, framework, users, client_for, window):
    data = _form(framework, *window)
    data["fiscal_year"] = str(int(data["fiscal_year"]) + 3)
    response = client_for(users.national_admin).post(reverse("assessments:round-new"), data)
    assert not _has_summary(response)
    body = response.content.decode()
    assert 'id="id_dates_confirmed"' in body and "ห่างจากปีงบประมาณ" in body
    data["dates_confirmed"] = "on"
    response = client_for(users.national_admin).post(reverse("assessments:round-new"), data)
    assert _has_summary(response)


def test_an_opening_day_years_away_is_refused_outright(world, framework, users, client_for):
    today = timezone.localdate()
    far = today.replace(year=today.year + 3)
    data = _form(framework, far, far + dt.timedelta(days=10), far + dt.timedelta(days=20), dates_confirmed="on")
    response = client_for(users.national_admin).post(reverse("assessments:round-new"), data)
    assert "เกินสองปี" in response.content.decode()
    assert not _has_summary(response)
    assert not AssessmentRound.objects.exists()


def _round_of_2567(framework):
    """A round of FY 2567 (June to August 2024), more than two years back, as the demo command opens it."""
    return services.open_round(
        framework=framework,
        name="รอบย้อนหลัง",
        fiscal_year=2567,
        opens_on=dt.date(2024, 6, 4),
        closes_on=dt.date(2024, 7, 31),
        review_deadline=dt.date(2024, 8, 31),
    )


def test_a_past_round_can_still_be_loaded_by_a_command(world, framework):
    """The demo and the generator open rounds years back; only what is typed on the page is checked."""
    assert _round_of_2567(framework).assessments.exists()


def test_an_old_round_keeps_its_opening_day_when_its_deadline_moves(world, framework, users):
    old = _round_of_2567(framework)
    services.change_round_dates(
        old,
        opens_on=old.opens_on,
        closes_on=dt.date(2024, 8, 15),
        review_deadline=old.review_deadline,
        reason="ขยายให้ทุกแห่ง",
        user=users.national_admin,
    )
    assert AssessmentRound.objects.get(pk=old.pk).closes_on == dt.date(2024, 8, 15)


def test_the_fiscal_year_runs_from_october_to_september():
    assert services.fiscal_year_bounds(2568) == (dt.date(2024, 10, 1), dt.date(2025, 9, 30))


# ---------------------------------------------------------------- changing the dates, cancelling


def _new_dates(opens: dt.date, closes: dt.date, review: dt.date, reason: str) -> dict:
    """What the round's date form posts."""
    return {
        **be_date_fields("opens_on", opens),
        **be_date_fields("closes_on", closes),
        **be_date_fields("review_deadline", review),
        "reason": reason,
    }


def test_an_administrator_moves_the_dates_with_a_reason_kept(open_round, users, client_for):
    new_close = open_round.closes_on + dt.timedelta(days=7)
    data = _new_dates(
        open_round.opens_on, new_close, open_round.review_deadline + dt.timedelta(days=7), "น้ำท่วมหลายจังหวัด"
    )
    response = client_for(users.national_admin).post(reverse("assessments:round-edit", args=[open_round.pk]), data)
    assert response.status_code == 302
    open_round.refresh_from_db()
    assert open_round.closes_on == new_close
    latest = open_round.history.order_by("-history_date").first()
    assert (latest.history_change_reason, latest.history_user) == ("น้ำท่วมหลายจังหวัด", users.national_admin)
    page = client_for(users.national_admin).get(reverse("assessments:round-edit", args=[open_round.pk]))
    assert "น้ำท่วมหลายจังหวัด" in page.content.decode()


def test_dates_out_of_order_change_nothing(open_round, users, client_for):
    before = open_round.closes_on
    data = _new_dates(
        open_round.opens_on, open_round.opens_on - dt.timedelta(days=1), open_round.review_deadline, "ลองผิด"
    )
    response = client_for(users.national_admin).post(reverse("assessments:round-edit", args=[open_round.pk]), data)
    assert response.status_code == 200
    open_round.refresh_from_db()
    assert open_round.closes_on == before


def test_a_round_opened_by_mistake_is_cancelled_with_its_empty_returns(open_round, users, client_for):
    pk = open_round.pk
    response = client_for(users.national_admin).post(
        reverse("assessments:round-cancel", args=[pk]), {"reason": "เปิดผิดปี"}
    )
    assert response.status_code == 302
    assert not AssessmentRound.objects.filter(pk=pk).exists()
    assert not Assessment.objects.unscoped().filter(round_id=pk).exists()
    removal = AssessmentRound.history.get(id=pk, history_type="-")
    assert (removal.history_change_reason, removal.history_user) == ("เปิดผิดปี", users.national_admin)


def test_a_round_with_data_cannot_be_cancelled(assessment, users, client_for):
    factories.answer(assessment, RATIO, users.staff, base=10, delivered=8)
    client = client_for(users.national_admin)
    page = client.get(reverse("assessments:round-edit", args=[assessment.round_id]))
    assert "/cancel/" not in page.content.decode()
    response = client.post(reverse("assessments:round-cancel", args=[assessment.round_id]), {"reason": "ลบ"})
    assert response.status_code == 302
    assert AssessmentRound.objects.filter(pk=assessment.round_id).exists()
    assert Answer.objects.unscoped().filter(assessment=assessment).exists()


@pytest.mark.parametrize("role", ["province_officer", "district_officer", "staff", "committee_viewer"])
def test_only_national_administrators_change_or_cancel_rounds(open_round, users, client_for, role):
    client = client_for(getattr(users, role))
    assert client.get(reverse("assessments:round-edit", args=[open_round.pk])).status_code == 404
    assert client.post(reverse("assessments:round-cancel", args=[open_round.pk]), {"reason": "x"}).status_code == 404
    assert AssessmentRound.objects.filter(pk=open_round.pk).exists()
