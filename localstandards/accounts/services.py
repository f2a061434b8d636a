"""Account provisioning: role memberships with their scope, and the demo accounts for `make run`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from localstandards.accounts.models import Role, RoleMembership, User
from localstandards.registry.scoping import forget_cached_scope

DEMO_PROVINCE_CODE = "50"  # เชียงใหม่
DEMO_DISTRICT_CODE = "5001"  # เมืองเชียงใหม่


class DemoDataError(Exception):
    pass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role_label: str
    scope: str


def grant_role(user: User, role: str, scope=None) -> RoleMembership:
    """Give `user` a role bound to `scope` (a LocalGovernment, District, Province, or None for the nation)."""
    from localstandards.registry.models import District, LocalGovernment, Province

    fields = {"local_government": None, "district": None, "province": None}
    if isinstance(scope, LocalGovernment):
        fields["local_government"] = scope
    elif isinstance(scope, District):
        fields["district"] = scope
    elif isinstance(scope, Province):
        fields["province"] = scope
    membership = RoleMembership(user=user, role=role, **fields)
    membership.full_clean(exclude=["user"], validate_unique=False)
    membership, _created = RoleMembership.objects.get_or_create(user=user, role=role, **fields)
    forget_cached_scope(user)
    if hasattr(user, "_memberships_cache"):
        del user._memberships_cache
    return membership


def load_demo_accounts() -> list[DemoAccount]:
    """One user per role in Chiang Mai; idempotent (users are reused, passwords renewed and printed)."""
    from localstandards.registry.models import District, LocalGovernment, LocalGovernmentType, Province

    province = Province.objects.filter(code=DEMO_PROVINCE_CODE).first()
    district = District.objects.filter(code=DEMO_DISTRICT_CODE).first()
    local_government = (
        LocalGovernment.objects.active()
        .filter(district=district, type=LocalGovernmentType.SUBDISTRICT)
        .order_by("dla_code")
        .first()
    )
    if not (province and district and local_government):
        raise DemoDataError(_("Import the registry first (manage.py import_registry PATH)."))
    plan = [
        ("demo_staff", "สมชาย", "ใจดี", _("Policy and planning analyst"), Role.LG_STAFF, local_government),
        ("demo_head", "สมหญิง", "รักถิ่น", _("Municipal clerk (palad)"), Role.LG_HEAD, local_government),
        ("demo_district", "ประเสริฐ", "มั่นคง", _("District local government officer"), Role.DISTRICT_OFFICER, district),
        ("demo_province", "วิไล", "ศรีสุข", _("Provincial local government officer"), Role.PROVINCE_OFFICER, province),
        ("demo_admin", "อนันต์", "ธรรมดี", _("ODLOC analyst"), Role.NATIONAL_ADMIN, None),
        ("demo_committee", "กมล", "เที่ยงตรง", _("Committee member"), Role.COMMITTEE_VIEWER, None),
    ]
    accounts = []
    with transaction.atomic():
        for username, first, last, position, role, scope in plan:
            user, _created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "position": position,
                    "email": f"{username}@example.org",
                },
            )
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.is_active = True
            user.save()
            user.memberships.exclude(role=role).delete()
            grant_role(user, role, scope)
            accounts.append(DemoAccount(username, password, str(Role(role).label), str(scope or _("Nation"))))
    return accounts
