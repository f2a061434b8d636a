"""Fixtures for the assessment tests: a published framework, an open and a closed round, the return of
world.local_government (a SUBDISTRICT municipality in district 5001, province 50), and a few extra officers."""

from __future__ import annotations

import pytest

from localstandards.accounts.models import Role
from localstandards.accounts.services import grant_role
from tests.assessments import factories
from tests.factories import UserFactory


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
    """Entry opened 10 days ago and closes in 10 days; review deadline in 20 days; both review levels."""
    return factories.open_test_round(framework, name="รอบเปิด")


@pytest.fixture
def closed_round(world, framework):
    """Entry closed 10 days ago; the review deadline was 5 days ago."""
    return factories.open_test_round(framework, opens_in=-40, closes_in=-10, review_in=-5, name="รอบปิด")


@pytest.fixture
def assessment(open_round, world):
    return open_round.assessments.select_related("round", "local_government", "framework").get(
        local_government=world.local_government
    )


@pytest.fixture
def closed_assessment(closed_round, world):
    return closed_round.assessments.select_related("round", "local_government", "framework").get(
        local_government=world.local_government
    )


@pytest.fixture
def other_staff(world):
    """A second staff member of world.local_government (two people editing the same return)."""
    user = UserFactory(username="staff2", first_name="สมหญิง", last_name="รักงาน")
    grant_role(user, Role.LG_STAFF, world.local_government)
    return user


@pytest.fixture
def neighbour_staff(world):
    """Staff of another อปท. in the same district."""
    user = UserFactory(username="neighbour_staff")
    grant_role(user, Role.LG_STAFF, world.neighbour_same_district)
    return user


@pytest.fixture
def neighbour_head(world):
    user = UserFactory(username="neighbour_head")
    grant_role(user, Role.LG_HEAD, world.neighbour_same_district)
    return user


@pytest.fixture
def other_district_officer(world):
    """A district officer of district 5002 (same province, another district)."""
    user = UserFactory(username="other_district_officer")
    grant_role(user, Role.DISTRICT_OFFICER, world.other_district_same_province)
    return user


@pytest.fixture
def filled(assessment, users):
    """The return with every answer, the satisfaction counts and the ratio's evidence in."""
    return factories.fill_return(assessment, users.staff)


@pytest.fixture
def submitted(filled, users):
    """The filled return certified and submitted by the head: awaiting the district."""
    return factories.certify(filled, users.head)
