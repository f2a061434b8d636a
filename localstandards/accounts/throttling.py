"""Which address login throttling (django-axes) counts failures against."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The officer's address, also behind the load balancer (settings.AXES_CLIENT_IP_CALLABLE).

    Behind the balancer (DJANGO_BEHIND_PROXY) REMOTE_ADDR is the balancer itself for everyone, so one person's
    failures would lock an account for the whole country. The balancer appends the address it saw to
    X-Forwarded-For; only that last entry is trusted (the earlier ones come from the client and can be forged).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.BEHIND_PROXY:
        return remote
    last = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return remote


# Password spraying: one address trying a few passwords on many usernames never trips the per-user lock (a
# username + address pair). So failures are also counted per address, in the cache (shared by the app instances
# through Redis when REDIS_URL is set): past the limit, that address may not try any login until the window has
# passed. No named account is locked by this, so a stranger cannot lock an officer out.
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60


def _failures_key(address: str) -> str:
    return f"login-failures:{address}"


def note_login_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """Receiver of django.contrib.auth's user_login_failed: count the failure against the client's address."""
    if request is None:
        return
    key = _failures_key(client_ip(request))
    cache.add(key, 0, LOGIN_FAILURE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOGIN_FAILURE_WINDOW_SECONDS)


def address_is_throttled(request: HttpRequest) -> bool:
    return cache.get(_failures_key(client_ip(request)), 0) >= settings.LOGIN_FAILURES_PER_ADDRESS
