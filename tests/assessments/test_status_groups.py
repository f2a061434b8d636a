"""The groups of statuses: awaiting submission, awaiting review, final."""

from __future__ import annotations

import pytest

from localstandards.assessments.models import Assessment, Extension, Status

pytestmark = pytest.mark.django_db

GROUPS = {
    "awaiting_submission": Status.AWAITING_SUBMISSION,
    "awaiting_review": Status.AWAITING_REVIEW,
    "final": Status.FINAL,
}


def test_every_status_is_in_exactly_one_group():
    members = [status for group in GROUPS.values() for status in group]
    assert sorted(members) == sorted(Status.values)
    assert Status.AWAITING_SUBMISSION == (Status.DRAFT, Status.RETURNED)
    assert Status.AWAITING_REVIEW == (Status.AWAITING_DISTRICT, Status.AWAITING_PROVINCE)
    assert Status.FINAL == (Status.ACCEPTED,)


@pytest.mark.parametrize("status", Status.values)
def test_the_queryset_methods_and_properties_agree_with_the_groups(status, assessment, users):
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    Extension.objects.create(
        assessment=assessment, until=assessment.round.closes_on, reason="-", granted_by=users.national_admin
    )
    for name, group in GROUPS.items():
        in_group = status in group
        assert getattr(assessment, f"is_{name}") is in_group, name
        assert getattr(Assessment.objects.unscoped(), name)().filter(pk=assessment.pk).exists() is in_group, name
        # Through a relation, as the other apps filter their rows by the return's status.
        assert Extension.objects.unscoped().filter(assessment__status__in=group).exists() is in_group, name
