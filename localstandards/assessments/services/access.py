"""Who may write to a return, and when: the one check every write path (pages, HTMX, evidence, submit, API) calls."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments.models import (
    Assessment,
)
from localstandards.assessments.permissions import Action, may
from localstandards.assessments.services.entries import indicator_is_editable
from localstandards.assessments.services.errors import EntryClosed, NotAllowed
from localstandards.assessments.services.rounds import entry_window
from localstandards.core.thaidate import format_date


def check_can_write(assessment: Assessment, user, indicator_id: int | None = None, now=None) -> None:
    """Raise unless `user` may change this return (or this indicator of it) right now."""
    if not may(user, Action.ENTER_DATA, assessment):
        raise NotAllowed(_("Only the staff of this local government can enter its data."))
    window = entry_window(assessment, now)
    if window.state == "not_open":
        raise EntryClosed(_("Data entry opens on %(day)s.") % {"day": format_date(assessment.round.opens_on)})
    if window.state == "closed":
        raise EntryClosed(
            _("The round closed on %(day)s; data can no longer be changed.")
            % {"day": format_date(timezone.localtime(window.deadline) - dt.timedelta(seconds=1))}
        )
    if not assessment.is_awaiting_submission:
        raise EntryClosed(_("This return has been submitted and is read-only."))
    if indicator_id is not None and not indicator_is_editable(assessment, indicator_id):
        raise EntryClosed(_("This indicator was not returned for correction; it is read-only."))
