"""Who reviews a return depends on the type of local government: an อบจ. covers the whole province, so its return
skips the district and goes straight to the province (configurable per round; issue 16)."""

from __future__ import annotations

import pytest

from localstandards.assessments.models import Status
from localstandards.registry.models import LocalGovernment, LocalGovernmentType
from tests.assessments import factories

pytestmark = pytest.mark.django_db


def _submitted_return(world, framework, users, lg_type: str, **round_options):
    LocalGovernment.objects.filter(pk=world.local_government.pk).update(type=lg_type)
    assessment_round = factories.open_test_round(framework, **round_options)
    assessment = assessment_round.assessments.select_related("round", "local_government").get(
        local_government=world.local_government
    )
    factories.fill_return(assessment, users.staff)
    return factories.certify(assessment, users.head)


def test_a_provincial_administrative_organisation_goes_straight_to_the_province(world, framework, users):
    submitted = _submitted_return(world, framework, users, LocalGovernmentType.PAO)
    assert submitted.status == Status.AWAITING_PROVINCE


def test_a_subdistrict_municipality_goes_to_the_district_first(world, framework, users):
    submitted = _submitted_return(world, framework, users, LocalGovernmentType.SUBDISTRICT)
    assert submitted.status == Status.AWAITING_DISTRICT


def test_the_round_chooses_the_types_reviewed_by_the_province_only(world, framework, users):
    every_pao_to_district = _submitted_return(world, framework, users, LocalGovernmentType.PAO, province_level_types=[])
    assert every_pao_to_district.status == Status.AWAITING_DISTRICT


def test_without_a_provincial_review_the_district_still_reviews_an_obj(world, framework, users):
    submitted = _submitted_return(world, framework, users, LocalGovernmentType.PAO, province_review=False)
    assert submitted.status == Status.AWAITING_DISTRICT


def test_the_district_officer_cannot_act_on_a_province_level_return(world, framework, users):
    from localstandards.assessments import workflow

    submitted = _submitted_return(world, framework, users, LocalGovernmentType.PAO)
    assert not workflow.allowed_transitions(users.district_officer, submitted)
    names = {rule.name for rule in workflow.allowed_transitions(users.province_officer, submitted)}
    assert names == {"province_accept", "province_return"}
