"""API tokens (stored hashed, shown once) and the trail of their uses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    NATION = "NATION", _("Nation")
    PROVINCE = "PROVINCE", _("Province")
    LOCAL_GOVERNMENT = "LOCAL_GOVERNMENT", _("Local government")


class ApiToken(models.Model):
    """A bearer token that acts as its scope (never wider than its creator's), read-only or read-write."""

    name = models.CharField(_("name"), max_length=100)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("creator")
    )
    scope_level = models.CharField(_("scope"), max_length=16, choices=TokenScope.choices)
    province = models.ForeignKey(
        "registry.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    local_government = models.ForeignKey(
        "registry.LocalGovernment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("local government"),
    )
    can_write = models.BooleanField(_("may write answers"), default=False)
    # Only the SHA-256 of the secret is kept; the prefix lets people tell their tokens apart in the list.
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("starts with"), max_length=16)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope_level="NATION", province__isnull=True, local_government__isnull=True)
                    | models.Q(scope_level="PROVINCE", province__isnull=False, local_government__isnull=True)
                    | models.Q(scope_level="LOCAL_GOVERNMENT", province__isnull=True, local_government__isnull=False)
                ),
                name="api_token_scope_matches_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def scope_object(self):
        return self.local_government or self.province


class ApiTokenUse(models.Model):
    """One request made with a token: the audit trail of the integrations."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="uses")
    used_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-used_at"]
        indexes = [models.Index(fields=["token", "-used_at"])]
