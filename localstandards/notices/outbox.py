"""The one way e-mail leaves the system: queue rows inside the deciding transaction, deliver them after commit.

`queue_email` writes one `OutgoingEmail` row per address and, once the transaction commits, enqueues the
`deliver_outbox` task. `deliver_pending` claims each row with a conditional UPDATE (so two workers never send the
same row), sends it outside any transaction, and records the result; a failed row is tried again on the next run
until MAX_ATTEMPTS. No SMTP call happens inside a transaction or in the request thread (with the database task
backend; the immediate backend used in tests runs the task in-process, after commit).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from localstandards.notices.models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = dt.timedelta(minutes=10)  # a worker that died mid-send releases its rows after this long


def queue_email(kind: str, subject: str, body: str, addresses: Iterable[str]) -> int:
    """Queue one message per address (blank addresses skipped); delivery starts after the transaction commits."""
    rows = [OutgoingEmail(kind=kind, to=address, subject=subject[:300], body=body) for address in addresses if address]
    if not rows:
        return 0
    OutgoingEmail.objects.bulk_create(rows)
    transaction.on_commit(_enqueue_delivery, robust=True)
    return len(rows)


def _enqueue_delivery() -> None:
    from localstandards.notices.tasks import deliver_outbox  # the task module imports this one

    deliver_outbox.enqueue()


def pending(now: dt.datetime | None = None):
    now = now or timezone.now()
    return OutgoingEmail.objects.filter(sent_at=None, attempts__lt=MAX_ATTEMPTS).filter(
        Q(claimed_at=None) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    )


def deliver_pending(limit: int = 500) -> int:
    """Send what is waiting (oldest first); returns how many were sent."""
    sent = 0
    for pk in list(pending().order_by("created_at", "pk").values_list("pk", flat=True)[:limit]):
        now = timezone.now()
        if not pending(now).filter(pk=pk).update(claimed_at=now):
            continue  # another worker has it
        row = OutgoingEmail.objects.get(pk=pk)
        try:
            send_mail(row.subject, row.body, None, [row.to])
        except Exception as error:  # a mail server outage must not lose the message: it stays queued
            logger.exception("could not send e-mail %s to %s", row.pk, row.to)
            OutgoingEmail.objects.filter(pk=pk).update(
                attempts=row.attempts + 1, claimed_at=None, last_error=f"{type(error).__name__}: {error}"[:2000]
            )
            continue
        OutgoingEmail.objects.filter(pk=pk).update(sent_at=timezone.now(), attempts=row.attempts + 1, last_error="")
        sent += 1
    return sent
