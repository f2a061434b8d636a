"""Login lockout (django-axes): which accounts are locked now, and who may unlock them.

An officer unlocks only accounts whose every role lies inside the officer's own scope: a district officer the
head and staff of the อปท. of their district, a provincial officer those of the province and its district
officers, a national admin anyone. Staff, heads and committee viewers unlock nobody.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.utils import timezone

from localstandards.accounts.models import Role, User
from localstandards.registry.models import District, LocalGovernment
from localstandards.registry.scoping import accessible_units

logger = logging.getLogger(__name__)

UNLOCKING_ROLES = (Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER)


def locked_usernames(usernames: Iterable[str], now: dt.datetime | None = None) -> set[str]:
    """The usernames among these whose failures reached the limit within the cool-off time."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


def may_unlock(officer: User, target: User) -> bool:
    if not (officer.is_active and (officer.is_national_admin or officer.has_role(*UNLOCKING_ROLES))):
        return False
    if officer.is_national_admin:
        return True
    scope = accessible_units(officer)
    memberships = list(target.memberships.all())
    if not memberships:
        return False
    for m in memberships:
        if m.local_government_id:
            inside = LocalGovernment.objects.filter(scope.local_government_q(), pk=m.local_government_id).exists()
        elif m.district_id:
            # A district officer is unlocked from the province above, never by a peer of the same district.
            inside = District.objects.filter(pk=m.district_id, province_id__in=scope.province_ids).exists()
        else:
            inside = False  # provincial and national roles: only a national admin
        if not inside:
            return False
    return True


def unlock(officer: User, target: User) -> int:
    """Clear the failed logins of `target` (PermissionError when `officer` may not); logged for the audit."""
    if not may_unlock(officer, target):
        raise PermissionError
    removed = reset(username=target.username)
    logger.info("unlock: %s cleared %s failed-login records of %s", officer.username, removed, target.username)
    return removed
