"""The outbox: e-mail is a row written in the deciding transaction and sent after commit, retried on failure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from localstandards.notices import outbox
from localstandards.notices.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def queue(*addresses: str) -> int:
    with transaction.atomic():
        return outbox.queue_email(OutgoingEmail.Kind.NOTICE, "เรื่อง", "ข้อความ", addresses)


def test_queued_mail_is_sent_after_commit_one_message_per_address():
    assert queue("a@example.org", "", "b@example.org") == 2  # a blank address is skipped
    assert sorted(tuple(sent.to) for sent in mail.outbox) == [("a@example.org",), ("b@example.org",)]
    assert OutgoingEmail.objects.filter(sent_at__isnull=False, attempts=1).count() == 2


def test_a_rolled_back_decision_leaves_no_row_and_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue_email(OutgoingEmail.Kind.NOTICE, "เรื่อง", "ข้อความ", ["a@example.org"])
        raise RuntimeError("the decision failed")
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


def test_no_mail_is_sent_inside_a_transaction(monkeypatch):
    seen = []

    def send_mail(subject, body, sender, to):
        # Only the test's own wrapping transaction may be open: never the one that queued the row.
        seen.append(all(block._from_testcase for block in connection.atomic_blocks))

    monkeypatch.setattr(outbox, "send_mail", send_mail)
    queue("a@example.org")
    assert seen == [True]


def test_a_failed_send_stays_queued_with_its_error_and_is_retried(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(outbox, "send_mail", broken)
    queue("a@example.org")
    row = OutgoingEmail.objects.get()
    assert (row.sent_at, row.attempts, row.claimed_at) == (None, 1, None)
    assert "mail server down" in row.last_error
    monkeypatch.undo()
    assert outbox.deliver_pending() == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""
    assert [sent.to for sent in mail.outbox] == [["a@example.org"]]


def test_a_row_is_given_up_after_the_last_attempt(monkeypatch):
    monkeypatch.setattr(outbox, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    queue("a@example.org")
    for _attempt in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_pending()
    assert OutgoingEmail.objects.get().attempts == outbox.MAX_ATTEMPTS
    assert not outbox.pending().exists()


def test_a_row_claimed_by_another_worker_is_not_sent_twice():
    with transaction.atomic():
        OutgoingEmail.objects.create(kind=OutgoingEmail.Kind.NOTICE, to="a@example.org", subject="s", body="b")
    OutgoingEmail.objects.update(claimed_at=timezone.now())  # another worker is sending it now
    assert outbox.deliver_pending() == 0
    assert mail.outbox == []
    # A worker that died mid-send releases the row after the claim timeout.
    OutgoingEmail.objects.update(claimed_at=timezone.now() - outbox.CLAIM_TIMEOUT - dt.timedelta(seconds=1))
    assert outbox.deliver_pending() == 1
