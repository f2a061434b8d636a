"""Fixtures for the scoring tests, re-declared from tests/assessments/conftest.py with the same factory calls
(fixtures there are not visible here): a published framework, an open round and world.local_government's return."""

from __future__ import annotations

import pytest

from tests.assessments import factories


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded evidence goes to a temporary folder, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def framework(db):
    return factories.make_published_framework()


@pytest.fixture
def open_round(world, framework):
    return factories.open_test_round(framework, name="รอบเปิด")


@pytest.fixture
def assessment(open_round, world):
    return open_round.assessments.select_related("round", "local_government", "framework").get(
        local_government=world.local_government
    )


@pytest.fixture
def filled(assessment, users):
    """10 / 8 (80 %, target 80), count 3 (target 2), yes, satisfaction 40 / 10, evidence attached."""
    return factories.fill_return(assessment, users.staff)
