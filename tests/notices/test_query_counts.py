"""The reminders page of a round runs the same number of queries whatever the number of returns due and of
officers with a digest: the plans are computed from a few queries and one page of them is shown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from localstandards.accounts.models import Role
from localstandards.assessments.models import Assessment
from localstandards.notices import services
from localstandards.notices.models import ReminderSchedule
from tests.dates import be_date_fields
from tests.factories import DistrictFactory, LocalGovernmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def grow(assessment_round, province, first: int, how_many: int) -> None:
    """More districts, each with a district officer (a digest) and a local government with staff (a reminder)."""
    for n in range(first, first + how_many):
        district = DistrictFactory(province=province, code=f"{province.code}{n:02d}")
        MembershipFactory(role=Role.DISTRICT_OFFICER, district=district)
        lg = LocalGovernmentFactory(district=district, dla_code=f"6{district.code}01")
        Assessment.objects.create(round=assessment_round, local_government=lg, framework=assessment_round.framework)
        MembershipFactory(user=UserFactory(), role=Role.LG_STAFF, local_government=lg)


def test_more_reminders_and_digests_cost_no_more_queries(
    open_round, world, users, client_for, django_assert_max_num_queries
):
    day = open_round.closes_on  # every return not submitted gets its last-day reminder
    ReminderSchedule.objects.create(round=open_round, digest_weekday=day.weekday())
    client = client_for(users.national_admin)
    url = reverse("notices:round", args=[open_round.pk])
    params = be_date_fields("date", day)
    grow(open_round, world.province, 60, 1)
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        few = client.get(url, params)
    reminders, digests = few.context["reminder_count"], few.context["digest_count"]
    assert reminders >= 5 and digests >= 2
    grow(open_round, world.province, 70, 12)
    with django_assert_max_num_queries(len(captured)):
        many = client.get(url, params)
    assert (many.context["reminder_count"], many.context["digest_count"]) == (reminders + 12, digests + 12)
    # The totals, counted without loading every person, are what the sender would send.
    assert many.context["message_count"] == services.plan(day, [open_round]).messages
