"""A constructed round for the national results, with every figure worked out by hand in the tests.

The framework is the test framework (area 1 ⊃ mission 1.1: 1.1.1 ratio target 80 %, 1.1.2 count target 2,
1.1.3 yes/no) plus 1.1.4, a count with target 1 that applies to SAOs only. Satisfaction 40 / 10 everywhere
(80 %), so an overall score is 0.8 × compliance + 0.2 × 80.

  LG1    SUBDISTRICT  district 5001 (province 50, north)  1.1.1 9/10 ABOVE · 1.1.2 3 ABOVE · 1.1.3 yes
  LG2    SAO          district 5001                       1.1.1 5/10 DEVELOP (short 3) · 1.1.2 1 DEVELOP (short 1)
                                                          · 1.1.3 no DEVELOP (short 1) · 1.1.4 0 NOT_DONE (short 1)
  LG3    SAO          district 5002 (province 50)         1.1.1 base 0 NO_SERVICE · 1.1.2 2 · 1.1.3 yes · 1.1.4 2
  LG_OUT SAO          district 9001 (province 90, south)  1.1.1 8/10 · 1.1.2 2 · 1.1.3 yes · 1.1.4 1
All four are accepted (final); the round's other returns stay drafts.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from localstandards.assessments.models import Answer, Assessment, SatisfactionAnswer, Status
from localstandards.frameworks.services import create_from_spec, publish_framework
from localstandards.registry.models import LocalGovernment, LocalGovernmentType
from localstandards.scoring.services import rescore_assessment
from tests.assessments import factories

SAO_ONLY = "1.1.4"


def analysis_spec(code: str = "A-2567") -> dict:
    spec = copy.deepcopy(factories.assessment_spec(code))
    extra = copy.deepcopy(spec["indicators"][1])
    extra.update(code=SAO_ONLY, wording="จำนวนจุดเสี่ยงที่{lg}แก้ไข", count_unit="แห่ง", target="1", applies_to=["SAO"])
    spec["indicators"].append(extra)
    return spec


ANSWERS = {
    "LG1": {"1.1.1": (10, 9), "1.1.2": 3, "1.1.3": True},
    "LG2": {"1.1.1": (10, 5), "1.1.2": 1, "1.1.3": False, SAO_ONLY: 0},
    "LG3": {"1.1.1": (0, None), "1.1.2": 2, "1.1.3": True, SAO_ONLY: 2},
    "LG_OUT": {"1.1.1": (10, 8), "1.1.2": 2, "1.1.3": True, SAO_ONLY: 1},
}


def store(assessment, answers: dict) -> None:
    framework = assessment.framework
    for code, value in answers.items():
        indicator = factories.indicator(framework, code)
        if indicator.kind == "ratio":
            base, delivered = value
            Answer.objects.create(
                assessment=assessment,
                indicator=indicator,
                base=Decimal(base),
                delivered=None if delivered is None else Decimal(delivered),
            )
        elif indicator.kind == "count":
            Answer.objects.create(assessment=assessment, indicator=indicator, count=value)
        else:
            Answer.objects.create(assessment=assessment, indicator=indicator, answer=value)
    SatisfactionAnswer.objects.create(
        assessment=assessment, question=factories.question(framework), satisfied=40, needs_improvement=10
    )


def accept(assessment) -> None:
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=Status.ACCEPTED)
    assessment.refresh_from_db()
    rescore_assessment(assessment)  # sends results_changed: the aggregates follow (tasks run in-process)


def build_round(world, *, code: str = "A-2567", name: str = "รอบทดสอบ", answers=ANSWERS, opens_in: int = -10):
    LocalGovernment.objects.filter(
        pk__in=[
            world.neighbour_same_district.pk,
            world.local_government_other_district.pk,
            world.outside_local_government.pk,
        ]
    ).update(type=LocalGovernmentType.SAO)
    framework = publish_framework(create_from_spec(analysis_spec(code)))
    assessment_round = factories.open_test_round(framework, name=name, opens_in=opens_in)
    lgs = {
        "LG1": world.local_government,
        "LG2": world.neighbour_same_district,
        "LG3": world.local_government_other_district,
        "LG_OUT": world.outside_local_government,
    }
    returns = {}
    for key, lg in lgs.items():
        assessment = Assessment.objects.unscoped().get(round=assessment_round, local_government=lg)
        if key in answers:
            store(assessment, answers[key])
            accept(assessment)
        returns[key] = assessment
    return assessment_round, returns


@pytest.fixture
def analysed_round(world, users):
    return build_round(world)
