"""Comments are writes like any other: they follow the entry window and the return's state (issue 14)."""

from __future__ import annotations

import pytest

from localstandards.assessments import services
from localstandards.assessments.models import Assessment, AssessmentRound, Comment, Status

pytestmark = pytest.mark.django_db


def test_the_local_government_comments_while_it_may_enter_data(assessment, users):
    services.add_comment(assessment, users.staff, None, "ถามเรื่องหลักฐาน")
    assert Comment.objects.unscoped().filter(assessment=assessment).count() == 1


def test_the_local_government_cannot_comment_on_a_submitted_return(submitted, users):
    with pytest.raises(services.EntryClosed):
        services.add_comment(submitted, users.staff, None, "หลังส่งแล้ว")  # submitted: read-only for the อปท.


def test_the_local_government_cannot_comment_after_the_window(closed_assessment, users):
    with pytest.raises(services.EntryClosed):
        services.add_comment(closed_assessment, users.staff, None, "ช้าไป")
    assert not Comment.objects.unscoped().filter(assessment=closed_assessment).exists()


def test_reviewers_comment_until_the_return_is_final_or_the_review_period_ends(submitted, users):
    services.add_comment(submitted, users.district_officer, None, "ขอภาพถ่ายเพิ่ม")
    Assessment.objects.unscoped().filter(pk=submitted.pk).update(status=Status.ACCEPTED)
    submitted.refresh_from_db()
    with pytest.raises(services.EntryClosed):
        services.add_comment(submitted, users.district_officer, None, "หลังรับรองแล้ว")
    Assessment.objects.unscoped().filter(pk=submitted.pk).update(status=Status.AWAITING_DISTRICT)
    AssessmentRound.objects.filter(pk=submitted.round_id).update(review_deadline=submitted.round.opens_on)
    submitted = Assessment.objects.unscoped().select_related("round").get(pk=submitted.pk)
    with pytest.raises(services.EntryClosed):
        services.add_comment(submitted, users.district_officer, None, "หมดเวลาตรวจ")
    assert Comment.objects.unscoped().filter(assessment=submitted).count() == 1


def test_outsiders_cannot_comment(submitted, users):
    with pytest.raises(services.NotAllowed):
        services.add_comment(submitted, users.outsider_province_officer, None, "จากภายนอก")
