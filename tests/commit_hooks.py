"""Background work in tests: on-commit callbacks run as in production, and tasks run in-process.

`transaction.on_commit` callbacks run in tests the way production runs them.

A pytest-django test runs inside a transaction that is rolled back at the end, so Django never commits and
on-commit callbacks would never run. The product relies on them: a status change sends `status_changed` after
commit, scoring rebuilds results, notices queue e-mail. This fixture runs the callbacks at the moment the
outermost non-test atomic block exits without error (or at once when no such block is open), so a test sees
what a user would see after the request, and a rolled-back block still runs nothing (Django drops the callbacks
of a savepoint that is rolled back).
"""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)


def _only_test_blocks(connection) -> bool:
    return bool(connection.atomic_blocks) and all(block._from_testcase for block in connection.atomic_blocks)


def _run_pending(connection) -> None:
    while connection.run_on_commit:
        _sids, func, robust = connection.run_on_commit.pop(0)
        if robust:
            try:
                func()
            except Exception:
                logger.exception("on_commit callback %s failed", func)
        else:
            func()


@pytest.fixture(autouse=True)
def on_commit_as_in_production(monkeypatch):
    original_on_commit = BaseDatabaseWrapper.on_commit
    original_exit = transaction.Atomic.__exit__

    def on_commit(self, func, robust=False):
        original_on_commit(self, func, robust)
        if _only_test_blocks(self):
            _run_pending(self)

    def exit_atomic(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if exc_type is None and not self._from_testcase and _only_test_blocks(connection):
            _run_pending(connection)
        return result

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_atomic)


IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def tasks_run_in_process(settings):
    """Tasks enqueued after commit (rescoring, e-mail delivery) run at once, in-process, as a worker would run them.
    A test that needs the real queue sets settings.TASKS itself."""
    settings.TASKS = IMMEDIATE_TASKS
