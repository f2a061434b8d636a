"""What the assessments layer tells the layers above it, after commit (DESIGN §3: imports point down only).

`status_changed` is sent once a return's status change has been committed, with `assessment_id`, `transition`
(a key of workflow.TRANSITIONS, or "reopen"), `old_status`, `new_status` and `user_id`. Scoring rebuilds the
stored results, reports publishes the permalink, notices tells the people concerned; each subscribes in its
AppConfig.ready(), so this app never imports them. Receivers run after the commit, so a rolled-back change
sends nothing; each receiver is called even when another one fails (its error is logged).
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

status_changed = Signal()


def _send(**kwargs) -> None:
    for receiver, result in status_changed.send_robust(sender="assessments", **kwargs):
        if isinstance(result, Exception):
            logger.error("status_changed receiver %r failed", receiver, exc_info=result)


def send_status_changed_on_commit(
    *, assessment_id: int, transition: str, old_status: str, new_status: str, user_id: int | None
) -> None:
    transaction.on_commit(
        partial(
            _send,
            assessment_id=assessment_id,
            transition=transition,
            old_status=old_status,
            new_status=new_status,
            user_id=user_id,
        )
    )
