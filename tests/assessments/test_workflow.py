"""The return's state machine: one test per transition in workflow.TRANSITIONS and per forbidden move."""

from __future__ import annotations

import pytest
from django.utils import translation

from localstandards.assessments import services, workflow
from localstandards.assessments.models import Assessment, Comment, ReviewLevel, Status
from tests.assessments import factories
from tests.assessments.factories import COUNT, RATIO, YESNO, fresh
from tests.conftest import USER_NAMES

pytestmark = pytest.mark.django_db


def _status(assessment) -> str:
    return Assessment.objects.unscoped().values_list("status", flat=True).get(pk=assessment.pk)


def _return(assessment, user, level="district", *, codes=(RATIO,), reopen_all=False):
    reasons = {factories.indicator(assessment.framework, code).pk: f"แก้ไข {code}" for code in codes}
    return services.return_for_correction(assessment, user, level, reasons=reasons, reopen_all=reopen_all)


def _to_province(submitted, users):
    return services.accept(submitted, users.district_officer, "district")


def _accepted(submitted, users):
    services.accept(submitted, users.district_officer, "district")
    return services.accept(submitted, users.province_officer, "province")


def test_the_transition_table_is_the_one_the_issue_describes():
    table = {name: (set(t.sources), t.actor) for name, t in workflow.TRANSITIONS.items()}
    assert table == {
        "submit": ({Status.DRAFT}, "head"),
        "resubmit": ({Status.RETURNED}, "head"),
        "district_accept": ({Status.AWAITING_DISTRICT}, "district"),
        "district_return": ({Status.AWAITING_DISTRICT}, "district"),
        "province_accept": ({Status.AWAITING_PROVINCE}, "province"),
        "province_return": ({Status.AWAITING_PROVINCE}, "province"),
        "reopen": ({Status.ACCEPTED}, "national"),
    }


# ---------------------------------------------------------------- each allowed transition


def test_submit_moves_a_draft_to_the_district_and_records_the_certification(filled, users):
    factories.certify(filled, users.head, name="นายสมชาย ใจดี", position="นายกเทศมนตรี")
    stored = fresh(filled)
    assert stored.status == Status.AWAITING_DISTRICT
    assert stored.certified_by == users.head
    assert (stored.certifier_name, stored.certifier_position) == ("นายสมชาย ใจดี", "นายกเทศมนตรี")
    assert stored.submitted_at is not None
    assert stored.accepted_at is None


def test_district_accept_sends_the_return_to_the_province(submitted, users):
    services.accept(submitted, users.district_officer, "district")
    assert _status(submitted) == Status.AWAITING_PROVINCE
    assert fresh(submitted).accepted_at is None


def test_district_return_sends_it_back_marked_as_returned_by_the_district(submitted, users):
    _return(submitted, users.district_officer, "district")
    stored = fresh(submitted)
    assert stored.status == Status.RETURNED
    assert stored.returned_level == ReviewLevel.DISTRICT
    reason = Comment.objects.unscoped().get(assessment=submitted, kind=Comment.Kind.RETURN_REASON)
    assert (reason.indicator.code, reason.body, reason.author) == (RATIO, f"แก้ไข {RATIO}", users.district_officer)


def test_province_accept_accepts_the_return(submitted, users):
    _to_province(submitted, users)
    services.accept(submitted, users.province_officer, "province")
    stored = fresh(submitted)
    assert stored.status == Status.ACCEPTED
    assert stored.accepted_at is not None


def test_province_return_sends_it_back_marked_as_returned_by_the_province(submitted, users):
    _to_province(submitted, users)
    _return(submitted, users.province_officer, "province")
    stored = fresh(submitted)
    assert (stored.status, stored.returned_level) == (Status.RETURNED, ReviewLevel.PROVINCE)


def test_resubmit_after_a_district_return_goes_back_to_the_district(submitted, users):
    _return(submitted, users.district_officer, "district")
    factories.answer(submitted, RATIO, users.staff, base=10, delivered=9)
    factories.certify(submitted, users.head)
    stored = fresh(submitted)
    assert stored.status == Status.AWAITING_DISTRICT
    assert stored.returned_level == ""


def test_resubmit_after_a_province_return_skips_the_district_and_goes_back_to_the_province(submitted, users):
    _to_province(submitted, users)
    _return(submitted, users.province_officer, "province")
    factories.certify(submitted, users.head)
    assert _status(submitted) == Status.AWAITING_PROVINCE


def test_reopen_by_a_national_admin_with_a_reason_returns_an_accepted_return(submitted, users):
    _accepted(submitted, users)
    services.reopen(submitted, users.national_admin, "ตัวเลขผิดจากการตรวจสอบภายหลัง")
    stored = fresh(submitted)
    assert (stored.status, stored.returned_level, stored.reopened_all) == (
        Status.RETURNED,
        ReviewLevel.NATIONAL,
        True,
    )
    assert stored.accepted_at is None
    reason = Comment.objects.unscoped().get(assessment=submitted, kind=Comment.Kind.REOPEN_REASON)
    assert (reason.body, reason.author, reason.indicator) == ("ตัวเลขผิดจากการตรวจสอบภายหลัง", users.national_admin, None)


def test_resubmit_after_a_reopen_starts_again_at_the_first_enabled_level(submitted, users):
    _accepted(submitted, users)
    services.reopen(submitted, users.national_admin, "ตรวจใหม่")
    factories.certify(submitted, users.head)
    assert _status(submitted) == Status.AWAITING_DISTRICT


def test_a_national_admin_may_act_at_both_review_levels(submitted, users):
    services.accept(submitted, users.national_admin, "district")
    services.accept(submitted, users.national_admin, "province")
    assert _status(submitted) == Status.ACCEPTED


# ---------------------------------------------------------------- review levels switched off


def test_without_district_review_submit_goes_straight_to_the_province(framework, world, users):
    assessment_round = factories.open_test_round(framework, district_review=False)
    assessment = assessment_round.assessments.get(local_government=world.local_government)
    factories.fill_return(assessment, users.staff)
    factories.certify(assessment, users.head)
    assert _status(assessment) == Status.AWAITING_PROVINCE
    assert workflow.allowed_transitions(users.district_officer, fresh(assessment)) == []


def test_without_province_review_the_district_accept_is_final(framework, world, users):
    assessment_round = factories.open_test_round(framework, province_review=False)
    assessment = assessment_round.assessments.get(local_government=world.local_government)
    factories.fill_return(assessment, users.staff)
    factories.certify(assessment, users.head)
    services.accept(assessment, users.district_officer, "district")
    stored = fresh(assessment)
    assert stored.status == Status.ACCEPTED
    assert stored.accepted_at is not None


def test_without_any_review_a_submission_is_accepted_at_once(framework, world, users):
    assessment_round = factories.open_test_round(framework, district_review=False, province_review=False)
    assessment = assessment_round.assessments.get(local_government=world.local_government)
    factories.fill_return(assessment, users.staff)
    factories.certify(assessment, users.head)
    stored = fresh(assessment)
    assert stored.status == Status.ACCEPTED
    assert stored.accepted_at is not None


def test_without_any_review_a_reopened_return_is_accepted_again_on_resubmission(framework, world, users):
    assessment_round = factories.open_test_round(framework, district_review=False, province_review=False)
    assessment = assessment_round.assessments.get(local_government=world.local_government)
    factories.fill_return(assessment, users.staff)
    factories.certify(assessment, users.head)
    services.reopen(assessment, users.national_admin, "ตรวจใหม่")
    factories.certify(assessment, users.head)
    assert _status(assessment) == Status.ACCEPTED


# ---------------------------------------------------------------- who may do what, in every state

EVERYONE = USER_NAMES
ALLOWED = {
    Status.DRAFT: {"head": {"submit"}},
    Status.AWAITING_DISTRICT: {
        "district_officer": {"district_accept", "district_return"},
        "national_admin": {"district_accept", "district_return"},
    },
    Status.AWAITING_PROVINCE: {
        "province_officer": {"province_accept", "province_return"},
        "national_admin": {"province_accept", "province_return"},
    },
    Status.RETURNED: {"head": {"resubmit"}},
    Status.ACCEPTED: {"national_admin": {"reopen"}},
}


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("role", EVERYONE)
def test_who_may_move_the_return_in_each_state(assessment, users, status, role):
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=status)
    names = {t.name for t in workflow.allowed_transitions(users.by_name(role), fresh(assessment))}
    assert names == ALLOWED[status].get(role, set())


def test_officers_of_other_units_may_do_nothing_in_any_state(assessment, neighbour_head, other_district_officer):
    for status in ALLOWED:
        Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=status)
        stored = fresh(assessment)
        assert workflow.allowed_transitions(neighbour_head, stored) == []
        assert workflow.allowed_transitions(other_district_officer, stored) == []


# ---------------------------------------------------------------- forbidden transitions through the services


def test_staff_can_prepare_but_not_submit(filled, users):
    with pytest.raises(services.NotAllowed):
        factories.certify(filled, users.staff)
    assert _status(filled) == Status.DRAFT


def test_the_head_of_another_local_government_cannot_submit(filled, neighbour_head):
    with pytest.raises(services.NotAllowed):
        factories.certify(filled, neighbour_head)
    assert _status(filled) == Status.DRAFT


def test_a_submitted_return_cannot_be_submitted_again(submitted, users):
    with pytest.raises(services.NotAllowed):
        factories.certify(submitted, users.head)
    assert _status(submitted) == Status.AWAITING_DISTRICT


def test_a_draft_cannot_be_accepted_or_returned(filled, users):
    with pytest.raises(services.NotAllowed):
        services.accept(filled, users.district_officer, "district")
    with pytest.raises(services.NotAllowed):
        _return(filled, users.district_officer, "district")
    assert _status(filled) == Status.DRAFT


def test_a_district_officer_of_another_district_cannot_accept_or_return(submitted, other_district_officer):
    with pytest.raises(services.NotAllowed):
        services.accept(submitted, other_district_officer, "district")
    with pytest.raises(services.NotAllowed):
        _return(submitted, other_district_officer, "district")
    assert _status(submitted) == Status.AWAITING_DISTRICT


def test_the_province_cannot_act_while_the_return_awaits_the_district(submitted, users):
    for level in ("district", "province"):
        with pytest.raises(services.NotAllowed):
            services.accept(submitted, users.province_officer, level)
        with pytest.raises(services.NotAllowed):
            _return(submitted, users.province_officer, level)
    assert _status(submitted) == Status.AWAITING_DISTRICT


def test_the_district_cannot_act_once_the_return_awaits_the_province(submitted, users):
    _to_province(submitted, users)
    for level in ("district", "province"):
        with pytest.raises(services.NotAllowed):
            services.accept(submitted, users.district_officer, level)
    assert _status(submitted) == Status.AWAITING_PROVINCE


def test_a_province_officer_of_another_province_cannot_accept(submitted, users):
    _to_province(submitted, users)
    with pytest.raises(services.NotAllowed):
        services.accept(submitted, users.outsider_province_officer, "province")
    assert _status(submitted) == Status.AWAITING_PROVINCE


def test_the_committee_viewer_can_do_nothing(submitted, users):
    viewer = users.committee_viewer
    with pytest.raises(services.NotAllowed):
        services.accept(submitted, viewer, "district")
    with pytest.raises(services.NotAllowed):
        _return(submitted, viewer, "district")
    _accepted(submitted, users)
    with pytest.raises(services.NotAllowed):
        services.reopen(submitted, viewer, "ขอเปิด")
    assert _status(submitted) == Status.ACCEPTED


def test_an_unknown_level_is_refused(submitted, users):
    with pytest.raises(services.NotAllowed):
        services.accept(submitted, users.national_admin, "national")
    assert _status(submitted) == Status.AWAITING_DISTRICT


def test_only_a_national_admin_may_reopen(submitted, users):
    _accepted(submitted, users)
    for user in (users.province_officer, users.district_officer, users.head):
        with pytest.raises(services.NotAllowed):
            services.reopen(submitted, user, "ขอเปิด")
    assert _status(submitted) == Status.ACCEPTED


def test_reopen_needs_a_reason(submitted, users):
    _accepted(submitted, users)
    with translation.override("en"), pytest.raises(services.AssessmentError) as error:
        services.reopen(submitted, users.national_admin, "   ")
    assert error.value.message == "Give a reason for reopening."
    assert _status(submitted) == Status.ACCEPTED


def test_only_an_accepted_return_can_be_reopened(submitted, users):
    _to_province(submitted, users)
    with pytest.raises(services.NotAllowed):
        services.reopen(submitted, users.national_admin, "ขอเปิด")
    assert _status(submitted) == Status.AWAITING_PROVINCE


def test_a_return_for_correction_needs_a_reason(submitted, users):
    with translation.override("en"), pytest.raises(services.AssessmentError) as error:
        services.return_for_correction(submitted, users.district_officer, "district", reasons={}, reopen_all=False)
    assert error.value.message == "Give a reason for at least one indicator."
    assert _status(submitted) == Status.AWAITING_DISTRICT


def test_two_reviewers_acting_on_the_same_state_cannot_both_succeed(submitted, users):
    first = fresh(submitted)
    second = fresh(submitted)
    services.accept(first, users.district_officer, "district")
    with pytest.raises(services.AssessmentError):
        _return(second, users.national_admin, "district")
    assert _status(submitted) == Status.AWAITING_PROVINCE
    assert not Comment.objects.unscoped().filter(assessment=submitted).exists()


# ---------------------------------------------------------------- what a return reopens


def test_a_partial_return_reopens_only_the_returned_indicators(submitted, users):
    _return(submitted, users.district_officer, "district", codes=(RATIO,))
    stored = fresh(submitted)
    result = factories.answer(stored, RATIO, users.staff, base=10, delivered=9)
    assert result.answer.delivered == 9
    with translation.override("en"):
        for code, raw in ((COUNT, {"count": 5}), (YESNO, {"answer": "no"})):
            with pytest.raises(services.EntryClosed) as error:
                factories.answer(stored, code, users.staff, **raw)
            assert error.value.message == "This indicator was not returned for correction; it is read-only."
        with pytest.raises(services.EntryClosed):
            factories.satisfy(stored, users.staff, satisfied=1, needs_improvement=1)
        with pytest.raises(services.EntryClosed):
            services.attach_evidence(
                stored, factories.indicator(stored.framework, COUNT), users.staff, factories.pdf_upload()
            )
    answers = {a.indicator.code: a for a in stored.answers.select_related("indicator")}
    assert answers[COUNT].count == 3
    assert answers[YESNO].answer is True


def test_evidence_of_an_indicator_not_returned_cannot_be_removed(submitted, users):
    _return(submitted, users.district_officer, "district", codes=(COUNT,))
    evidence = fresh(submitted).evidence.get()
    with pytest.raises(services.EntryClosed):
        services.remove_evidence(evidence, users.staff)
    assert fresh(submitted).evidence.count() == 1


def test_reopen_all_makes_every_indicator_and_question_editable(submitted, users):
    _return(submitted, users.district_officer, "district", codes=(RATIO,), reopen_all=True)
    stored = fresh(submitted)
    factories.answer(stored, COUNT, users.staff, count=5)
    factories.answer(stored, YESNO, users.staff, answer="no")
    factories.satisfy(stored, users.staff, satisfied=41, needs_improvement=9)
    values = {a.indicator.code: (a.count, a.answer) for a in stored.answers.select_related("indicator")}
    assert values[COUNT] == (5, None)
    assert values[YESNO] == (None, False)
    assert stored.satisfaction_answers.get().satisfied == 41


def test_after_resubmission_the_reopened_indicators_are_locked_again(submitted, users):
    _return(submitted, users.district_officer, "district", codes=(RATIO,))
    factories.certify(submitted, users.head)
    with pytest.raises(services.EntryClosed):
        factories.answer(fresh(submitted), RATIO, users.staff, base=10, delivered=10)
