"""Fixtures for the reminder tests: the task backend's test mode and the people of two more อปท. (the shared
return fixtures are in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from localstandards.accounts.models import Role
from localstandards.accounts.services import grant_role
from tests.factories import UserFactory

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def tasks_run_immediately(settings):
    """Django's documented way to test tasks: the ImmediateBackend runs an enqueued task at once, in-process."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def last_day(open_round) -> dt.date:
    return open_round.closes_on


@pytest.fixture
def returns(open_round, world):
    """The return of each local government of the world, by the World attribute name."""
    names = [
        "local_government",
        "neighbour_same_district",
        "local_government_other_district",
        "outside_local_government",
    ]
    return {
        name: open_round.assessments.select_related("round", "local_government").get(
            local_government=getattr(world, name)
        )
        for name in names
    }


@pytest.fixture
def lg_people(users, world):
    """Besides users.staff and users.head (world.local_government) and users.outsider_staff: one staff member
    for each other local government, and one without an e-mail address (never a recipient)."""

    def staff(username, lg, **fields):
        user = UserFactory(username=username, **fields)
        grant_role(user, Role.LG_STAFF, lg)
        return user

    return {
        "neighbour": staff("neighbour_staff", world.neighbour_same_district),
        "other_district": staff("other_district_staff", world.local_government_other_district),
        "no_email": staff("no_email_staff", world.local_government, email=""),
    }
