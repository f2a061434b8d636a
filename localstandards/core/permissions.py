"""The one gate of the pages only national administrators use (rounds, frameworks' drafts and imports, reminders,
fiscal data, a person's data): signed in, and a national administrator, or the page does not exist (404).

What a user may do to one return lives with the returns (assessments.workflow and assessments.services.access);
this module is the national-admin rule every app shares, so the rule is written once. It sits in core (it reads
the user's `is_national_admin`, imports no app) so that every layer may use it.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def require_national_admin(user) -> None:
    """Raise Http404 unless `user` is an active national administrator (or a superuser)."""
    if not getattr(user, "is_national_admin", False):
        raise Http404


def national_admin_required(view):
    """A view for national administrators only: a login first, then a 404 for everyone else."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        require_national_admin(request.user)
        return view(request, *args, **kwargs)

    return wrapper
