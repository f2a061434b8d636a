"""Values read straight from request data (query strings and posted fields that no Django form cleans).

Anyone can send anything: ids that are not numbers, digits that str.isdigit() accepts but int() does not ('²',
'①'), integers beyond a database column (2**63), NUL characters (PostgreSQL refuses them in text), and `next`
links to another site or bare words that redirect() would take for a view name. These helpers turn such input
into None (or the default) so the view can answer with its normal message, never a 500 (tests/security/test_fuzz.py).
A NUL character in any field never reaches a view: core.middleware.RefuseNulCharactersMiddleware refuses it.
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Row ids are BigAutoField (settings.DEFAULT_AUTO_FIELD): a PostgreSQL bigint.
MAX_ID = 2**63 - 1
_ASCII_INTEGER = re.compile(r"-?[0-9]{1,19}")
# Control characters, never part of a link (browsers drop tabs and line breaks: "/\t/evil" would be "//evil").
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def int_from(value: object, minimum: int, maximum: int) -> int | None:
    """An integer written with ASCII digits (an optional minus) within [minimum, maximum], else None."""
    if not isinstance(value, str) or not _ASCII_INTEGER.fullmatch(value.strip()):
        return None
    number = int(value.strip())
    return number if minimum <= number <= maximum else None


def id_from(value: object) -> int | None:
    """A row id (1 … the largest bigint) from request data, else None."""
    return int_from(value, 1, MAX_ID)


def safe_next(request: HttpRequest, value: object, default: str = "/") -> str:
    """A `next` link to follow after a post: a path on this site, else the default (an address on another site,
    a bare word that redirect() would look up as a view name, or one with control characters)."""
    if not isinstance(value, str) or not value.startswith("/") or _CONTROL.search(value):
        return default
    on_this_site = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if on_this_site else default
