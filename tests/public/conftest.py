"""A generated round over province 50 (the shared world plus 20 local governments with locations), built once per
module: two rounds, officers with names, phones and e-mails, final and provisional returns, stored results."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache

from localstandards.assessments.models import Assessment, AssessmentRound, Status
from localstandards.generator import services as generator
from localstandards.registry.models import LocalGovernmentType
from localstandards.reports.services import publish_link
from tests.conftest import World, build_world
from tests.factories import LocalGovernmentFactory

TYPES = [LocalGovernmentType.SAO, LocalGovernmentType.SUBDISTRICT, LocalGovernmentType.TOWN]


@dataclass
class Generated:
    world: World
    current: AssessmentRound
    previous: AssessmentRound


def build_generated() -> Generated:
    world = build_world()
    for number in range(20):
        LocalGovernmentFactory(
            district=world.district if number % 2 else world.other_district_same_province,
            dla_code=f"75{number:05d}",
            type=TYPES[number % len(TYPES)],
            latitude=Decimal("18.5") + Decimal(number) / 100,
            longitude=Decimal("98.8") + Decimal(number) / 100,
        )
    generator.sample_framework()
    generator.generate(seed=3, province_codes=["50"])
    current, previous = AssessmentRound.objects.order_by("-fiscal_year")[:2]
    # The generator writes no permalinks; an acceptance would have made one for each final return.
    for assessment_id in Assessment.objects.unscoped().filter(status=Status.ACCEPTED).values_list("pk", flat=True):
        publish_link(assessment_id)
    return Generated(world, current, previous)


@pytest.fixture(scope="module")
def module_generated(module_rows):
    return module_rows.build(build_generated)


@pytest.fixture
def generated(db, module_rows, module_generated) -> Generated:
    return module_rows.get(module_generated, build_generated)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
