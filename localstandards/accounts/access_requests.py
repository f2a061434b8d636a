"""Self-service access requests: someone without an account asks for the head or staff role of one local
government; the head of that local government, or the district or provincial officer above it, or a national
admin, approves (the account is made with the password the person chose) or refuses. The requester is told by
e-mail either way, and the people who may decide are told of a new request (the notices app listens to
`access_requested` and `access_request_decided`)."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.accounts.invitations import InvitationError, Person, check_password
from localstandards.accounts.models import AccessRequest, Role, User
from localstandards.accounts.services import grant_role
from localstandards.accounts.signals import access_request_decided, access_requested
from localstandards.registry.models import LocalGovernment

DECIDING_ROLES = (Role.LG_HEAD, Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER, Role.NATIONAL_ADMIN)


class AccessRequestError(InvitationError):
    pass


def submit(local_government: LocalGovernment, role: str, person: Person) -> AccessRequest:
    """Record the request (the password checked by Django's validators and stored hashed)."""
    check_password(person)
    email = person.email.strip().lower()
    if User.objects.filter(username__iexact=email).exists():
        raise AccessRequestError(
            _("An account with this e-mail address already exists. Log in, or use another address.")
        )
    if AccessRequest.objects.filter(
        email__iexact=email, local_government=local_government, status=AccessRequest.Status.PENDING
    ).exists():
        raise AccessRequestError(_("You already asked for access to this local government; wait for the decision."))
    with transaction.atomic():
        request = AccessRequest.objects.create(
            local_government=local_government,
            role=role,
            first_name=person.first_name.strip(),
            last_name=person.last_name.strip(),
            position=person.position.strip(),
            email=email,
            phone=person.phone.strip(),
            password=make_password(person.password),
        )
        access_requested.send(sender=AccessRequest, access_request=request)
    return request


def decidable_q(user: User) -> Q:
    """The requests `user` may decide: their own local government as its head, the local governments below them as
    a district or provincial officer, all as a national admin; nothing for anyone else."""
    if not user.is_active:
        return Q(pk__in=[])
    if user.is_national_admin:
        return Q()
    condition = Q(pk__in=[])
    for m in user.cached_memberships:
        if m.role == Role.LG_HEAD:
            condition |= Q(local_government_id=m.local_government_id)
        elif m.role == Role.DISTRICT_OFFICER:
            condition |= Q(local_government__district_id=m.district_id)
        elif m.role == Role.PROVINCE_OFFICER:
            condition |= Q(local_government__province_id=m.province_id)
    return condition


def decidable(user: User) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(decidable_q(user)).select_related(
        "local_government", "local_government__district"
    )


def _claim(user: User, request_id: int, status: str, reason: str = "") -> AccessRequest:
    """Decide once: the conditional UPDATE finds the request pending and in `user`'s scope, or nothing happens."""
    now = timezone.now()
    updated = AccessRequest.objects.filter(
        decidable_q(user), pk=request_id, status=AccessRequest.Status.PENDING
    ).update(status=status, decided_at=now, decided_by=user, reason=reason)
    if not updated:
        raise AccessRequestError(_("This request is not waiting for your decision."))
    return AccessRequest.objects.select_related("local_government").get(pk=request_id)


def approve(user: User, request_id: int) -> User:
    with transaction.atomic():
        request = _claim(user, request_id, AccessRequest.Status.APPROVED)
        if User.objects.filter(username__iexact=request.email).exists():
            raise AccessRequestError(
                _("An account with this e-mail address already exists. Log in, or use another address.")
            )
        account = User(
            username=request.email,
            email=request.email,
            first_name=request.first_name,
            last_name=request.last_name,
            position=request.position,
            phone=request.phone,
            password=request.password,  # already hashed
        )
        account.save()
        grant_role(account, Role(request.role), request.local_government)
        AccessRequest.objects.filter(pk=request.pk).update(user=account)
        access_request_decided.send(sender=AccessRequest, access_request=request)
    return account


def refuse(user: User, request_id: int, reason: str) -> AccessRequest:
    with transaction.atomic():
        request = _claim(user, request_id, AccessRequest.Status.REFUSED, reason.strip())
        access_request_decided.send(sender=AccessRequest, access_request=request)
    return request


def deciders(request: AccessRequest) -> list[User]:
    """The active people who may decide a request: its อปท.'s heads and the district and provincial officers above
    (national admins are not e-mailed for each of 7,850 อปท.; they see every request on the page)."""
    lg = request.local_government
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__role=Role.LG_HEAD, memberships__local_government=lg)
            | Q(memberships__role=Role.DISTRICT_OFFICER, memberships__district_id=lg.district_id)
            | Q(memberships__role=Role.PROVINCE_OFFICER, memberships__province_id=lg.province_id)
        )
        .distinct()
        .order_by("pk")
    )
