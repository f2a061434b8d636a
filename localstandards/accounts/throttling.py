"""Which address login throttling (django-axes) counts failures against."""

from __future__ import annotations

import ipaddress

from django.conf import settings
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
