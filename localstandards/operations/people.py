"""A person's data under the PDPA: what the system holds about one user, exported or anonymised (docs/security.md).

Export gathers everything tied to the account: the account itself, its roles, the returns it certified, its
comments, the e-mails sent to it and the login records of its username. Anonymising keeps the official record
(who certified a return stays on the receipt, as the law on official documents requires; comments stay with the
return they are about) but removes the person: name, e-mail, phone and position are erased, the username becomes
`anonymised-<id>`, the password unusable, the account inactive and without roles; login records of the username
are deleted and the addresses of e-mails to it blanked. Both are recorded (PersonDataAction: who, when, why).
"""

from __future__ import annotations

import json

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.utils import timezone

from localstandards.accounts.models import RoleMembership, User
from localstandards.assessments.models import Assessment, Comment
from localstandards.notices.models import OutgoingEmail
from localstandards.operations.models import PersonDataAction


def _when(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def export(user: User) -> dict:
    """Everything the system holds about `user`, as plain JSON-ready data."""
    return {
        "exported_at": _when(timezone.now()),
        "account": {
            "id": user.pk,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": user.phone,
            "position": user.position,
            "active": user.is_active,
            "joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "roles": [
            {
                "role": m.role,
                "province": m.province_id,
                "district": m.district_id,
                "local_government": m.local_government_id,
            }
            for m in RoleMembership.objects.filter(user=user)
        ],
        "certified_returns": [
            {"return": a.pk, "round": a.round_id, "name": a.certifier_name, "position": a.certifier_position}
            # Unscoped: a national administrator's export of one person's data (PDPA).
            for a in Assessment.objects.unscoped().filter(certified_by=user).order_by("pk")
        ],
        "comments": [
            {"return": c.assessment_id, "indicator": c.indicator_id, "written": _when(c.created_at), "text": c.body}
            # Unscoped: a national administrator's export of one person's data (PDPA).
            for c in Comment.objects.unscoped().filter(author=user).order_by("pk")
        ],
        "emails": [
            {"subject": e.subject, "queued": _when(e.created_at), "sent": _when(e.sent_at)}
            for e in OutgoingEmail.objects.filter(to__iexact=user.email).order_by("pk")
        ]
        if user.email
        else [],
        "logins": [
            {"when": _when(log.attempt_time), "address": log.ip_address, "browser": log.user_agent}
            for log in AccessLog.objects.filter(username=user.username).order_by("attempt_time")
        ],
        "failed_logins": [
            {"when": _when(log.attempt_time), "address": log.ip_address}
            for log in AccessFailureLog.objects.filter(username=user.username).order_by("attempt_time")
        ],
    }


def export_json(user: User, by: User, reason: str) -> str:
    """The export as a JSON document, recorded with who asked and why."""
    PersonDataAction.objects.create(person=user, kind=PersonDataAction.Kind.EXPORT, reason=reason[:500], done_by=by)
    return json.dumps(export(user), ensure_ascii=False, indent=1)


@transaction.atomic
def anonymise(user: User, by: User, reason: str) -> User:
    """Remove the person from the account and its traces; keep the official records it is part of."""
    username, email = user.username, user.email
    AccessAttempt.objects.filter(username=username).delete()
    AccessLog.objects.filter(username=username).delete()
    AccessFailureLog.objects.filter(username=username).delete()
    if email:
        OutgoingEmail.objects.filter(to__iexact=email).update(to="")
    RoleMembership.objects.filter(user=user).delete()
    user.username = f"anonymised-{user.pk}"
    user.first_name = user.last_name = user.email = user.phone = user.position = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    PersonDataAction.objects.create(person=user, kind=PersonDataAction.Kind.ANONYMISE, reason=reason[:500], done_by=by)
    return user
