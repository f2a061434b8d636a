"""Fixtures for the results tests: final returns made without the review steps (the shared return fixtures
are in tests/conftest.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from localstandards.assessments.models import Answer, Assessment, SatisfactionAnswer, Status
from localstandards.registry.models import LocalGovernmentType
from localstandards.reports.services import publish_link
from localstandards.scoring.services import rescore_assessment
from tests.assessments import factories
from tests.assessments.factories import COUNT, RATIO, YESNO
from tests.factories import LocalGovernmentFactory


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
    """A return with answers, accepted (final), scored and published, as the acceptance would leave it."""
    store_answers(assessment, **answers)
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=Status.ACCEPTED)
    assessment.refresh_from_db()
    rescore_assessment(assessment)
    publish_link(assessment.pk)
    return assessment


def add_peers(district, how_many: int, *, lg_type=LocalGovernmentType.SUBDISTRICT, prefix="57"):
    """Local governments of the same type (registered before a round opens, so they get a return)."""
    return [
        LocalGovernmentFactory(
            district=district, type=lg_type, dla_code=f"{prefix}{district.code[-2:]}{i:03d}", name_th=f"เพื่อน{i}"
        )
        for i in range(how_many)
    ]


@pytest.fixture(autouse=True)
def _empty_cache():
    """The results PDF is cached (reports.services.cached_results_pdf): each test starts with none."""
    cache.clear()
    yield
    cache.clear()
