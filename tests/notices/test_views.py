"""The reminder page of a round: national administrators only, settings form, dry-run list, what was sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from localstandards.notices import services
from localstandards.notices.models import DigestSent, ReminderSchedule
from tests.dates import be_date_fields
from tests.html import find, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["staff", "head", "district_officer", "province_officer", "committee_viewer", "no_role"]
)
def test_only_national_admins_see_the_page(open_round, users, client_for, name):
    url = reverse("notices:round", args=[open_round.pk])
    assert client_for(users.by_name(name)).get(url).status_code == 404
    assert client_for(users.by_name(name)).post(url, {"enabled": ""}).status_code == 404
    assert not ReminderSchedule.objects.exists()


def test_preview_lists_what_would_be_sent_on_a_date(open_round, users, client_for, world):
    day = open_round.closes_on
    ReminderSchedule.objects.create(round=open_round, digest_weekday=day.weekday())
    response = client_for(users.national_admin).get(
        reverse("notices:round", args=[open_round.pk]), be_date_fields("date", day)
    )
    assert response.status_code == 200
    page = response.content.decode()
    planned = text(find(page, id="planned-reminders"))
    assert "staff@example.org" in planned and "head@example.org" in planned
    assert "outsider_staff@example.org" in planned
    assert world.neighbour_same_district.full_name_th in planned  # shown, with nobody to send to
    digests = text(find(page, id="planned-digests"))
    assert "district_officer@example.org" in digests
    assert mail.outbox == []  # the preview sends nothing

    services.send_due(day)
    page = (
        client_for(users.national_admin)
        .get(reverse("notices:round", args=[open_round.pk]), be_date_fields("date", day))
        .content.decode()
    )
    planned = text(find(page, id="planned-reminders"))
    assert "staff@example.org" not in planned  # already sent
    sent = text(find(page, id="sent-reminders"))
    assert "staff@example.org" in sent and "district_officer@example.org" in sent


def test_settings_are_saved_and_switch_off_the_preview(open_round, users, client_for):
    url = reverse("notices:round", args=[open_round.pk])
    client = client_for(users.national_admin)
    response = client.post(url, {"days_before": "3", "digest_weekday": "2", "send_on_last_day": "on"})
    assert response.status_code == 302
    schedule = ReminderSchedule.objects.get(round=open_round)
    assert (schedule.enabled, schedule.days_before, schedule.weekly_digest, schedule.digest_weekday) == (
        False,
        3,
        False,
        2,
    )
    page = client.get(url, be_date_fields("date", open_round.closes_on)).content.decode()
    assert "staff@example.org" not in text(find(page, id="planned-reminders"))
    assert client.post(url, {"days_before": "0", "digest_weekday": "2"}).status_code == 200  # invalid: form again
    assert ReminderSchedule.objects.get(round=open_round).days_before == 3


def test_round_list_links_to_the_reminder_page(open_round, users, client_for):
    page = client_for(users.national_admin).get(reverse("assessments:rounds")).content.decode()
    assert reverse("notices:round", args=[open_round.pk]) in page


def test_unknown_round_is_404(users, client_for, db):
    assert client_for(users.national_admin).get(reverse("notices:round", args=[999999])).status_code == 404


def test_a_day_before_the_round_opens_sends_nothing(open_round, users):
    assert services.plan(open_round.opens_on - dt.timedelta(days=1), [open_round]).messages == 0


def test_the_sent_list_does_not_say_nothing_was_sent_when_only_digests_were(open_round, users, client_for):
    DigestSent.objects.create(
        round=open_round, recipient=users.district_officer, sent_on=open_round.closes_on, laggards=3
    )
    page = client_for(users.national_admin).get(reverse("notices:round", args=[open_round.pk])).content.decode()
    sent = text(find(page, id="sent-reminders"))
    assert "district_officer@example.org" in sent
    assert "ยังไม่มีการแจ้งเตือนที่ส่ง" not in sent and "No reminder sent yet" not in sent


def test_the_preview_day_is_typed_in_the_buddhist_era(open_round, users, client_for):
    """No browser date picker (Christian era) on the page; a Christian year is refused with a message."""
    client = client_for(users.national_admin)
    url = reverse("notices:round", args=[open_round.pk])
    page = client.get(url).content.decode()
    assert 'name="date_year"' in page and 'type="date"' not in page
    refused = client.get(url, {"date_day": "1", "date_month": "7", "date_year": "2024"}).content.decode()
    assert "ดูเหมือนเป็นปีคริสต์ศักราช" in refused
