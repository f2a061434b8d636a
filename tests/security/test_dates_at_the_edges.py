"""Dates at the edges: a date far in the future stored before dates were bounded (9999-12-31) does not break any
page, the forms and services refuse such dates with a clear message, and an extension can be cancelled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from localstandards.assessments import services
from localstandards.assessments.models import Assessment, AssessmentRound, Extension
from tests.assessments import factories
from tests.dates import be_date_fields

pytestmark = pytest.mark.django_db
LAST_DAY = dt.date(9999, 12, 31)


@pytest.fixture
def edge_round(world):
    assessment_round = factories.open_test_round(factories.make_published_framework())
    return assessment_round, Assessment.objects.unscoped().get(
        round=assessment_round, local_government=world.local_government
    )


def pages(assessment_round, assessment, users):
    return [
        (users.staff, "/"),
        (users.province_officer, "/"),
        (users.district_officer, "/"),
        (users.national_admin, "/"),
        (users.staff, reverse("assessments:list")),
        (users.staff, reverse("assessments:overview", args=[assessment.pk])),
        (users.staff, reverse("assessments:area", args=[assessment.pk, "1"])),
        (users.national_admin, reverse("progress:level", args=[assessment_round.pk, "nation", "all"])),
        (users.province_officer, reverse("progress:laggards", args=[assessment_round.pk, "province", "50"])),
        (users.national_admin, reverse("assessments:rounds")),
        (users.national_admin, reverse("assessments:round-edit", args=[assessment_round.pk])),
    ]


def test_an_extension_to_the_last_day_of_the_calendar_breaks_no_page(edge_round, users, client_for):
    assessment_round, assessment = edge_round
    Extension.objects.create(assessment=assessment, until=LAST_DAY, reason="เก่า", granted_by=users.national_admin)
    for user, url in pages(assessment_round, assessment, users):
        assert client_for(user).get(url).status_code == 200, url


def test_a_round_ending_on_the_last_day_of_the_calendar_breaks_no_page(edge_round, users, client_for):
    assessment_round, assessment = edge_round
    AssessmentRound.objects.filter(pk=assessment_round.pk).update(closes_on=LAST_DAY, review_deadline=LAST_DAY)
    for user, url in pages(assessment_round, assessment, users):
        assert client_for(user).get(url).status_code == 200, url


def test_an_extension_is_bounded_and_can_be_cancelled_with_a_reason(edge_round, users, client_for):
    assessment_round, assessment = edge_round
    too_far = assessment_round.closes_on + services.MAX_EXTENSION + dt.timedelta(days=1)
    with pytest.raises(services.AssessmentError, match="180"):
        services.grant_extension(assessment, users.national_admin, too_far, "ขอขยาย")
    client = client_for(users.national_admin)
    response = client.post(
        reverse("assessments:extend", args=[assessment.pk]),
        {**be_date_fields("until", too_far), "reason": "ขอขยาย"},
        follow=True,
    )
    assert "180" in response.content.decode() and not Extension.objects.unscoped().exists()
    extension = services.grant_extension(
        assessment, users.national_admin, assessment_round.closes_on + dt.timedelta(days=7), "น้ำท่วม"
    )
    url = reverse("assessments:extension-cancel", args=[assessment.pk, extension.pk])
    refused = client.post(url, {"reason": ""}, follow=True)
    assert Extension.objects.unscoped().filter(pk=extension.pk).exists() and "เหตุผล" in refused.content.decode()
    assert client_for(users.outsider_province_officer).post(url, {"reason": "x"}).status_code == 404
    client.post(url, {"reason": "ให้ผิดแห่ง"})
    assert not Extension.objects.unscoped().filter(pk=extension.pk).exists()
    record = Extension.history.unscoped().filter(id=extension.pk, history_type="-").get()
    assert record.history_user == users.national_admin and record.history_change_reason == "ให้ผิดแห่ง"


def test_round_dates_are_bounded(edge_round):
    opens = dt.date(2024, 6, 1)
    services.check_window(opens, opens + dt.timedelta(days=60), opens + dt.timedelta(days=90))
    with pytest.raises(services.AssessmentError):
        services.check_window(opens, opens + dt.timedelta(days=400), opens + dt.timedelta(days=420))
    with pytest.raises(services.AssessmentError):
        services.check_window(opens, opens + dt.timedelta(days=60), LAST_DAY)
