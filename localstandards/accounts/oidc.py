"""Single sign-on by OpenID Connect (authorization code flow with PKCE), through mozilla-django-oidc.

On when OIDC_RP_CLIENT_ID is set (settings; docs/deployment.md, "Single sign-on"). The provider's identity is
linked to an existing account, never to a new one: by an earlier link (issuer + subject), else by an e-mail address
the provider marks as verified that exactly one active account has. No account is created and no role is granted
here; local login stays as it is.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from localstandards.accounts.models import OidcIdentity, User

logger = logging.getLogger(__name__)


def sso_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def issuer() -> str:
    """The provider's issuer as configured (OIDC_OP_ISSUER), else the origin of its authorization endpoint."""
    configured = getattr(settings, "OIDC_OP_ISSUER", "")
    if configured:
        return configured
    parts = urlsplit(settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
    return f"{parts.scheme}://{parts.netloc}"


def _verified(claims: dict) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def user_for_identity(issuer_id: str, claims: dict, now=None) -> User | None:
    """The account this identity belongs to (linking it on first use), or None: the login is then refused."""
    now = now or timezone.now()
    subject = str(claims.get("sub") or "")
    if not subject:
        return None
    link = OidcIdentity.objects.select_related("user").filter(issuer=issuer_id, subject=subject).first()
    if link is not None:
        OidcIdentity.objects.filter(pk=link.pk).update(last_login_at=now)
        return link.user if link.user.is_active else None
    email = str(claims.get("email") or "").strip()
    if not email or not _verified(claims):
        return None
    matches = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
    if len(matches) != 1:
        return None  # none, or an address two accounts share: an administrator must sort it out
    try:
        with transaction.atomic():
            OidcIdentity.objects.create(
                user=matches[0], issuer=issuer_id, subject=subject, email=email, last_login_at=now
            )
    except IntegrityError:  # two first logins at once: the other one linked it
        return user_for_identity(issuer_id, claims, now)
    logger.info("SSO identity %s linked to user %s by verified e-mail", subject, matches[0].pk)
    return matches[0]


class LinkingBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, ending in `user_for_identity` instead of finding or creating by e-mail."""

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if payload.get("sub") and claims.get("sub") != payload["sub"]:
            return None  # the userinfo must be about the person the ID token names
        return user_for_identity(issuer(), claims)

    def create_user(self, claims):  # never reached: accounts are provisioned inside the system
        return None


@login_not_required
def start(request: HttpRequest) -> HttpResponse:
    """Send the visitor to the provider (state, nonce and PKCE challenge kept in the session)."""
    if not sso_enabled():
        raise Http404
    return OIDCAuthenticationRequestView.as_view()(request)


class _Callback(OIDCAuthenticationCallbackView):
    def login_failure(self):
        messages.error(
            self.request,
            _(
                "Single sign-on did not find your account. Log in with your username and password, or ask your "
                "administrator to record the e-mail address your digital identity uses."
            ),
        )
        return super().login_failure()


@login_not_required
def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the visitor back here with a code; on success, the home page of their roles."""
    if not sso_enabled():
        raise Http404
    return _Callback.as_view()(request)
