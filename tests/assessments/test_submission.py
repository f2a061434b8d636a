"""Submission: what blocks it, certification, read-only after submission, the receipt, notices and e-mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from localstandards.assessments import services
from localstandards.assessments.models import Answer, Evidence, Status
from localstandards.core.thaidate import format_datetime
from localstandards.notices.models import Notice, OutgoingEmail
from tests.assessments import factories
from tests.assessments.factories import COUNT, RATIO, YESNO, fresh
from tests.html import find, text

pytestmark = pytest.mark.django_db


def _blocker_texts(assessment) -> list[str]:
    with translation.override("en"):
        return [b.text for b in services.submission_blockers(fresh(assessment))]


# ---------------------------------------------------------------- what is missing


def test_an_empty_return_lists_everything_missing_with_links(assessment):
    with translation.override("en"):
        blockers = services.submission_blockers(fresh(assessment))
    ratio, count, yesno = (factories.indicator(assessment.framework, c) for c in (RATIO, COUNT, YESNO))
    question = factories.question(assessment.framework)
    assert [(b.area_code, b.anchor, b.text) for b in blockers] == [
        ("1", f"i{ratio.pk}", "1.1.1 — base (1) missing, evidence missing"),
        ("1", f"i{count.pk}", "1.1.2 — number missing"),
        ("1", f"i{yesno.pk}", "1.1.3 — yes / no missing"),
        ("1", f"q{question.pk}", "S1 — satisfaction counts missing"),
    ]


def test_submit_is_refused_while_anything_is_missing(assessment, users):
    with translation.override("en"), pytest.raises(services.AssessmentError) as error:
        factories.certify(assessment, users.head)
    assert error.value.message == "The return is not complete yet: 4 items are missing."
    assert fresh(assessment).status == Status.DRAFT


def test_blockers_shrink_as_answers_come_in(assessment, users):
    factories.answer(assessment, RATIO, users.staff, base=10, delivered="")
    assert _blocker_texts(assessment)[0] == "1.1.1 — delivered (2) missing, evidence missing"
    factories.fill_return(assessment, users.staff, evidence=False)
    assert _blocker_texts(assessment) == ["1.1.1 — evidence missing"]
    with pytest.raises(services.AssessmentError):
        factories.certify(assessment, users.head)
    services.attach_evidence(
        assessment, factories.indicator(assessment.framework, RATIO), users.staff, factories.pdf_upload()
    )
    assert _blocker_texts(assessment) == []
    factories.certify(assessment, users.head)
    assert fresh(assessment).status == Status.AWAITING_DISTRICT


def test_half_filled_satisfaction_counts_still_block(assessment, users):
    factories.fill_return(assessment, users.staff)
    question = factories.question(assessment.framework)
    existing = assessment.satisfaction_answers.get()
    services.save_satisfaction(
        assessment, question, users.staff, {"satisfied": "5", "needs_improvement": ""}, existing.version
    )
    assert _blocker_texts(assessment) == ["S1 — satisfaction counts missing"]


def test_no_evidence_is_needed_when_the_ratio_base_is_zero(assessment, users):
    factories.fill_return(assessment, users.staff, base=0, delivered="", evidence=False)
    assert _blocker_texts(assessment) == []
    factories.certify(assessment, users.head)
    assert fresh(assessment).status == Status.AWAITING_DISTRICT


def test_the_submit_page_lists_what_is_missing_with_links(assessment, users, client_for):
    factories.fill_return(assessment, users.staff, evidence=False)
    ratio = factories.indicator(assessment.framework, RATIO)
    response = client_for(users.head).get(reverse("assessments:submit", args=[assessment.pk]))
    body = response.content.decode()
    link = reverse("assessments:area", args=[assessment.pk, "1"]) + f"#i{ratio.pk}"
    assert f'href="{link}"' in body
    assert [b.anchor for b in response.context["blockers"]] == [f"i{ratio.pk}"]


# ---------------------------------------------------------------- certification


@pytest.mark.parametrize(
    ("name", "position", "confirmed", "errors"),
    [
        ("", "นายก", True, {"certifier_name": "Enter the certifier's name."}),
        ("นายสมชาย", "  ", True, {"certifier_position": "Enter the certifier's position."}),
        ("นายสมชาย", "นายก", False, {"confirmed": "Tick the box to certify that the data are correct."}),
    ],
)
def test_certification_needs_name_position_and_the_box(filled, users, name, position, confirmed, errors):
    with translation.override("en"), pytest.raises(services.InvalidAnswer) as error:
        factories.certify(filled, users.head, name=name, position=position, confirmed=confirmed)
    assert {k: str(v) for k, v in error.value.errors.items()} == errors
    assert fresh(filled).status == Status.DRAFT


def test_the_submit_page_refuses_without_the_box_and_says_why(filled, users, client_for):
    response = client_for(users.head).post(
        reverse("assessments:submit", args=[filled.pk]),
        {"certifier_name": "นายสมชาย ใจดี", "certifier_position": "นายกเทศมนตรี"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["confirmed"]
    assert fresh(filled).status == Status.DRAFT


def test_the_head_submits_through_the_page_and_lands_on_the_receipt(filled, users, client_for):
    response = client_for(users.head).post(
        reverse("assessments:submit", args=[filled.pk]),
        {"certifier_name": "นายสมชาย ใจดี", "certifier_position": "นายกเทศมนตรี", "confirmed": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:receipt", args=[filled.pk])
    stored = fresh(filled)
    assert (stored.status, stored.certified_by, stored.certifier_name) == (
        Status.AWAITING_DISTRICT,
        users.head,
        "นายสมชาย ใจดี",
    )


def test_staff_cannot_certify_through_the_page(filled, users, client_for):
    response = client_for(users.staff).post(
        reverse("assessments:submit", args=[filled.pk]),
        {"certifier_name": "x", "certifier_position": "y", "confirmed": "on"},
    )
    assert response.status_code == 200
    assert response.context["may_certify"] is False
    assert fresh(filled).status == Status.DRAFT


# ---------------------------------------------------------------- read-only after submission


def test_after_submission_the_return_is_read_only_for_the_local_government(submitted, users):
    stored = fresh(submitted)
    evidence = Evidence.objects.unscoped().get(assessment=submitted)
    with translation.override("en"):
        for write in (
            lambda: factories.answer(stored, RATIO, users.staff, base=10, delivered=10),
            lambda: factories.answer(stored, COUNT, users.head, count=9),
            lambda: factories.satisfy(stored, users.staff, satisfied=1, needs_improvement=1),
            lambda: services.attach_evidence(
                stored, factories.indicator(stored.framework, RATIO), users.staff, factories.pdf_upload()
            ),
            lambda: services.remove_evidence(evidence, users.staff),
        ):
            with pytest.raises(services.EntryClosed) as error:
                write()
            assert error.value.message == "This return has been submitted and is read-only."
    assert Answer.objects.unscoped().get(assessment=submitted, indicator__code=RATIO).delivered == 8
    assert Evidence.objects.unscoped().filter(assessment=submitted).count() == 1


def test_the_area_page_of_a_submitted_return_has_no_input_that_saves(submitted, users, client_for):
    ratio = factories.indicator(submitted.framework, RATIO)
    body = client_for(users.staff).get(reverse("assessments:area", args=[submitted.pk, "1"])).content.decode()
    assert "data-autosave" not in body
    assert reverse("assessments:save-indicator", args=[submitted.pk, ratio.pk]) not in body
    assert reverse("assessments:upload-evidence", args=[submitted.pk, ratio.pk]) not in body


# ---------------------------------------------------------------- receipt and checksum


def test_the_receipt_shows_the_time_the_certifier_and_the_checksum(submitted, users, client_for):
    stored = fresh(submitted)
    response = client_for(users.staff).get(reverse("assessments:receipt", args=[submitted.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    with translation.override("th"):
        when = format_datetime(stored.submitted_at, "long")
    assert when in body
    assert "นายสมชาย ใจดี, นายกเทศมนตรี" in body
    assert re.fullmatch(r"[0-9a-f]{64}", stored.receipt_checksum)
    assert stored.receipt_checksum in body
    assert stored.receipt_checksum == services.answers_checksum(stored)


def test_there_is_no_receipt_before_submission(filled, users, client_for):
    assert client_for(users.head).get(reverse("assessments:receipt", args=[filled.pk])).status_code == 404


def _return_and_resubmit(submitted, users, *, change: bool) -> tuple[str, str]:
    first = fresh(submitted).receipt_checksum
    ratio = factories.indicator(submitted.framework, RATIO)
    services.return_for_correction(
        fresh(submitted), users.district_officer, "district", reasons={ratio.pk: "ตรวจ"}, reopen_all=False
    )
    if change:
        factories.answer(fresh(submitted), RATIO, users.staff, base=10, delivered=9)
    factories.certify(fresh(submitted), users.head)
    return first, fresh(submitted).receipt_checksum


def test_the_checksum_changes_when_an_answer_changes_between_submissions(submitted, users):
    first, second = _return_and_resubmit(submitted, users, change=True)
    assert first != second


def test_the_checksum_is_the_same_when_nothing_changed(submitted, users):
    first, second = _return_and_resubmit(submitted, users, change=False)
    assert first == second


def test_the_checksum_covers_the_evidence_files(filled, users):
    before = services.answers_checksum(filled)
    services.attach_evidence(
        filled,
        factories.indicator(filled.framework, COUNT),
        users.staff,
        factories.upload("x.png", factories.png_bytes()),
    )
    assert services.answers_checksum(filled) != before


# ---------------------------------------------------------------- notices and e-mail


PEOPLE = {"staff", "head", "district_officer", "province_officer"}


def _recipients(assessment, users) -> set[str]:
    names = {getattr(users, name).pk: name for name in users.__dataclass_fields__}
    return {
        names.get(pk, str(pk))
        for pk in Notice.objects.unscoped().filter(assessment=assessment).values_list("recipient", flat=True)
    }


def test_a_return_for_correction_tells_the_local_government_and_its_reviewers(
    submitted, users, django_capture_on_commit_callbacks
):
    ratio = factories.indicator(submitted.framework, RATIO)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.return_for_correction(
            submitted, users.district_officer, "district", reasons={ratio.pk: "ตรวจ"}, reopen_all=False
        )
    assert _recipients(submitted, users) == PEOPLE
    messages = set(Notice.objects.unscoped().filter(assessment=submitted).values_list("message", flat=True))
    assert messages == {"The return of เทศบาลตำบลหนองป่าครั่ง was returned for correction."}
    # One message per person, so nobody sees the others' addresses.
    assert sorted(tuple(sent.to) for sent in mail.outbox) == sorted((getattr(users, name).email,) for name in PEOPLE)
    for sent in mail.outbox:
        assert "The return of เทศบาลตำบลหนองป่าครั่ง was returned for correction." in sent.subject
        assert reverse("assessments:overview", args=[submitted.pk]) in sent.body


def test_the_final_accept_tells_everyone_and_the_district_accept_tells_no_one(
    submitted, users, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.accept(submitted, users.district_officer, "district")
    assert not Notice.objects.unscoped().exists()
    assert mail.outbox == []
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.accept(submitted, users.province_officer, "province")
    assert _recipients(submitted, users) == PEOPLE
    assert set(Notice.objects.unscoped().values_list("message", flat=True)) == {
        "The return of เทศบาลตำบลหนองป่าครั่ง was accepted."
    }
    assert len(mail.outbox) == len(PEOPLE)


def test_a_reopen_tells_everyone(submitted, users, django_capture_on_commit_callbacks):
    services.accept(submitted, users.district_officer, "district")
    services.accept(submitted, users.province_officer, "province")
    Notice.objects.unscoped().all().delete()
    mail.outbox.clear()  # the acceptance told everyone already
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.reopen(submitted, users.national_admin, "ตรวจใหม่")
    assert _recipients(submitted, users) == PEOPLE
    assert set(Notice.objects.unscoped().values_list("message", flat=True)) == {
        "The return of เทศบาลตำบลหนองป่าครั่ง was reopened."
    }
    assert len(mail.outbox) == len(PEOPLE)


def test_nothing_is_told_when_the_change_is_rolled_back(submitted, users):
    class Undo(Exception):
        pass

    services.accept(submitted, users.district_officer, "district")
    with pytest.raises(Undo), transaction.atomic():
        services.accept(fresh(submitted), users.province_officer, "province")
        raise Undo
    assert fresh(submitted).status == Status.AWAITING_PROVINCE
    assert not Notice.objects.unscoped().exists()
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


def test_reviewers_at_a_level_switched_off_are_not_told(framework, world, users):
    assessment_round = factories.open_test_round(framework, district_review=False)
    assessment = assessment_round.assessments.get(local_government=world.local_government)
    factories.fill_return(assessment, users.staff)
    factories.certify(assessment, users.head)
    services.accept(assessment, users.province_officer, "province")
    assert _recipients(assessment, users) == {"staff", "head", "province_officer"}


def test_the_home_page_shows_the_notice(submitted, users, client_for):
    ratio = factories.indicator(submitted.framework, RATIO)
    with translation.override("en"):
        services.return_for_correction(
            submitted, users.district_officer, "district", reasons={ratio.pk: "ตรวจ"}, reopen_all=False
        )
    body = client_for(users.staff).get(reverse("home")).content.decode()
    assert "The return of เทศบาลตำบลหนองป่าครั่ง was returned for correction." in body
    assert reverse("assessments:overview", args=[submitted.pk]) in body


def test_reviewers_see_the_reason_for_return_next_to_the_indicator(submitted, users, client_for):
    ratio = factories.indicator(submitted.framework, RATIO)
    client = client_for(users.district_officer)
    response = client.post(
        reverse("assessments:review", args=[submitted.pk]),
        {
            "action": "return",
            f"reason-{ratio.pk}": "ภาพถ่ายไม่ชัด",
            "level": "district",
            "version": str(fresh(submitted).version),
        },
    )
    assert response.status_code == 302
    stored = fresh(submitted)
    assert (stored.status, stored.reopened_all) == (Status.RETURNED, False)
    assert list(stored.reopened_indicators.values_list("code", flat=True)) == [RATIO]
    body = client_for(users.staff).get(reverse("assessments:area", args=[submitted.pk, "1"])).content.decode()
    assert "ภาพถ่ายไม่ชัด" in text(find(body, id=f"i{ratio.pk}"))


def test_the_e_mail_link_is_an_absolute_address(submitted, users, django_capture_on_commit_callbacks):
    services.accept(submitted, users.district_officer, "district")
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(submitted, users.province_officer, "province")
    path = reverse("assessments:overview", args=[submitted.pk])
    assert re.search(rf"https?://[^\s/]+{re.escape(path)}", mail.outbox[0].body)


def test_submission_accept_and_reopen_rebuild_the_stored_results(submitted, users):
    from localstandards.scoring.models import ReturnScore

    first = ReturnScore.objects.unscoped().get(assessment=submitted)
    assert first.assessment_status == submitted.status
    services.accept(submitted, users.district_officer, "district")
    services.accept(submitted, users.province_officer, "province")
    assert ReturnScore.objects.unscoped().get(assessment=submitted).assessment_status == "accepted"
    services.reopen(submitted, users.national_admin, "ตรวจใหม่")
    assert ReturnScore.objects.unscoped().get(assessment=submitted).assessment_status == "returned"


def test_coming_back_to_submit_after_submitting_says_when_it_was_submitted(submitted, users, client_for):
    """The head presses Back after submitting: the page says it was submitted, not that only heads may submit."""
    client = client_for(users.head)
    url = reverse("assessments:submit", args=[submitted.pk])
    when = format_datetime(fresh(submitted).submitted_at)
    page = client.get(url).content.decode()
    assert when in page and reverse("assessments:receipt", args=[submitted.pk]) in page
    response = client.post(url, {"certifier_name": "ก", "certifier_position": "ข", "confirmed": "on"}, follow=True)
    assert when in response.content.decode()
    with pytest.raises(services.AssessmentError, match="submitted"), translation.override("en"):
        services.submit(fresh(submitted), users.head, certifier_name="ก", certifier_position="ข", confirmed=True)


def test_the_missing_items_list_is_in_thai(assessment):
    with translation.override("th"):
        texts = [blocker.text for blocker in services.submission_blockers(assessment)]
    assert any("ยังไม่ได้กรอกจำนวนผู้ตอบความพึงพอใจ" in text for text in texts)
    assert not any("satisfaction counts missing" in text for text in texts)


def test_a_decision_posted_twice_is_refused_the_second_time(submitted, users, client_for):
    """A national admin may decide at both levels: the same "accept" posted twice (a double click, Back and submit)
    must not carry the return through the province too."""
    client = client_for(users.national_admin)
    url = reverse("assessments:review", args=[submitted.pk])
    form = {"action": "accept", "level": "district", "version": str(fresh(submitted).version)}
    assert client.post(url, form).status_code == 302
    assert fresh(submitted).status == Status.AWAITING_PROVINCE
    again = client.post(url, form, follow=True)
    assert fresh(submitted).status == Status.AWAITING_PROVINCE
    assert "เปลี่ยนไปแล้ว" in again.content.decode()
    page = client.get(url).content.decode()
    assert 'name="level" value="province"' in page
