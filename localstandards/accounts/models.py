"""The custom user and role memberships, each bound to one scope (local government, district, province or nation)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.cached_memberships)

    @property
    def cached_memberships(self) -> list[RoleMembership]:
        if not hasattr(self, "_memberships_cache"):
            self._memberships_cache = list(self.memberships.select_related("local_government", "district", "province"))
        return self._memberships_cache

    @property
    def follows_progress(self) -> bool:
        """National, provincial and district officers follow the progress of a round; committee viewers too."""
        return self.is_active and (
            self.is_national_admin or self.has_role(Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.COMMITTEE_VIEWER)
        )

    @property
    def is_national_admin(self) -> bool:
        return self.is_active and (self.is_superuser or self.has_role(Role.NATIONAL_ADMIN))


class Role(models.TextChoices):
    LG_STAFF = "LG_STAFF", _("Local government staff")
    LG_HEAD = "LG_HEAD", _("Local government head (certifier)")
    DISTRICT_OFFICER = "DISTRICT_OFFICER", _("District officer")
    PROVINCE_OFFICER = "PROVINCE_OFFICER", _("Provincial officer")
    NATIONAL_ADMIN = "NATIONAL_ADMIN", _("National administrator")
    COMMITTEE_VIEWER = "COMMITTEE_VIEWER", _("Committee viewer")


class ScopeLevel(models.TextChoices):
    LOCAL_GOVERNMENT = "LOCAL_GOVERNMENT", _("Local government")
    DISTRICT = "DISTRICT", _("District")
    PROVINCE = "PROVINCE", _("Province")
    NATION = "NATION", _("Nation")


# Which scope each role is bound to.
ROLE_SCOPE = {
    Role.LG_STAFF: ScopeLevel.LOCAL_GOVERNMENT,
    Role.LG_HEAD: ScopeLevel.LOCAL_GOVERNMENT,
    Role.DISTRICT_OFFICER: ScopeLevel.DISTRICT,
    Role.PROVINCE_OFFICER: ScopeLevel.PROVINCE,
    Role.NATIONAL_ADMIN: ScopeLevel.NATION,
    Role.COMMITTEE_VIEWER: ScopeLevel.NATION,
}


class RoleMembership(models.Model):
    NATIONAL_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.COMMITTEE_VIEWER})

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    local_government = models.ForeignKey(
        "registry.LocalGovernment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("local government"),
    )
    district = models.ForeignKey(
        "registry.District", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("district")
    )
    province = models.ForeignKey(
        "registry.Province", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("province")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role membership")
        verbose_name_plural = _("role memberships")
        constraints = [
            # Exactly the scope field that the role needs is set; the others are empty.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role__in=["LG_STAFF", "LG_HEAD"],
                        local_government__isnull=False,
                        district__isnull=True,
                        province__isnull=True,
                    )
                    | models.Q(
                        role="DISTRICT_OFFICER",
                        local_government__isnull=True,
                        district__isnull=False,
                        province__isnull=True,
                    )
                    | models.Q(
                        role="PROVINCE_OFFICER",
                        local_government__isnull=True,
                        district__isnull=True,
                        province__isnull=False,
                    )
                    | models.Q(
                        role__in=["NATIONAL_ADMIN", "COMMITTEE_VIEWER"],
                        local_government__isnull=True,
                        district__isnull=True,
                        province__isnull=True,
                    )
                ),
                name="membership_scope_matches_role",
            ),
            # One membership per user, role and scope (partial constraints: NULLs never compare equal).
            models.UniqueConstraint(
                fields=["user", "role", "local_government"],
                condition=models.Q(local_government__isnull=False),
                name="membership_unique_local_government",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "district"],
                condition=models.Q(district__isnull=False),
                name="membership_unique_district",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "province"],
                condition=models.Q(province__isnull=False),
                name="membership_unique_province",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(role__in=["NATIONAL_ADMIN", "COMMITTEE_VIEWER"]),
                name="membership_unique_national",
            ),
        ]

    def __str__(self) -> str:
        scope = self.scope_object
        return f"{self.get_role_display()}: {scope}" if scope else str(self.get_role_display())

    @property
    def scope_level(self) -> ScopeLevel:
        return ROLE_SCOPE[Role(self.role)]

    @property
    def scope_object(self):
        return self.local_government or self.district or self.province

    def clean(self) -> None:
        level = ROLE_SCOPE.get(Role(self.role)) if self.role in Role.values else None
        wanted = {
            ScopeLevel.LOCAL_GOVERNMENT: "local_government",
            ScopeLevel.DISTRICT: "district",
            ScopeLevel.PROVINCE: "province",
            ScopeLevel.NATION: None,
        }.get(level)
        errors = {}
        for name in ("local_government", "district", "province"):
            is_set = getattr(self, f"{name}_id") is not None
            if name == wanted and not is_set:
                errors[name] = _("This role needs a %(scope)s.") % {"scope": ScopeLevel(level).label}
            elif name != wanted and is_set:
                errors[name] = _("Leave this empty for this role.")
        if errors:
            raise ValidationError(errors)


class InvitationQuerySet(models.QuerySet):
    def live(self) -> InvitationQuerySet:
        """Neither used nor invalidated (an expired one is still live: it can be re-issued, not used)."""
        return self.filter(used_at__isnull=True, invalidated_at__isnull=True)


class Invitation(models.Model):
    """A seat for the head or the staff of one local government, opened for a round by provisioning.

    Its activation code is stored hashed (SHA-256 of a 60-bit random code: a fast hash is enough for a random
    secret, and lets activation find the row by its hash); the plain code exists only when it is issued and is
    printed on the activation letter. Re-issuing never edits a code: the old row is invalidated and a new row
    points back to it, so the rows are the audit trail of who issued, replaced and used each code.
    """

    ROLES = (Role.LG_HEAD, Role.LG_STAFF)

    # The round (assessments.AssessmentRound) whose provisioning opened the seat. A plain id, not a foreign key:
    # accounts sits below assessments and does not point up to it.
    round_id = models.PositiveIntegerField(_("round"), null=True, blank=True)
    local_government = models.ForeignKey(
        "registry.LocalGovernment",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("local government"),
    )
    role = models.CharField(_("role"), max_length=32, choices=[(r.value, r.label) for r in ROLES])
    code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    issued_at = models.DateTimeField(_("code issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    expires_at = models.DateTimeField(_("code expires at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invalidated_at = models.DateTimeField(_("invalidated at"), null=True, blank=True)
    invalidated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # One live seat per local government and role: provisioning twice creates nothing twice.
            models.UniqueConstraint(
                fields=["local_government", "role"],
                condition=models.Q(used_at__isnull=True, invalidated_at__isnull=True),
                name="invitation_one_live_seat",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.local_government}"


class AccessRequest(models.Model):
    """Someone without an account asks for a role in one local government; the head or an officer above decides."""

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        APPROVED = "APPROVED", _("Approved")
        REFUSED = "REFUSED", _("Refused")

    local_government = models.ForeignKey(
        "registry.LocalGovernment",
        on_delete=models.CASCADE,
        related_name="access_requests",
        verbose_name=_("local government"),
    )
    role = models.CharField(_("role"), max_length=32, choices=[(r.value, r.label) for r in Invitation.ROLES])
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    position = models.CharField(_("position"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=50)
    password = models.CharField(max_length=128)  # hashed with Django's hashers, as on the user
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}: {self.local_government}"


class OidcIdentity(models.Model):
    """A single sign-on identity (the provider's issuer and subject) linked to an existing account.

    Made at the first SSO login when the provider vouches for an e-mail address that exactly one active account
    has (accounts.oidc). It only says who the person is: roles and scopes stay granted inside the system.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="oidc_identities")
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    email = models.EmailField(_("e-mail at linking"), blank=True)
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique_subject")]

    def __str__(self) -> str:
        return f"{self.user} ← {self.issuer} {self.subject}"
