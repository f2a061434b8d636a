"""Invitations: provisioning the seats of local governments in bulk, issuing activation codes, and activation.

A code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), printed in groups of four:
32^12 = 2^60 possibilities, so it cannot be guessed, and only its SHA-256 is stored. The plain code exists only
in the return value of `issue_code` (the activation letter prints it): a letter made again re-issues the codes,
and the codes of the earlier letter stop working.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.accounts.models import Invitation, Role, RoleMembership, User
from localstandards.accounts.services import grant_role

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # 31 characters; no 0/O, 1/I/L
CODE_LENGTH = 12


class InvitationError(Exception):
    """A refusal with a message for the person (Thai through the catalogue, English msgid)."""


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(code: str) -> str:
    """What the person typed, without spaces or dashes and in capitals (as the code was issued)."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def code_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.INVITATION_CODE_DAYS)


# ---------------------------------------------------------------- provisioning


@dataclass
class ProvisionResult:
    created: int = 0
    already_active: int = 0  # an active account already holds the role
    already_invited: int = 0  # a live invitation already exists


def filled_seats(local_government_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(local government id, role) of the head and staff seats held by an active account."""
    return set(
        RoleMembership.objects.filter(
            local_government_id__in=list(local_government_ids), role__in=Invitation.ROLES, user__is_active=True
        ).values_list("local_government_id", "role")
    )


def provision(local_government_ids: Iterable[int], round_id: int | None, by: User | None) -> ProvisionResult:
    """One live invitation for the head and one for the staff of each local government whose seat is neither held
    by an active account nor already invited. Idempotent: a second run creates nothing."""
    ids = sorted(set(local_government_ids))
    result = ProvisionResult()
    filled = filled_seats(ids)
    invited = set(
        Invitation.objects.live().filter(local_government_id__in=ids).values_list("local_government_id", "role")
    )
    new = []
    for lg_id in ids:
        for role in Invitation.ROLES:
            if (lg_id, role) in filled:
                result.already_active += 1
            elif (lg_id, role) in invited:
                result.already_invited += 1
            else:
                new.append(Invitation(round_id=round_id, local_government_id=lg_id, role=role, created_by=by))
    with transaction.atomic():
        # ignore_conflicts: a provisioning running at the same time has made the same seat (one live seat each).
        Invitation.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    result.created = len(new)
    return result


# ---------------------------------------------------------------- codes


def issue_code(invitation: Invitation, by: User | None, now: dt.datetime | None = None) -> tuple[Invitation, str]:
    """A fresh code for the seat. A seat without a code gets one; a seat that had one is re-issued: the old row is
    invalidated (by whom, when) and a new row replaces it, so the old code stops working. Returns the live row and
    the plain code (the only time it exists)."""
    now = now or timezone.now()
    code = new_code()
    fields = {"code_hash": hash_code(code), "issued_at": now, "issued_by": by, "expires_at": now + code_lifetime()}
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.used_at or current.invalidated_at:
            raise InvitationError(_("This invitation is no longer open."))
        if not current.code_hash:
            for name, value in fields.items():
                setattr(current, name, value)
            current.save(update_fields=[*fields])
            return current, code
        current.invalidated_at = now
        current.invalidated_by = by
        current.save(update_fields=["invalidated_at", "invalidated_by"])
        replacement = Invitation.objects.create(
            round_id=current.round_id,
            local_government_id=current.local_government_id,
            role=current.role,
            replaces=current,
            created_by=by,
            **fields,
        )
    return replacement, code


def issue_codes(local_government_ids: Iterable[int], by: User | None, round_id: int | None = None) -> dict:
    """Codes for the open seats of these local governments, for a letter: {(lg id, role): plain code}. A seat held by
    an active account gets no code; a seat never provisioned is provisioned first."""
    ids = list(local_government_ids)
    provision(ids, round_id, by)
    codes = {}
    for invitation in Invitation.objects.live().filter(local_government_id__in=ids).order_by("pk"):
        _live, code = issue_code(invitation, by)
        codes[(invitation.local_government_id, invitation.role)] = code
    return codes


def reissue(invitation: Invitation, by: User) -> str:
    return issue_code(invitation, by)[1]


# ---------------------------------------------------------------- activation


def find_usable(code: str, now: dt.datetime | None = None) -> Invitation:
    """The invitation a code opens, or InvitationError saying why not."""
    now = now or timezone.now()
    if len(normalize_code(code)) != CODE_LENGTH:
        raise InvitationError(_("This activation code is not valid. Check it against your letter."))
    invitation = (
        Invitation.objects.select_related("local_government").filter(code_hash=hash_code(code)).order_by("-pk").first()
    )
    if invitation is None:
        raise InvitationError(_("This activation code is not valid. Check it against your letter."))
    if invitation.used_at:
        raise InvitationError(_("This activation code has already been used. Log in, or ask for a new code."))
    if invitation.invalidated_at:
        raise InvitationError(
            _("This activation code was replaced by a newer one. Use the code on your latest letter.")
        )
    if invitation.expires_at and invitation.expires_at <= now:
        raise InvitationError(_("This activation code has expired. Ask your provincial officer for a new code."))
    return invitation


@dataclass
class Person:
    first_name: str
    last_name: str
    position: str
    email: str
    phone: str
    password: str


def check_password(person: Person) -> None:
    """Django's password validators, against the person's own name and e-mail (ValidationError)."""
    probe = User(username=person.email, email=person.email, first_name=person.first_name, last_name=person.last_name)
    password_validation.validate_password(person.password, user=probe)


def activate(code: str, person: Person, now: dt.datetime | None = None) -> User:
    """Use the code once: a new active user with the invitation's role and local government. The e-mail address
    is the username."""
    now = now or timezone.now()
    check_password(person)
    email = person.email.strip().lower()
    with transaction.atomic():
        invitation = find_usable(code, now)
        if User.objects.filter(username__iexact=email).exists():
            raise InvitationError(
                _("An account with this e-mail address already exists. Log in, or use another address.")
            )
        # Single use even when two people submit the same code at once: only one UPDATE finds it open.
        claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True, invalidated_at__isnull=True).update(
            used_at=now
        )
        if not claimed:
            raise InvitationError(_("This activation code has already been used. Log in, or ask for a new code."))
        try:
            user = User(
                username=email,
                email=email,
                first_name=person.first_name.strip(),
                last_name=person.last_name.strip(),
                position=person.position.strip(),
                phone=person.phone.strip(),
            )
            user.set_password(person.password)
            user.save()
        except IntegrityError as error:
            raise InvitationError(
                _("An account with this e-mail address already exists. Log in, or use another address.")
            ) from error
        Invitation.objects.filter(pk=invitation.pk).update(used_by=user)
        grant_role(user, Role(invitation.role), invitation.local_government)
    return user
