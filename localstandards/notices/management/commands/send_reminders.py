"""Send the reminders due today (or on --date): run here, or --enqueue for the worker, or --dry-run to list them."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from localstandards.notices import services
from localstandards.notices.tasks import send_due_reminders


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from error


class Command(BaseCommand):
    help = "Send the reminder e-mails due today (Asia/Bangkok). Each reminder is sent once, however often this runs."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to act for, YYYY-MM-DD (default: today in Bangkok)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be sent; send nothing")
        parser.add_argument(
            "--enqueue", action="store_true", help="put the task on the queue for the worker instead of running it"
        )

    def handle(self, *args, **options):
        day = iso_date(options["date"]) if options["date"] else services.today_in_bangkok()
        if options["dry_run"]:
            due = services.plan(day)
            for planned in due.reminders:
                lg = planned.assessment.local_government
                people = ", ".join(u.email for u in planned.recipients) or "(no e-mail address)"
                self.stdout.write(f"{planned.kind}\t{lg.dla_code}\t{lg.full_name_th}\t{planned.due_date}\t{people}")
            for digest in due.digests:
                self.stdout.write(f"digest\t{digest.recipient.email}\t{digest.round}\t{len(digest.laggards)}")
            self.stdout.write(f"{due.messages} e-mails would be sent for {day.isoformat()}.")
            return
        if options["enqueue"]:
            result = send_due_reminders.enqueue(today=day.isoformat())
            self.stdout.write(f"Enqueued send_due_reminders({day.isoformat()}) as task {result.id}.")
            return
        counts = send_due_reminders.call(today=day.isoformat())
        self.stdout.write(
            f"Sent {counts['reminders']} reminder and {counts['digests']} digest e-mails for {day.isoformat()}."
        )
