"""for_user on the models of a return, and the pages built on it: each role sees the returns of its scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from localstandards.assessments.models import Answer, Assessment, Evidence, SatisfactionAnswer, Status
from tests.assessments import factories
from tests.assessments.factories import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_returns(assessment, users, world, open_round):
    """Our return filled by our staff, and the outside province's return filled by its staff."""
    factories.fill_return(assessment, users.staff)
    outside = open_round.assessments.get(local_government=world.outside_local_government)
    factories.fill_return(outside, users.outsider_staff)
    return assessment, outside


VISIBLE_LGS = {
    "staff": {"local_government"},
    "head": {"local_government"},
    "district_officer": {"local_government", "neighbour_same_district"},
    "province_officer": {"local_government", "neighbour_same_district", "local_government_other_district"},
    "national_admin": {
        "local_government",
        "neighbour_same_district",
        "local_government_other_district",
        "outside_local_government",
    },
    "committee_viewer": {
        "local_government",
        "neighbour_same_district",
        "local_government_other_district",
        "outside_local_government",
    },
    "outsider_staff": {"outside_local_government"},
    "outsider_province_officer": {"outside_local_government"},
    "no_role": set(),
}


@pytest.mark.parametrize("role", list(VISIBLE_LGS))
def test_assessment_for_user_is_the_scope(open_round, world, users, role):
    expected = {getattr(world, name).pk for name in VISIBLE_LGS[role]}
    seen = set(Assessment.objects.for_user(users.by_name(role)).values_list("local_government_id", flat=True))
    assert seen == expected


@pytest.mark.parametrize("role", list(VISIBLE_LGS))
def test_answers_evidence_and_comments_follow_the_return_scope(two_returns, world, users, role):
    ours, outside = two_returns
    expected = {
        pk
        for pk, name in ((ours.pk, "local_government"), (outside.pk, "outside_local_government"))
        if name in VISIBLE_LGS[role]
    }
    user = users.by_name(role)
    assert set(Answer.objects.for_user(user).values_list("assessment_id", flat=True)) == expected
    # A committee viewer reads results, not the evidence files behind them (tests/accounts/test_committee_viewer.py).
    evidence_expected = set() if role == "committee_viewer" else expected
    assert set(Evidence.objects.for_user(user).values_list("assessment_id", flat=True)) == evidence_expected
    assert set(SatisfactionAnswer.objects.for_user(user).values_list("assessment_id", flat=True)) == expected


def test_an_inactive_user_sees_nothing(two_returns, users):
    users.national_admin.is_active = False
    users.national_admin.save()
    assert not Assessment.objects.for_user(users.national_admin).exists()
    assert not Answer.objects.for_user(users.national_admin).exists()


def test_the_list_shows_only_returns_in_scope(open_round, users, client_for):
    response = client_for(users.district_officer).get(reverse("assessments:list"))
    names = {a.local_government.name_th for a in response.context["page"].object_list}
    assert names == {"หนองป่าครั่ง", "สันผีเสื้อ"}


def test_staff_of_the_return_see_it_in_draft(assessment, users, client_for):
    response = client_for(users.staff).get(reverse("assessments:overview", args=[assessment.pk]))
    assert response.status_code == 200
    assert fresh(assessment).status == Status.DRAFT


def test_the_returns_list_says_how_many_returns_and_which_are_shown(open_round, users, client_for):
    """Large lists page by 50 and say so (issue 16): “แสดง 1–7 จาก 7”."""
    expected = open_round.assessments.count()
    body = client_for(users.national_admin).get(reverse("assessments:list")).content.decode()
    assert f"แสดง 1–{expected} จาก {expected}" in body
