"""Enqueue `send_due_reminders` once a day at a set hour (Asia/Bangkok); the `db_worker` process runs it.

Django's tasks framework has no scheduler, so this small loop is one. Run exactly one per deployment (two would
only enqueue twice: the sender records what it sent, so nothing is sent twice). On start, if today's hour has
already passed, it enqueues today's run at once (a restart never skips a day). Every OUTBOX_RETRY it also
enqueues a delivery of e-mails still waiting in the outbox (a mail server that was down is retried).
"""

from __future__ import annotations

import datetime as dt
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from localstandards.core.clock import BANGKOK
from localstandards.notices import outbox
from localstandards.notices.tasks import deliver_outbox, send_due_reminders

OUTBOX_RETRY = dt.timedelta(minutes=15)


def next_run(now: dt.datetime, hour: int) -> dt.datetime:
    """The next `hour`:00 in Bangkok strictly after `now`."""
    local = timezone.localtime(now, BANGKOK)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate = (local + dt.timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return candidate


class Command(BaseCommand):
    help = "Enqueue the daily reminder task at REMINDER_HOUR (Asia/Bangkok) until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hour", type=int, default=None, help="hour of the day, 0-23, Bangkok (default: REMINDER_HOUR)"
        )
        parser.add_argument("--once", action="store_true", help="enqueue today's run if due, then exit")

    def handle(self, *args, **options):
        hour = options["hour"] if options["hour"] is not None else settings.REMINDER_HOUR
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        now = timezone.now()
        if timezone.localtime(now, BANGKOK).hour >= hour:
            self.enqueue(now)
        wake = next_run(timezone.now(), hour)
        while not options["once"] and not stop.is_set():
            self.stdout.write(f"Next reminder run at {wake.isoformat()}.")
            if stop.wait(max((min(wake, timezone.now() + OUTBOX_RETRY) - timezone.now()).total_seconds(), 0)):
                break
            if timezone.now() >= wake:
                self.enqueue(timezone.now())
                wake = next_run(timezone.now(), hour)
            self.retry_outbox()
        self.stdout.write("Scheduler stopped.")

    def enqueue(self, now: dt.datetime) -> None:
        day = timezone.localtime(now, BANGKOK).date().isoformat()
        result = send_due_reminders.enqueue(today=day)
        self.stdout.write(f"Enqueued send_due_reminders({day}) as task {result.id}.", self.style.SUCCESS)

    def retry_outbox(self) -> None:
        if outbox.pending().exists():
            result = deliver_outbox.enqueue()
            self.stdout.write(f"Enqueued deliver_outbox as task {result.id}.")
