"""Reminders: schedule points, once-only delivery, extensions, statuses, digest scoping, switch-off, commands."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from localstandards.assessments.models import Extension, Status
from localstandards.notices import services
from localstandards.notices.models import DigestSent, ReminderKind, ReminderSchedule, ReminderSent
from localstandards.notices.tasks import send_due_reminders

pytestmark = pytest.mark.django_db
ALL_LG_STAFF = {
    "staff@example.org",
    "head@example.org",
    "neighbour_staff@example.org",
    "other_district_staff@example.org",
    "outsider_staff@example.org",
}


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def no_digest(round_) -> None:
    """Switch the weekly digest off, so only reminders to local governments are counted."""
    ReminderSchedule.objects.update_or_create(round=round_, defaults={"weekly_digest": False})


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def run(day: dt.date) -> dict:
    """Through the task, as the worker runs it (the test backend runs it at once)."""
    result = send_due_reminders.enqueue(today=day.isoformat())
    assert result.status == "SUCCESSFUL", result.errors
    return result.return_value


def test_reminders_at_n_days_before_and_on_the_last_day(open_round, last_day, lg_people):
    no_digest(open_round)
    assert run(last_day - days(8)) == {"reminders": 0, "digests": 0}
    assert mail.outbox == []

    run(last_day - days(7))
    assert set(recipients()) == ALL_LG_STAFF  # every อปท. with people who have an address; one message each
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert "no_email_staff" not in " ".join(recipients())
    assert set(ReminderSent.objects.unscoped().values_list("kind", flat=True)) == {ReminderKind.BEFORE}

    mail.outbox.clear()
    for day in range(6, 0, -1):  # the days in between send nothing new
        run(last_day - days(day))
    assert mail.outbox == []

    run(last_day)
    assert set(recipients()) == ALL_LG_STAFF
    assert set(ReminderSent.objects.unscoped().filter(sent_on=last_day).values_list("kind", flat=True)) == {
        ReminderKind.LAST_DAY
    }
    mail.outbox.clear()
    run(last_day + days(1))
    assert mail.outbox == []


def test_days_before_is_configurable_per_round(open_round, last_day, users):
    ReminderSchedule.objects.create(round=open_round, days_before=3, weekly_digest=False)
    run(last_day - days(4))
    assert mail.outbox == []
    run(last_day - days(3))
    assert "staff@example.org" in recipients()


def test_running_twice_sends_nothing_new(open_round, last_day, users, lg_people):
    day = last_day - days(7)
    first = services.send_due(day)
    outbox = [(m.to, m.subject) for m in mail.outbox]
    second = services.send_due(day)
    run(day)
    call_command("send_reminders", "--date", day.isoformat(), stdout=StringIO())
    assert first["reminders"] == len(outbox) > 0
    assert second == {"reminders": 0, "digests": 0}
    assert [(m.to, m.subject) for m in mail.outbox] == outbox
    assert ReminderSent.objects.unscoped().count() == 4  # one per อปท. with recipients, for this schedule point


def test_a_missed_day_is_caught_up_once(open_round, last_day, users):
    no_digest(open_round)
    run(last_day - days(5))  # the sender did not run on the 7th and 6th day before
    assert "staff@example.org" in recipients()
    mail.outbox.clear()
    run(last_day - days(4))
    assert mail.outbox == []


def test_an_extension_moves_the_dates_for_that_local_government_only(open_round, last_day, returns, users, lg_people):
    extended = returns["local_government"]
    Extension.objects.create(assessment=extended, until=last_day + days(5), reason="น้ำท่วม", granted_by=users.head)
    no_digest(open_round)

    run(last_day - days(7))
    assert "staff@example.org" not in recipients()
    assert "neighbour_staff@example.org" in recipients()

    mail.outbox.clear()
    run(last_day - days(2))  # 7 days before the extended last day
    assert recipients() == ["head@example.org", "staff@example.org"]
    sent = ReminderSent.objects.unscoped().get(assessment=extended)
    assert (sent.kind, sent.due_date) == (ReminderKind.BEFORE, last_day + days(5))
    assert "ขยายเวลา" not in mail.outbox[0].body  # the text names the date, not the reason
    assert services.format_date(last_day + days(5)) in mail.outbox[0].body

    mail.outbox.clear()
    run(last_day)
    assert "staff@example.org" not in recipients()
    assert "neighbour_staff@example.org" in recipients()

    mail.outbox.clear()
    run(last_day + days(5))
    assert recipients() == ["head@example.org", "staff@example.org"]
    assert "วันสุดท้าย" in mail.outbox[0].subject


@pytest.mark.parametrize("status", [Status.AWAITING_DISTRICT, Status.AWAITING_PROVINCE, Status.ACCEPTED])
def test_submitted_and_accepted_returns_get_nothing(open_round, last_day, returns, users, status):
    type(returns["local_government"]).objects.unscoped().filter(pk=returns["local_government"].pk).update(status=status)
    no_digest(open_round)
    run(last_day)
    assert "staff@example.org" not in recipients()
    assert "outsider_staff@example.org" in recipients()


def test_returned_returns_are_reminded_up_to_the_review_deadline(open_round, last_day, returns, users):
    returned = returns["local_government"]
    type(returned).objects.unscoped().filter(pk=returned.pk).update(status=Status.RETURNED)
    review_deadline = open_round.review_deadline
    no_digest(open_round)

    run(last_day)  # not its last day: a returned return may be corrected until the review deadline
    assert "staff@example.org" not in recipients()
    mail.outbox.clear()
    run(review_deadline - days(7))
    assert recipients() == ["head@example.org", "staff@example.org"]
    assert "ส่งกลับให้แก้ไข" in mail.outbox[0].body or "แก้ไข" in mail.outbox[0].body
    mail.outbox.clear()
    run(review_deadline)
    assert recipients() == ["head@example.org", "staff@example.org"]


def test_message_is_thai_with_a_buddhist_era_date(open_round, last_day, users):
    no_digest(open_round)
    run(last_day)
    message = next(m for m in mail.outbox if m.to == ["staff@example.org"])
    assert str(last_day.year + 543) in message.body
    assert "เทศบาลตำบลหนองป่าครั่ง" in message.subject
    assert (
        f"/returns/{ReminderSent.objects.unscoped().get(assessment__local_government__dla_code='5500101').assessment_id}/"
        in (message.body)
    )


def test_digest_is_scoped_to_each_officer(open_round, last_day, users, world):
    day = last_day - days(3)
    ReminderSchedule.objects.create(round=open_round, digest_weekday=day.weekday(), days_before=1)
    counts = run(day)
    digests = {m.to[0]: m.body for m in mail.outbox}
    assert counts == {"reminders": 0, "digests": 3}
    district = digests["district_officer@example.org"]
    assert "เทศบาลตำบลหนองป่าครั่ง" in district
    assert world.neighbour_same_district.full_name_th in district
    assert world.local_government_other_district.full_name_th not in district
    assert world.outside_local_government.full_name_th not in district
    province = digests["province_officer@example.org"]
    assert world.local_government_other_district.full_name_th in province
    assert world.outside_local_government.full_name_th not in province
    outsider = digests["outsider_province_officer@example.org"]
    assert world.outside_local_government.full_name_th in outsider
    assert "เทศบาลตำบลหนองป่าครั่ง" not in outsider
    assert set(DigestSent.objects.values_list("recipient__username", "laggards")) == {
        ("district_officer", 2),
        ("province_officer", 3),
        ("outsider_province_officer", 1),
    }
    mail.outbox.clear()
    run(day)
    assert mail.outbox == []


def test_digest_leaves_out_submitted_returns_and_only_goes_on_its_weekday(open_round, last_day, returns, users, world):
    day = last_day - days(3)
    ReminderSchedule.objects.create(round=open_round, digest_weekday=(day.weekday() + 1) % 7, days_before=1)
    run(day)
    assert mail.outbox == []
    type(returns["neighbour_same_district"]).objects.unscoped().filter(pk=returns["neighbour_same_district"].pk).update(
        status=Status.AWAITING_DISTRICT
    )
    run(day + days(1))
    district = next(m.body for m in mail.outbox if m.to == ["district_officer@example.org"])
    assert world.neighbour_same_district.full_name_th not in district
    assert "เทศบาลตำบลหนองป่าครั่ง" in district


def test_a_switched_off_round_sends_nothing(open_round, last_day, users, lg_people):
    ReminderSchedule.objects.create(round=open_round, enabled=False, digest_weekday=last_day.weekday())
    for day in range(8, -1, -1):
        run(last_day - days(day))
    assert mail.outbox == []
    assert not ReminderSent.objects.unscoped().exists()


def test_last_day_reminder_can_be_switched_off_alone(open_round, last_day, users):
    ReminderSchedule.objects.create(
        round=open_round, send_on_last_day=False, weekly_digest=False, digest_weekday=last_day.weekday()
    )
    run(last_day)
    assert mail.outbox == []


def test_send_reminders_command_dry_run_and_enqueue(open_round, last_day, users):
    no_digest(open_round)
    out = StringIO()
    call_command("send_reminders", "--date", last_day.isoformat(), "--dry-run", stdout=out)
    assert "last_day" in out.getvalue() and "staff@example.org" in out.getvalue()
    assert mail.outbox == []
    assert not ReminderSent.objects.unscoped().exists()
    out = StringIO()
    call_command("send_reminders", "--date", last_day.isoformat(), "--enqueue", stdout=out)
    assert "Enqueued" in out.getvalue()
    assert "staff@example.org" in recipients()


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections between tasks
def test_the_database_backend_stores_the_task_for_the_worker(settings, open_round, last_day, users):
    """With the real backend the command only enqueues; `db_worker --batch` then runs it and the mail goes out."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    no_digest(open_round)
    call_command("send_reminders", "--date", last_day.isoformat(), "--enqueue", stdout=StringIO())
    assert mail.outbox == []
    reminders = DBTaskResult.objects.filter(task_path="localstandards.notices.tasks.send_due_reminders")
    assert reminders.get().status == "READY"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())
    assert reminders.get().status == "SUCCESSFUL"
    # The reminders were queued in the outbox; the worker's next task delivered them.
    assert DBTaskResult.objects.filter(task_path="localstandards.notices.tasks.deliver_outbox").exists()
    assert "staff@example.org" in recipients()
