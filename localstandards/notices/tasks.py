"""Background tasks (Django's tasks framework; the database backend's `db_worker` runs them)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from localstandards.notices import outbox, services


@task
def send_due_reminders(today: str | None = None) -> dict[str, int]:
    """Send the reminders and digests due on `today` (ISO date, Bangkok; default: today). Safe to run twice."""
    day = dt.date.fromisoformat(today) if today else services.today_in_bangkok()
    return services.send_due(day)


@task
def deliver_outbox() -> int:
    """Send the queued e-mails (see notices/outbox.py). Safe to run in several workers at once."""
    return outbox.deliver_pending()
