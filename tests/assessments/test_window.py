"""The entry window (opening day, last day, extensions) on every write path: services and views."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from localstandards.assessments import services
from localstandards.assessments.models import (
    Answer,
    Assessment,
    Evidence,
    Extension,
    SatisfactionAnswer,
    Status,
    end_of_day,
    start_of_day,
)
from localstandards.core.thaidate import format_date
from tests.assessments import factories
from tests.assessments.factories import RATIO, fresh
from tests.dates import be_date_fields

pytestmark = pytest.mark.django_db
SECOND = dt.timedelta(seconds=1)


def _save_answer(assessment, users, now):
    return factories.answer(assessment, RATIO, users.staff, now=now, base=10, delivered=8)


def _save_satisfaction(assessment, users, now):
    return factories.satisfy(assessment, users.staff, now=now)


def _attach(assessment, users, now):
    ratio = factories.indicator(assessment.framework, RATIO)
    return services.attach_evidence(assessment, ratio, users.staff, factories.pdf_upload(), now=now)


def _remove(assessment, users, now):
    evidence = Evidence.objects.unscoped().get(assessment=assessment)
    return services.remove_evidence(evidence, users.staff, now=now)


def _submit(assessment, users, now):
    return factories.certify(assessment, users.head, now=now)


WRITES = {
    "save_answer": _save_answer,
    "save_satisfaction": _save_satisfaction,
    "attach_evidence": _attach,
    "remove_evidence": _remove,
    "submit": _submit,
}


def _written(assessment, path: str) -> bool:
    """Whether the write of `path` happened (each path leaves its own trace)."""
    if path == "save_answer":
        return Answer.objects.unscoped().filter(assessment=assessment, indicator__code=RATIO, version__gt=0).exists()
    if path == "save_satisfaction":
        return SatisfactionAnswer.objects.unscoped().filter(assessment=assessment, satisfied=40).exists()
    if path == "attach_evidence":
        return Evidence.objects.unscoped().filter(assessment=assessment).exists()
    if path == "remove_evidence":
        return not Evidence.objects.unscoped().filter(assessment=assessment).exists()
    return Assessment.objects.unscoped().get(pk=assessment.pk).status != Status.DRAFT


def _prepare(assessment, users, path):
    """The state each write path starts from (inside the window, written with the real clock)."""
    if path in ("remove_evidence", "submit"):
        factories.fill_return(assessment, users.staff)
    return fresh(assessment)


@pytest.mark.parametrize("path", list(WRITES))
def test_every_write_is_refused_before_the_round_opens(assessment, users, path):
    assessment = _prepare(assessment, users, path)
    before = start_of_day(assessment.round.opens_on) - SECOND
    with translation.override("en"), pytest.raises(services.EntryClosed) as error:
        WRITES[path](assessment, users, before)
    assert error.value.message == f"Data entry opens on {_en_date(assessment.round.opens_on)}."


@pytest.mark.parametrize("path", list(WRITES))
def test_every_write_is_accepted_from_the_first_second_of_the_opening_day(assessment, users, path):
    assessment = _prepare(assessment, users, path)
    WRITES[path](assessment, users, start_of_day(assessment.round.opens_on))
    assert _written(assessment, path)


@pytest.mark.parametrize("path", list(WRITES))
def test_every_write_is_accepted_until_the_last_second_of_the_last_day(assessment, users, path):
    assessment = _prepare(assessment, users, path)
    WRITES[path](assessment, users, end_of_day(assessment.round.closes_on) - SECOND)
    assert _written(assessment, path)


@pytest.mark.parametrize("path", list(WRITES))
def test_every_write_after_the_deadline_fails_with_a_message_naming_the_day(assessment, users, path):
    assessment = _prepare(assessment, users, path)
    evidence_before = Evidence.objects.unscoped().filter(assessment=assessment).count()
    closes_on = assessment.round.closes_on
    with translation.override("en"), pytest.raises(services.EntryClosed) as error:
        WRITES[path](assessment, users, end_of_day(closes_on))
    assert error.value.message == f"The round closed on {_en_date(closes_on)}; data can no longer be changed."
    assert Evidence.objects.unscoped().filter(assessment=assessment).count() == evidence_before
    assert fresh(assessment).status == Status.DRAFT


def test_the_closed_message_names_the_day_in_thai_by_default(closed_assessment, users):
    with translation.override("th"), pytest.raises(services.EntryClosed) as error:
        factories.answer(closed_assessment, RATIO, users.staff, base=1, delivered=1)
    assert format_date(closed_assessment.round.closes_on) in error.value.message
    assert not Answer.objects.unscoped().filter(assessment=closed_assessment).exists()


def _en_date(day: dt.date) -> str:
    with translation.override("en"):
        return format_date(day)


def test_english_dates_are_buddhist_era(assessment):
    assert _en_date(dt.date(2024, 7, 31)) == "31 July B.E. 2567"


# ---------------------------------------------------------------- extensions


def test_a_national_admin_extension_moves_the_deadline_for_that_return_only(assessment, users, world):
    closes_on = assessment.round.closes_on
    after_close = end_of_day(closes_on) + dt.timedelta(hours=5)
    extension = services.grant_extension(assessment, users.national_admin, closes_on + dt.timedelta(days=3), "น้ำท่วม")
    assert (extension.granted_by, extension.reason) == (users.national_admin, "น้ำท่วม")
    assert services.effective_deadline(fresh(assessment)) == end_of_day(closes_on + dt.timedelta(days=3))
    factories.answer(fresh(assessment), RATIO, users.staff, now=after_close, base=10, delivered=8)
    assert Answer.objects.unscoped().get(assessment=assessment, indicator__code=RATIO).delivered == 8
    neighbour = Assessment.objects.unscoped().get(
        round=assessment.round, local_government=world.neighbour_same_district
    )
    assert services.effective_deadline(neighbour) == end_of_day(closes_on)


def test_after_the_extended_day_writes_fail_naming_the_extended_day(assessment, users):
    until = assessment.round.closes_on + dt.timedelta(days=3)
    services.grant_extension(assessment, users.national_admin, until, "น้ำท่วม")
    with translation.override("en"), pytest.raises(services.EntryClosed) as error:
        factories.answer(fresh(assessment), RATIO, users.staff, now=end_of_day(until), base=10, delivered=8)
    assert error.value.message == f"The round closed on {_en_date(until)}; data can no longer be changed."


def test_an_extension_is_recorded_in_history_with_who_granted_it(assessment, users):
    services.grant_extension(
        assessment, users.national_admin, assessment.round.closes_on + dt.timedelta(days=2), "ไฟดับ"
    )
    row = Extension.history.unscoped().get(assessment_id=assessment.pk)
    assert (row.history_type, row.history_user, row.reason) == ("+", users.national_admin, "ไฟดับ")


def test_a_provincial_officer_may_extend_only_when_the_round_allows_it(framework, world, users):
    strict = factories.open_test_round(framework, name="ไม่ให้จังหวัดขยาย")
    lenient = factories.open_test_round(framework, name="ให้จังหวัดขยาย", province_may_extend=True)
    strict_return = strict.assessments.get(local_government=world.local_government)
    lenient_return = lenient.assessments.get(local_government=world.local_government)
    until = strict.closes_on + dt.timedelta(days=2)
    with pytest.raises(services.NotAllowed):
        services.grant_extension(strict_return, users.province_officer, until, "เหตุสุดวิสัย")
    services.grant_extension(lenient_return, users.province_officer, until, "เหตุสุดวิสัย")
    assert list(Extension.objects.unscoped().values_list("assessment_id", flat=True)) == [lenient_return.pk]


@pytest.mark.parametrize("role", ["outsider_province_officer", "district_officer", "head", "staff", "committee_viewer"])
def test_others_may_not_extend_even_when_provinces_may(framework, world, users, role):
    lenient = factories.open_test_round(framework, province_may_extend=True)
    assessment = lenient.assessments.get(local_government=world.local_government)
    with pytest.raises(services.NotAllowed):
        services.grant_extension(assessment, users.by_name(role), lenient.closes_on + dt.timedelta(days=2), "ขอ")
    assert not Extension.objects.unscoped().exists()


@pytest.mark.parametrize(
    ("days_after_close", "reason", "message"),
    [
        (2, "   ", "Give a reason for the extension."),
        (0, "น้ำท่วม", "The new last day must be after the round's last day."),
        (-3, "น้ำท่วม", "The new last day must be after the round's last day."),
    ],
)
def test_an_extension_needs_a_reason_and_a_day_after_the_round(assessment, users, days_after_close, reason, message):
    until = assessment.round.closes_on + dt.timedelta(days=days_after_close)
    with translation.override("en"), pytest.raises(services.AssessmentError) as error:
        services.grant_extension(assessment, users.national_admin, until, reason)
    assert error.value.message == message
    assert not Extension.objects.unscoped().exists()


def test_a_returned_return_may_be_corrected_until_the_review_deadline(assessment, users):
    factories.fill_return(assessment, users.staff)
    factories.certify(assessment, users.head)
    ratio = factories.indicator(assessment.framework, RATIO)
    services.return_for_correction(
        assessment, users.district_officer, "district", reasons={ratio.pk: "ตรวจ"}, reopen_all=False
    )
    after_close = end_of_day(assessment.round.closes_on) + dt.timedelta(days=1)
    factories.answer(fresh(assessment), RATIO, users.staff, now=after_close, base=10, delivered=9)
    with pytest.raises(services.EntryClosed):
        factories.answer(
            fresh(assessment),
            RATIO,
            users.staff,
            now=end_of_day(assessment.round.review_deadline),
            base=10,
            delivered=10,
        )
    assert Answer.objects.unscoped().get(assessment=assessment, indicator=ratio).delivered == 9


# ---------------------------------------------------------------- through the views (the real clock)


@pytest.fixture
def not_open_assessment(framework, world):
    assessment_round = factories.open_test_round(framework, opens_in=3, closes_in=20, review_in=30, name="ยังไม่เปิด")
    return assessment_round.assessments.get(local_government=world.local_government)


def _refusal(assessment, user) -> str:
    """The message the service gives now, in Thai (the language pages are served in by default)."""
    with translation.override("th"), pytest.raises(services.EntryClosed) as error:
        services.check_can_write(fresh(assessment), user)
    return escape(error.value.message)


@pytest.fixture(params=["not_open", "closed"])
def shut(request, users):
    """A return whose window is shut now, and the message a write gets (naming the day)."""
    assessment = request.getfixturevalue("not_open_assessment" if request.param == "not_open" else "closed_assessment")
    message = _refusal(assessment, users.staff)
    day = assessment.round.opens_on if request.param == "not_open" else assessment.round.closes_on
    with translation.override("th"):
        assert format_date(day) in message
    return assessment, message


def test_area_form_post_writes_nothing_and_shows_the_message(shut, users, client_for):
    assessment, message = shut
    ratio = factories.indicator(assessment.framework, RATIO)
    question = factories.question(assessment.framework)
    data = {f"i{ratio.pk}-version": "0", f"i{ratio.pk}-base": "10", f"i{ratio.pk}-delivered": "8"}
    data |= {f"q{question.pk}-version": "0", f"q{question.pk}-satisfied": "5", f"q{question.pk}-needs_improvement": "1"}
    response = client_for(users.staff).post(reverse("assessments:area", args=[assessment.pk, "1"]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Answer.objects.unscoped().filter(assessment=assessment).exists()
    assert not SatisfactionAnswer.objects.unscoped().filter(assessment=assessment).exists()


def test_htmx_save_writes_nothing_and_shows_the_message(shut, users, client_for):
    assessment, message = shut
    ratio = factories.indicator(assessment.framework, RATIO)
    response = client_for(users.staff).post(
        reverse("assessments:save-indicator", args=[assessment.pk, ratio.pk]),
        {f"i{ratio.pk}-version": "0", f"i{ratio.pk}-base": "10", f"i{ratio.pk}-delivered": "8"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Answer.objects.unscoped().filter(assessment=assessment).exists()


def test_question_save_writes_nothing_and_shows_the_message(shut, users, client_for):
    assessment, message = shut
    question = factories.question(assessment.framework)
    response = client_for(users.staff).post(
        reverse("assessments:save-question", args=[assessment.pk, question.pk]),
        {f"q{question.pk}-version": "0", f"q{question.pk}-satisfied": "5", f"q{question.pk}-needs_improvement": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not SatisfactionAnswer.objects.unscoped().filter(assessment=assessment).exists()


def test_evidence_upload_writes_nothing_and_shows_the_message(shut, users, client_for):
    assessment, message = shut
    ratio = factories.indicator(assessment.framework, RATIO)
    response = client_for(users.staff).post(
        reverse("assessments:upload-evidence", args=[assessment.pk, ratio.pk]),
        {"file": factories.pdf_upload("หลักฐาน.pdf")},
        follow=True,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evidence.objects.unscoped().filter(assessment=assessment).exists()


def test_evidence_removal_after_the_deadline_keeps_the_file_and_shows_the_message(closed_assessment, users, client_for):
    inside = end_of_day(closed_assessment.round.closes_on) - dt.timedelta(hours=1)
    ratio = factories.indicator(closed_assessment.framework, RATIO)
    evidence = services.attach_evidence(closed_assessment, ratio, users.staff, factories.pdf_upload(), now=inside)
    message = _refusal(closed_assessment, users.staff)
    response = client_for(users.staff).post(
        reverse("assessments:remove-evidence", args=[closed_assessment.pk, evidence.pk]), follow=True
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Evidence.objects.unscoped().filter(pk=evidence.pk).exists()


def test_submit_after_the_deadline_is_refused_with_the_message(closed_assessment, users, client_for):
    inside = end_of_day(closed_assessment.round.closes_on) - dt.timedelta(hours=1)
    factories.answer(closed_assessment, RATIO, users.staff, now=inside, base=10, delivered=8)
    factories.answer(closed_assessment, factories.COUNT, users.staff, now=inside, count=3)
    factories.answer(closed_assessment, factories.YESNO, users.staff, now=inside, answer="yes")
    factories.satisfy(closed_assessment, users.staff, now=inside)
    ratio = factories.indicator(closed_assessment.framework, RATIO)
    services.attach_evidence(closed_assessment, ratio, users.staff, factories.pdf_upload(), now=inside)
    message = _refusal(closed_assessment, users.head)
    response = client_for(users.head).post(
        reverse("assessments:submit", args=[closed_assessment.pk]),
        {"certifier_name": "นายสมชาย ใจดี", "certifier_position": "นายก", "confirmed": "on"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert fresh(closed_assessment).status == Status.DRAFT


def test_the_pages_of_a_closed_return_say_the_round_is_closed(closed_assessment, assessment, users, client_for):
    client = client_for(users.staff)
    open_page = client.get(reverse("assessments:area", args=[assessment.pk, "1"])).content.decode()
    assert "data-autosave" in open_page
    with translation.override("th"):
        from django.utils.translation import gettext

        closed = escape(gettext("The round is closed: data can no longer be changed."))
    assert closed not in open_page
    for url in (
        reverse("assessments:overview", args=[closed_assessment.pk]),
        reverse("assessments:area", args=[closed_assessment.pk, "1"]),
    ):
        body = client.get(url).content.decode()
        assert closed in body, url
        assert "data-autosave" not in body, url


def test_an_extension_granted_in_the_view_reopens_entry_for_that_return(closed_assessment, users, client_for):
    until = timezone.localdate() + dt.timedelta(days=2)
    response = client_for(users.national_admin).post(
        reverse("assessments:extend", args=[closed_assessment.pk]),
        {**be_date_fields("until", until), "reason": "น้ำท่วม"},
    )
    assert response.status_code == 302
    ratio = factories.indicator(closed_assessment.framework, RATIO)
    response = client_for(users.staff).post(
        reverse("assessments:save-indicator", args=[closed_assessment.pk, ratio.pk]),
        {f"i{ratio.pk}-version": "0", f"i{ratio.pk}-base": "10", f"i{ratio.pk}-delivered": "8"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert Answer.objects.unscoped().get(assessment=closed_assessment, indicator=ratio).delivered == 8


def test_a_provincial_officer_cannot_extend_through_the_view_when_the_round_does_not_allow_it(
    closed_assessment, users, client_for
):
    until = closed_assessment.round.closes_on + dt.timedelta(days=30)
    client_for(users.province_officer).post(
        reverse("assessments:extend", args=[closed_assessment.pk]), {**be_date_fields("until", until), "reason": "ขอ"}
    )
    assert not Extension.objects.unscoped().exists()
