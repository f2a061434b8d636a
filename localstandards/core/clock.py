"""Bangkok time: deadlines are whole days in Asia/Bangkok, whatever the server's time zone (imports no app)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

BANGKOK = ZoneInfo("Asia/Bangkok")


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a day ends in Bangkok: a deadline of 31 July means writes are accepted until 23:59:59 that day.
    The last day the calendar has (9999-12-31, a date stored before dates were bounded) ends at its last instant
    instead of overflowing."""
    if day >= dt.date.max:
        return dt.datetime.combine(dt.date.max, dt.time.max, tzinfo=BANGKOK)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=BANGKOK)


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BANGKOK)


def today_in_bangkok() -> dt.date:
    return timezone.localtime(timezone.now(), BANGKOK).date()


def days_after(day: dt.date, days: int) -> dt.date:
    """`day` + `days`, stopping at the calendar's last day instead of overflowing (dates stored before they were
    bounded can be 9999-12-31)."""
    if (dt.date.max - day).days < days:
        return dt.date.max
    return day + dt.timedelta(days=days)
