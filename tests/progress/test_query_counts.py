"""The not-submitted list and its downloads run the same number of queries for 3 or 17 local governments: the
count, the page and each row's progress and contacts are read per page (or per batch), never per row."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from localstandards.accounts.models import Role
from localstandards.assessments.models import Answer, Assessment, SatisfactionAnswer
from tests.assessments import factories
from tests.assessments.factories import RATIO
from tests.factories import LocalGovernmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def grow(assessment_round, district, how_many: int) -> None:
    """More local governments not yet submitted, each with two people to call and two saved answers."""
    framework = assessment_round.framework
    for n in range(how_many):
        lg = LocalGovernmentFactory(district=district, dla_code=f"6{district.code}{50 + n:02d}")
        assessment = Assessment.objects.create(
            round=assessment_round,
            local_government=lg,
            framework=framework,
            last_activity_at=timezone.now() if n % 2 else None,
        )
        for role in (Role.LG_STAFF, Role.LG_HEAD):
            MembershipFactory(user=UserFactory(phone="053-000-000"), role=role, local_government=lg)
        Answer.objects.create(assessment=assessment, indicator=factories.indicator(framework, RATIO), base=1, version=1)
        SatisfactionAnswer.objects.create(assessment=assessment, question=factories.question(framework), version=1)


def get(client, url: str, params: dict):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.getvalue() if response.streaming else response.content


def queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        get(client, url, params)
    return len(captured)


@pytest.mark.parametrize(
    "params",
    [{}, {"order": "progress"}, {"order": "activity"}, {"state": "in_progress"}, {"format": "csv"}, {"format": "xlsx"}],
)
def test_more_rows_cost_no_more_queries(open_round, world, users, client_for, django_assert_max_num_queries, params):
    client = client_for(users.province_officer)
    url = reverse("progress:laggards", args=[open_round.pk, "province", world.province.code])
    grow(open_round, world.district, 2)  # one of them in progress: each filter has a row
    get(client, url, params)  # anything loaded once per process is loaded now
    few = queries(client, url, params)
    grow(open_round, world.other_district_same_province, 13)
    with django_assert_max_num_queries(few):
        body = get(client, url, params)
    if params.get("format") == "csv":
        assert len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) == 1 + 3 + 15  # the header and every row


def test_the_progress_order_puts_the_least_advanced_first(open_round, world, users, client_for):
    grow(open_round, world.district, 2)  # 2 of the framework's answers saved each; the world's returns have none
    url = reverse("progress:laggards", args=[open_round.pk, "province", world.province.code])
    items = client_for(users.province_officer).get(url, {"order": "progress"}).context["items"]
    percents = [item.progress_percent for item in items]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] > 0
