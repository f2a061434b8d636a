"""Bangkok time: deadlines are whole days in Asia/Bangkok, whatever the server's time zone (imports no app)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

BANGKOK = ZoneInfo("Asia/Bangkok")


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a day ends in Bangkok: a deadline of 31 July means writes are accepted until 23:59:59 that day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=BANGKOK)


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BANGKOK)


def today_in_bangkok() -> dt.date:
    return timezone.localtime(timezone.now(), BANGKOK).date()
