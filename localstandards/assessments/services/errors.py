"""Refusals of the assessment services, each with a message for the person who tried (one type per kind)."""

from __future__ import annotations

from django.utils.translation import gettext as _


class AssessmentError(Exception):
    """A refused action, with a message for the person who tried it."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class EntryClosed(AssessmentError):
    pass


class NotAllowed(AssessmentError):
    pass


class InvalidAnswer(AssessmentError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class VersionConflict(AssessmentError):
    """Someone saved this answer after the version the user edited; `current` holds their values."""

    def __init__(self, current):
        self.current = current
        who = current.updated_by.get_full_name() or current.updated_by.username if current.updated_by else "—"
        super().__init__(
            _("%(who)s saved this indicator while you were editing it. Your change was not saved.") % {"who": who}
        )
