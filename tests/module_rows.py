"""Rows built once per test module and shared by its tests: Django's `TestCase.setUpTestData`, for pytest.

`ModuleRows` is one atomic block held open around a test module. Module-scoped fixtures build their rows inside
it once; pytest-django still runs every test in its own savepoint inside that block and rolls it back after the
test, so what one test writes is gone for the next, and the module's own rows are rolled back when the module
ends. Nothing is ever committed: a module that does not ask for the shared rows never sees them, whatever ran
before it on the same process (or pytest-xdist worker). Each test gets deep copies of the objects as they were
built (`get`), so in-memory state (an attribute a test changed, a user's cached scope) never reaches the next test.

Transactional tests (`django_db(transaction=True)`, `transactional_db`, `live_server`: the browser tests, real
threads) run outside any transaction: their rows must be committed so that other connections see them, and
pytest-django flushes the database after them. They never use the shared rows: before such a test the module's
block is rolled back (`close`), and the fixtures build the rows inside the test, as every test did before; so do
the later tests of that module. pytest-django runs transactional tests after the others, so this is rare.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import ClassVar, TypeVar

from django.db import transaction
from django.test import override_settings

T = TypeVar("T")

_TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def is_transactional(item) -> bool:
    """Whether pytest-django runs this test outside a transaction (the same rules as pytest-django's own)."""
    if _TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False

    def flags(transaction=False, reset_sequences=False, *args, **kwargs):
        return bool(transaction or reset_sequences)

    return flags(*marker.args, **marker.kwargs)


class ModuleRows:
    """One atomic block around a test module, for the rows its tests share."""

    current: ClassVar[ModuleRows | None] = None

    def __init__(self, django_db_blocker, **build_settings):
        self._blocker = django_db_blocker
        self._settings = build_settings
        self._block = None

    @property
    def media_root(self) -> str | None:
        return self._settings.get("MEDIA_ROOT")

    @property
    def is_open(self) -> bool:
        return self._block is not None

    def open(self) -> None:
        with self._blocker.unblock():
            block = transaction.atomic()
            # As for the block Django's TestCase opens around a class: atomic(durable=True) may run inside it,
            # and code that tells the test's own blocks from the application's treats this one as the test's.
            block._from_testcase = True
            block.__enter__()
        self._block = block
        ModuleRows.current = self

    def close(self) -> None:
        """Roll the module's rows back (at the end of the module, or before a transactional test)."""
        if ModuleRows.current is self:
            ModuleRows.current = None
        if self._block is None:
            return
        block, self._block = self._block, None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            block.__exit__(None, None, None)

    def build(self, builder: Callable[..., T], *args) -> T | None:
        """Run `builder(*args)` inside the block (with the settings given for building) and keep the result as
        it was built. The arguments are copied first, so a builder cannot change the objects it is given."""
        if not self.is_open:
            return None
        with self._blocker.unblock(), override_settings(**self._settings):
            built = builder(*copy.deepcopy(args))
        return copy.deepcopy(built)

    def get(self, built: T | None, build_here: Callable[[], T]) -> T:
        """A fresh copy of rows built once for the module; or, once the block is closed, `build_here()` (rows
        built inside the test itself)."""
        if self.is_open:
            return copy.deepcopy(built)
        return build_here()
