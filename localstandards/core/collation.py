"""Thai collation: names sorted as a Thai reader expects (เชียงใหม่ before อ่างทอง, ร้อยเอ็ด before ราชบุรี), not by
code point, where leading vowels (เ แ โ ใ ไ) and tone marks put names in the wrong place.

One collation name, `thai`, in both databases: on PostgreSQL an ICU collation (th-TH) created by
core/migrations/0001; on SQLite a collation registered on every new connection that compares ICU sort keys. So a
query orders by `thai("name_th")` the same way on both. In Python, `thai_sort_key` sorts by the same ICU rules.
"""

from __future__ import annotations

import functools
import threading

import icu
from django.db.models import F
from django.db.models.functions import Collate

THAI_COLLATION = "thai"

_local = threading.local()


def _collator() -> icu.Collator:
    # A collator per thread: ICU's are not meant to be shared between threads while in use.
    collator = getattr(_local, "collator", None)
    if collator is None:
        collator = _local.collator = icu.Collator.createInstance(icu.Locale("th_TH"))
    return collator


def thai_sort_key(text: str | None) -> bytes:
    """A key for `sorted(...)` that orders Thai text by Thai rules (None sorts first)."""
    return _collator().getSortKey(text or "")


def thai(field: str) -> Collate:
    """`field` compared with Thai collation, for order_by (and Meta.ordering)."""
    return Collate(F(field), THAI_COLLATION)


@functools.lru_cache(maxsize=4096)
def _cached_key(text: str) -> bytes:
    return _collator().getSortKey(text)


def _compare(left: str, right: str) -> int:
    a, b = _cached_key(left), _cached_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """connection_created: give each new SQLite connection the `thai` collation PostgreSQL has from a migration."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(THAI_COLLATION, _compare)
