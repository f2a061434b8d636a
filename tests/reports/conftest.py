"""Fixtures for the results tests, re-declared from tests/assessments/conftest.py with the same factory calls
(fixtures there are not visible here), plus final returns made without the review steps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from localstandards.accounts.models import Role
from localstandards.accounts.services import grant_role
from localstandards.assessments.models import Answer, Assessment, SatisfactionAnswer, Status
from localstandards.registry.models import LocalGovernmentType
from localstandards.scoring.services import rescore_assessment
from tests.assessments import factories
from tests.assessments.factories import COUNT, RATIO, YESNO
from tests.factories import LocalGovernmentFactory, UserFactory


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
def other_district_officer(world):
    """A district officer of district 5002 (same province, another district)."""
    user = UserFactory(username="other_district_officer")
    grant_role(user, Role.DISTRICT_OFFICER, world.other_district_same_province)
    return user


@pytest.fixture
def neighbour_staff(world):
    """Staff of another อปท. in the same district."""
    user = UserFactory(username="neighbour_staff")
    grant_role(user, Role.LG_STAFF, world.neighbour_same_district)
    return user


def store_answers(assessment, *, base=10, delivered=8, count=3, yesno=True, satisfied=40, needs_improvement=10):
    """Answers written straight to the tables (peers and earlier rounds need no data-entry window)."""
    framework = assessment.framework
    Answer.objects.create(
        assessment=assessment,
        indicator=factories.indicator(framework, RATIO),
        base=Decimal(base),
        delivered=None if delivered is None else Decimal(delivered),
    )
    Answer.objects.create(assessment=assessment, indicator=factories.indicator(framework, COUNT), count=count)
    Answer.objects.create(assessment=assessment, indicator=factories.indicator(framework, YESNO), answer=yesno)
    SatisfactionAnswer.objects.create(
        assessment=assessment,
        question=factories.question(framework),
        satisfied=satisfied,
        needs_improvement=needs_improvement,
    )


def make_final(assessment, **answers):
    """A return with answers, accepted (final) and scored."""
    store_answers(assessment, **answers)
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.ACCEPTED)
    assessment.refresh_from_db()
    rescore_assessment(assessment)
    return assessment


def add_peers(district, how_many: int, *, lg_type=LocalGovernmentType.SUBDISTRICT, prefix="57"):
    """Local governments of the same type (registered before a round opens, so they get a return)."""
    return [
        LocalGovernmentFactory(
            district=district, type=lg_type, dla_code=f"{prefix}{district.code[-2:]}{i:03d}", name_th=f"เพื่อน{i}"
        )
        for i in range(how_many)
    ]
