"""A return's last day (the round's, or a later extension): the SQL annotation and the Python rules agree."""

from __future__ import annotations

import datetime as dt

import pytest

from localstandards.assessments import services
from localstandards.assessments.models import (
    Assessment,
    Extension,
    Status,
    end_of_day,
    last_day_of_entry,
    last_day_to_write,
)

pytestmark = pytest.mark.django_db


def _with_last_day(round_) -> dict[int, Assessment]:
    return {a.pk: a for a in round_.assessments.with_last_day().select_related("round").prefetch_related("extensions")}


def test_the_last_day_annotation_agrees_with_effective_deadline(open_round, world, users):
    closes_on = open_round.closes_on
    own = open_round.assessments.get(local_government=world.local_government)
    for days in (3, 7, 5):  # the latest day counts, not the latest grant
        services.grant_extension(own, users.national_admin, closes_on + dt.timedelta(days=days), "น้ำท่วม")
    earlier = open_round.assessments.get(local_government=world.neighbour_same_district)
    Extension.objects.create(  # never granted by the service (it must be after the round's day), still harmless
        assessment=earlier, until=closes_on - dt.timedelta(days=2), reason="-", granted_by=users.national_admin
    )
    returns = _with_last_day(open_round)
    assert returns[own.pk].last_day == closes_on + dt.timedelta(days=7)
    assert returns[earlier.pk].last_day == closes_on
    assert {a.last_day for pk, a in returns.items() if pk not in (own.pk, earlier.pk)} == {closes_on}
    for item in returns.values():
        assert end_of_day(item.last_day) == services.effective_deadline(item)
        assert last_day_of_entry(closes_on, [e.until for e in item.extensions.all()]) == item.last_day


def test_the_last_day_of_a_whole_round_is_one_query(open_round, users, django_assert_num_queries):
    later = open_round.closes_on + dt.timedelta(days=1)
    for item in open_round.assessments.all():
        Extension.objects.create(assessment=item, until=later, reason="-", granted_by=users.national_admin)
    with django_assert_num_queries(1):
        days = [a.last_day for a in open_round.assessments.with_last_day()]
    assert days == [later] * 4


@pytest.mark.parametrize("status", Status.values)
def test_last_day_to_write_agrees_with_entry_deadline(status, assessment, users):
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=status)
    services.grant_extension(assessment, users.national_admin, assessment.round.closes_on + dt.timedelta(days=2), "-")
    item = _with_last_day(assessment.round)[assessment.pk]
    last_day = last_day_to_write(item.last_day, item.status, item.round.review_deadline)
    assert end_of_day(last_day) == services.entry_deadline(item)
    expected = item.round.review_deadline if status == Status.RETURNED else item.last_day
    assert last_day == expected
