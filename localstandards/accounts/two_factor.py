"""Two-factor login with django-otp: a TOTP app (required for national admins, optional for everyone else) and
ten single-use recovery codes (django-otp's static device).

The login itself stays Django's. After the password, `TwoFactorMiddleware` sends a user who has a confirmed device
to the code page, and a national admin without one to the set-up page, until the session is verified
(django_otp.login). Nothing is written on a GET: the set-up page shows a fresh secret and keeps it only when the
first code from the app proves it was scanned.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from localstandards.accounts.models import User

RECOVERY_CODE_COUNT = 10
PENDING = "two_factor_pending"  # session key: this login still owes its second factor
OPEN_ROUTES = {"two-factor", "two-factor-verify", "logout", "set_language", "set-thai-digits", "javascript-catalog"}


class TwoFactorError(Exception):
    pass


def required(user: User) -> bool:
    return settings.TWO_FACTOR_REQUIRED_FOR_NATIONAL_ADMINS and user.is_national_admin


def has_device(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def new_key() -> str:
    return random_hex(20)


def is_valid_key(key_hex: str) -> bool:
    try:
        _valid_key(key_hex)
    except TwoFactorError:
        return False
    return True


def provisioning_uri(user: User, key_hex: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    secret = base64.b32encode(binascii.unhexlify(key_hex)).decode().rstrip("=")
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.username}")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer, "digits": 6, "period": 30})


def _valid_key(key_hex: str) -> bytes:
    try:
        key = binascii.unhexlify(key_hex)
    except (binascii.Error, ValueError) as error:
        raise TwoFactorError(_("The set-up expired. Scan the new QR code and try again.")) from error
    if len(key) != 20:
        raise TwoFactorError(_("The set-up expired. Scan the new QR code and try again."))
    return key


def enroll(user: User, key_hex: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """Keep the app's secret once its first code is right; return the device and fresh recovery codes."""
    key = _valid_key(key_hex)
    token = (token or "").strip().replace(" ", "")
    if not (token.isdigit() and len(token) == 6 and TOTP(key).verify(int(token), tolerance=1)):
        raise TwoFactorError(_("The code is not right. Type the 6 digits the app shows now."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="TOTP", key=key_hex, confirmed=True)
        codes = new_recovery_codes(user)
    return device, codes


def new_recovery_codes(user: User) -> list[str]:
    """Ten new single-use recovery codes; the earlier ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def verify(user: User, token: str):
    """The device that accepts this code (a TOTP code, or a recovery code, which is used up), or TwoFactorError."""
    device = match_token(user, "".join((token or "").split()).lower())
    if device is None:
        raise TwoFactorError(_("The code is not right. Type the 6 digits the app shows now, or a recovery code."))
    return device


def disable(user: User) -> None:
    if required(user):
        raise TwoFactorError(_("National administrators must keep two-factor login on."))
    for device in devices_for_user(user, confirmed=None):
        device.delete()


@receiver(user_logged_in, dispatch_uid="accounts.two_factor.pending")
def mark_pending(sender, request, user, **kwargs) -> None:
    """A user with a second factor owes it after every password login."""
    if request is not None and hasattr(request, "session") and has_device(user):
        request.session[PENDING] = True


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: hold an unverified session at the code (or set-up) page. Public views
    (login_not_required) are left alone, and do not even load the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified() or self._open(request):
            return None
        if request.session.get(PENDING):
            return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': request.get_full_path()})}")
        if required(user):
            target = "two-factor-verify" if has_device(user) else "two-factor"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return None

    @staticmethod
    def _open(request) -> bool:
        match = request.resolver_match
        return match is not None and (match.url_name in OPEN_ROUTES or match.view_name in OPEN_ROUTES)
