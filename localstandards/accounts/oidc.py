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
from django.views.decorators.http import require_POST
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


LINK_SESSION_KEY = "oidc_link_user_id"


def link_identity(user: User, issuer_id: str, claims: dict, now=None) -> User | None:
    """The activation step: a person logged in with their password links the identity they just proved at the
    provider to their own account (whatever its e-mail). Refused if that identity belongs to another account."""
    subject = str(claims.get("sub") or "")
    if not subject or not user.is_active:
        return None
    link = OidcIdentity.objects.filter(issuer=issuer_id, subject=subject).first()
    if link is not None:
        return user if link.user_id == user.pk else None
    try:
        with transaction.atomic():
            OidcIdentity.objects.create(
                user=user,
                issuer=issuer_id,
                subject=subject,
                email=str(claims.get("email") or "")[:254],
                last_login_at=now or timezone.now(),
            )
    except IntegrityError:
        return None
    logger.info("SSO identity %s linked to user %s by the user", subject, user.pk)
    return user


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
        linking = self.request.session.pop(LINK_SESSION_KEY, None)
        if linking is not None:
            user = User.objects.filter(pk=linking).first()
            return link_identity(user, issuer(), claims) if user else None
        return user_for_identity(issuer(), claims)

    def create_user(self, claims):  # never reached: accounts are provisioned inside the system
        return None


@login_not_required
def start(request: HttpRequest) -> HttpResponse:
    """Send the visitor to the provider (state, nonce and PKCE challenge kept in the session)."""
    if not sso_enabled():
        raise Http404
    return OIDCAuthenticationRequestView.as_view()(request)


@require_POST
def link(request: HttpRequest) -> HttpResponse:
    """A logged-in person links their digital identity: off to the provider, back through the callback."""
    if not sso_enabled():
        raise Http404
    request.session[LINK_SESSION_KEY] = request.user.pk
    view = OIDCAuthenticationRequestView()
    view.setup(request)
    return view.get(request)


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
