"""API tokens: who may issue which scope, issuing (shown once, stored hashed), revoking, and the token's principal.

A token acts as its scope. Its principal is its creator's user object with the memberships replaced, in memory, by
one membership at the token's scope, so `accessible_units(principal)`, `Model.objects.for_user(principal)` and the
assessment services' checks (`assessments.permissions.may`) read the token's scope through the same code as for a
person. The creator's current roles are checked at every use: a token never outlives its creator's scope.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.accounts.models import Role, RoleMembership, User
from localstandards.accounts.throttling import client_ip
from localstandards.api.models import ApiToken, ApiTokenUse, TokenScope
from localstandards.registry.models import LocalGovernment, Province
from localstandards.registry.scoping import forget_cached_scope

TOKEN_PREFIX = "lsk_"  # noqa: S105  (a marker that tells a token from other secrets, not a secret)
MAX_LIFETIME_DAYS = 366
LG_ROLES = (Role.LG_STAFF, Role.LG_HEAD)


class TokenError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def may_manage_tokens(user) -> bool:
    """National admins, provincial officers and the staff of an อปท. may issue tokens for their own scope."""
    return user.is_authenticated and (user.is_national_admin or user.has_role(Role.PROVINCE_OFFICER, *LG_ROLES))


def _role_at(user, level: str, province_id: int | None, lg_id: int | None) -> str | None:
    """The role that gives `user` the scope (level, unit) now, or None: the token's scope is never wider."""
    if level == TokenScope.NATION:
        return Role.NATIONAL_ADMIN if user.is_national_admin else None
    if level == TokenScope.PROVINCE:
        if user.is_national_admin:
            return Role.PROVINCE_OFFICER
        held = any(m.role == Role.PROVINCE_OFFICER and m.province_id == province_id for m in user.cached_memberships)
        return Role.PROVINCE_OFFICER if held else None
    for membership in user.cached_memberships:
        if membership.role in LG_ROLES and membership.local_government_id == lg_id:
            return membership.role
    return None


def issuable_provinces(user):
    if user.is_national_admin:
        return Province.objects.all()
    ids = [m.province_id for m in user.cached_memberships if m.role == Role.PROVINCE_OFFICER]
    return Province.objects.filter(pk__in=ids)


def issuable_local_governments(user):
    ids = [m.local_government_id for m in user.cached_memberships if m.role in LG_ROLES]
    return LocalGovernment.objects.filter(pk__in=ids)


def visible_tokens(user):
    """Tokens a user may see and revoke: a national admin sees all, others the ones they created."""
    tokens = ApiToken.objects.select_related("creator", "province", "local_government")
    return tokens if user.is_national_admin else tokens.filter(creator=user)


@dataclass
class IssuedToken:
    token: ApiToken
    key: str  # the secret, shown once


def issue_token(
    user,
    *,
    name: str,
    scope_level: str,
    province: Province | None = None,
    local_government: LocalGovernment | None = None,
    can_write: bool = False,
    expires_on: dt.date,
    now=None,
) -> IssuedToken:
    now = now or timezone.now()
    if scope_level != TokenScope.PROVINCE:
        province = None
    if scope_level != TokenScope.LOCAL_GOVERNMENT:
        local_government = None
    if (scope_level == TokenScope.PROVINCE and province is None) or (
        scope_level == TokenScope.LOCAL_GOVERNMENT and local_government is None
    ):
        raise TokenError(_("Choose the unit the token may read."))
    role = _role_at(user, scope_level, getattr(province, "pk", None), getattr(local_government, "pk", None))
    if role is None:
        raise TokenError(_("A token's scope cannot be wider than your own."))
    expires_at = timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
    if expires_at <= now or expires_at > now + dt.timedelta(days=MAX_LIFETIME_DAYS):
        raise TokenError(_("The expiry must be within a year from today."))
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name.strip()[:100] or "API",
        creator=user,
        scope_level=scope_level,
        province=province,
        local_government=local_government,
        can_write=can_write,
        key_hash=hash_key(key),
        prefix=key[:12],
        created_at=now,
        expires_at=expires_at,
    )
    return IssuedToken(token, key)


def revoke_token(user, token: ApiToken, now=None) -> ApiToken:
    if not (user.is_national_admin or token.creator_id == user.pk):
        raise TokenError(_("You cannot revoke this token."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now(), revoked_by=user
    )
    token.refresh_from_db()
    return token


def principal_for(token: ApiToken) -> User | None:
    """The user-like principal a token acts as, or None when its creator no longer holds its scope."""
    creator = User.objects.filter(pk=token.creator_id, is_active=True).first()
    if creator is None:
        return None
    role = _role_at(creator, token.scope_level, token.province_id, token.local_government_id)
    if role is None:
        return None
    membership = RoleMembership(
        user=creator, role=role, province_id=token.province_id, local_government_id=token.local_government_id
    )
    # In memory only: the principal's one membership is the token's scope, and no superuser bypass survives.
    creator._memberships_cache = [membership]
    creator.is_superuser = False
    creator.is_staff = False
    forget_cached_scope(creator)
    creator.api_token = token
    return creator


def authenticate(key: str, request=None, now=None) -> User | None:
    """The principal of a presented token, recording the use (last use and the audit row); None if refused."""
    now = now or timezone.now()
    if not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    token = ApiToken.objects.filter(key_hash=hash_key(key)).first()
    if token is None or not token.is_usable(now):
        return None
    principal = principal_for(token)
    if principal is None:
        return None
    # The issue asks for every use in the audit trail: the one write a token's GET makes (a person's GET makes none).
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        ApiTokenUse.objects.create(
            token=token,
            used_at=now,
            method=(request.method if request else "")[:8],
            path=(request.get_full_path() if request else "")[:500],
            ip_address=(client_ip(request) or None) if request else None,
        )
    return principal


# ---- Rate limiting, in the Django cache: Redis (REDIS_URL) is shared by every app instance; without it the
# local-memory cache counts per process (development and tests).


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(retry_after)


def check_rate(principal, now=None) -> None:
    """Count one request of this token (or person) in the current minute; raise RateLimited over the limit."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    if not limit:
        return
    token = getattr(principal, "api_token", None)
    who = f"t{token.pk}" if token else f"u{principal.pk}"
    moment = int((now or timezone.now()).timestamp())
    window = moment // 60
    key = f"api-rate:{who}:{window}"
    # add() then incr(): both atomic in Redis, so two instances never both see the same count.
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between the two calls
        cache.add(key, 1, timeout=120)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=60 - moment % 60)
