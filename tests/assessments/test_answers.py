"""Answers: validation in plain words, the result label, version conflicts (no lost write) and history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from localstandards.assessments import services
from localstandards.assessments.models import Answer, Assessment, SatisfactionAnswer
from localstandards.frameworks.models import lg_word
from localstandards.frameworks.services import create_from_spec, publish_framework
from tests.assessments import factories
from tests.assessments.factories import COUNT, RATIO, YESNO
from tests.html import find, text

pytestmark = pytest.mark.django_db


def _stored(assessment, code):
    return Answer.objects.unscoped().get(assessment=assessment, indicator__code=code)


# ---------------------------------------------------------------- what officers type


@pytest.mark.parametrize(
    ("base", "delivered", "stored"),
    [
        ("๑๒๓", "๑๒", (Decimal("123"), Decimal("12"))),
        ("1,234.5", "1,000", (Decimal("1234.5"), Decimal("1000"))),
        (" 10 ", "8", (Decimal("10"), Decimal("8"))),
        ("0.125", "0", (Decimal("0.125"), Decimal("0"))),
        ("0", "", (Decimal("0"), None)),
    ],
)
def test_numbers_are_read_as_officers_type_them(assessment, users, base, delivered, stored):
    factories.answer(assessment, RATIO, users.staff, base=base, delivered=delivered)
    answer = _stored(assessment, RATIO)
    assert (answer.base, answer.delivered) == stored


@pytest.mark.parametrize(
    ("code", "raw", "errors"),
    [
        (RATIO, {"base": "สิบ", "delivered": "5"}, {"base": "Enter a number."}),
        (RATIO, {"base": "10", "delivered": "5 คน"}, {"delivered": "Enter a number."}),
        (RATIO, {"base": "-10", "delivered": "5"}, {"base": "The number cannot be negative."}),
        (RATIO, {"base": "10", "delivered": "-1"}, {"delivered": "The number cannot be negative."}),
        (
            RATIO,
            {"base": "10", "delivered": "11"},
            {"delivered": "What was delivered (2) cannot be more than the base (1)."},
        ),
        (
            RATIO,
            {"base": "0", "delivered": "3"},
            {"delivered": "With a base of 0 (no such service) nothing can be delivered; leave (2) empty."},
        ),
        (RATIO, {"base": "1.2345", "delivered": "1"}, {"base": "Use at most 3 decimals."}),
        (COUNT, {"count": "2.5"}, {"count": "Enter a whole number."}),
        (COUNT, {"count": "-2"}, {"count": "The number cannot be negative."}),
        (COUNT, {"count": "สอง"}, {"count": "Enter a number."}),
        (YESNO, {"answer": "maybe"}, {"answer": "Choose yes or no."}),
    ],
)
def test_bad_input_is_refused_with_a_message_next_to_the_field(assessment, users, code, raw, errors):
    with translation.override("en"), pytest.raises(services.InvalidAnswer) as error:
        factories.answer(assessment, code, users.staff, **raw)
    assert {k: str(v) for k, v in error.value.errors.items()} == errors
    assert not Answer.objects.unscoped().filter(assessment=assessment, version__gt=0).exists()


def test_a_count_written_with_thai_digits_and_commas_is_a_whole_number(assessment, users):
    factories.answer(assessment, COUNT, users.staff, count="๑,๒๐๐")
    assert _stored(assessment, COUNT).count == 1200


def test_the_htmx_endpoint_shows_the_message_next_to_the_field(assessment, users, client_for):
    ratio = factories.indicator(assessment.framework, RATIO)
    with translation.override("th"):
        expected = str(gettext("What was delivered (2) cannot be more than the base (1)."))
    response = client_for(users.staff).post(
        reverse("assessments:save-indicator", args=[assessment.pk, ratio.pk]),
        {f"i{ratio.pk}-version": "0", f"i{ratio.pk}-base": "10", f"i{ratio.pk}-delivered": "12"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert expected in text(find(body, id=f"i{ratio.pk}-err-delivered"))
    assert not Answer.objects.unscoped().filter(assessment=assessment, version__gt=0).exists()


# ---------------------------------------------------------------- result labels


@pytest.mark.parametrize(
    ("code", "raw", "label", "percentage"),
    [
        (RATIO, {"base": "10", "delivered": "8"}, "ABOVE", Decimal("80.00")),
        (RATIO, {"base": "10", "delivered": "7"}, "DEVELOP", Decimal("70.00")),
        (RATIO, {"base": "3", "delivered": "2"}, "DEVELOP", Decimal("66.67")),
        (RATIO, {"base": "0", "delivered": ""}, "NO_SERVICE", None),
        (RATIO, {"base": "10", "delivered": "0"}, "NOT_DONE", Decimal("0.00")),
        (RATIO, {"base": "10", "delivered": ""}, None, None),
        (COUNT, {"count": "2"}, "ABOVE", None),
        (COUNT, {"count": "1"}, "DEVELOP", None),
        (COUNT, {"count": "0"}, "NOT_DONE", None),
        (YESNO, {"answer": "yes"}, "ABOVE", None),
        (YESNO, {"answer": "no"}, "DEVELOP", None),
    ],
)
def test_the_result_label_follows_the_target(assessment, users, code, raw, label, percentage):
    result = factories.answer(assessment, code, users.staff, **raw)
    assert result.outcome.label == label
    assert result.outcome.percentage_display == percentage


def test_the_area_page_shows_the_percentage_and_the_thai_label(assessment, users, client_for):
    factories.answer(assessment, RATIO, users.staff, base=10, delivered=8)
    factories.answer(assessment, COUNT, users.staff, count=0)
    ratio = factories.indicator(assessment.framework, RATIO)
    count = factories.indicator(assessment.framework, COUNT)
    body = client_for(users.staff).get(reverse("assessments:area", args=[assessment.pk, "1"])).content.decode()
    ratio_outcome = text(find(body, id=f"i{ratio.pk}-outcome"))
    count_outcome = text(find(body, id=f"i{count.pk}-outcome"))
    assert "80.00%" in ratio_outcome
    assert "สูงกว่าค่าเป้าหมาย" in ratio_outcome
    assert "ไม่ได้ดำเนินการในปีงบประมาณ" in count_outcome


def test_the_indicator_wording_names_the_type_of_local_government(assessment, users, client_for):
    body = client_for(users.staff).get(reverse("assessments:area", args=[assessment.pk, "1"])).content.decode()
    assert "ร้อยละของถนนของเทศบาลที่ได้รับการบำรุงรักษา" in body
    assert "{lg}" not in body


# ---------------------------------------------------------------- two people, one answer


def test_a_stale_save_gets_the_conflict_with_the_other_value_and_nothing_is_lost(assessment, users, other_staff):
    loaded_by_a = loaded_by_b = 0
    factories.answer(assessment, RATIO, users.staff, version=loaded_by_a, base=10, delivered=8, note="ของ A")
    with pytest.raises(services.VersionConflict) as error:
        factories.answer(assessment, RATIO, other_staff, version=loaded_by_b, base=10, delivered=6)
    current = error.value.current
    assert (current.base, current.delivered, current.note, current.updated_by) == (
        Decimal("10"),
        Decimal("8"),
        "ของ A",
        users.staff,
    )
    assert str(users.staff.get_full_name()) in error.value.message
    stored = _stored(assessment, RATIO)
    assert (stored.delivered, stored.version, stored.updated_by) == (Decimal("8"), 1, users.staff)
    factories.answer(assessment, RATIO, other_staff, version=current.version, base=10, delivered=6)
    stored = _stored(assessment, RATIO)
    assert (stored.delivered, stored.version, stored.updated_by) == (Decimal("6"), 2, other_staff)


def test_a_stale_satisfaction_save_gets_the_conflict(assessment, users, other_staff):
    question = factories.question(assessment.framework)
    raw_a = {"satisfied": "40", "needs_improvement": "10"}
    services.save_satisfaction(assessment, question, users.staff, raw_a, 0)
    with pytest.raises(services.VersionConflict) as error:
        services.save_satisfaction(assessment, question, other_staff, {"satisfied": "1", "needs_improvement": "1"}, 0)
    assert (error.value.current.satisfied, error.value.current.needs_improvement) == (40, 10)
    assert SatisfactionAnswer.objects.unscoped().get(assessment=assessment).satisfied == 40


def test_the_htmx_endpoint_answers_409_with_the_other_persons_value(assessment, users, other_staff, client_for):
    ratio = factories.indicator(assessment.framework, RATIO)
    factories.answer(assessment, RATIO, users.staff, version=0, base=10, delivered=8)
    response = client_for(other_staff).post(
        reverse("assessments:save-indicator", args=[assessment.pk, ratio.pk]),
        {f"i{ratio.pk}-version": "0", f"i{ratio.pk}-base": "10", f"i{ratio.pk}-delivered": "6"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    conflict = text(find(body, css_class="conflict"))
    assert "(1) 10 · (2) 8" in conflict
    assert users.staff.get_full_name() in conflict
    assert _stored(assessment, RATIO).delivered == 8


def test_the_no_javascript_form_reports_the_conflict_instead_of_overwriting(assessment, users, other_staff, client_for):
    ratio = factories.indicator(assessment.framework, RATIO)
    factories.answer(assessment, RATIO, users.staff, version=0, base=10, delivered=8)
    response = client_for(other_staff).post(
        reverse("assessments:area", args=[assessment.pk, "1"]),
        {f"i{ratio.pk}-version": "0", f"i{ratio.pk}-base": "10", f"i{ratio.pk}-delivered": "6"},
    )
    assert response.status_code == 200
    assert "(1) 10 · (2) 8" in response.content.decode()
    assert _stored(assessment, RATIO).delivered == 8


def test_the_no_javascript_form_saves_every_changed_box(assessment, users, client_for):
    ratio = factories.indicator(assessment.framework, RATIO)
    count = factories.indicator(assessment.framework, COUNT)
    question = factories.question(assessment.framework)
    response = client_for(users.staff).post(
        reverse("assessments:area", args=[assessment.pk, "1"]),
        {
            f"i{ratio.pk}-version": "0",
            f"i{ratio.pk}-base": "๑๐",
            f"i{ratio.pk}-delivered": "9",
            f"i{count.pk}-version": "0",
            f"i{count.pk}-count": "4",
            f"q{question.pk}-version": "0",
            f"q{question.pk}-satisfied": "30",
            f"q{question.pk}-needs_improvement": "5",
        },
    )
    assert response.status_code == 302
    assert (_stored(assessment, RATIO).base, _stored(assessment, RATIO).delivered) == (10, 9)
    assert _stored(assessment, COUNT).count == 4
    satisfaction = SatisfactionAnswer.objects.unscoped().get(assessment=assessment)
    assert (satisfaction.satisfied, satisfaction.needs_improvement) == (30, 5)


# ---------------------------------------------------------------- history


def test_history_records_who_when_old_and_new(assessment, users, other_staff):
    factories.answer(assessment, RATIO, users.staff, base=10, delivered=8)
    factories.answer(assessment, RATIO, other_staff, base=10, delivered=9)
    answer = _stored(assessment, RATIO)
    rows = list(answer.history.filter(version__gt=0).order_by("history_date", "history_id"))
    assert [(r.history_user, r.version, r.base, r.delivered) for r in rows] == [
        (users.staff, 1, Decimal("10"), Decimal("8")),
        (other_staff, 2, Decimal("10"), Decimal("9")),
    ]
    assert rows[0].history_date <= rows[1].history_date


def test_each_save_adds_exactly_one_history_row_naming_the_user(assessment, users):
    factories.answer(assessment, RATIO, users.staff, base=10, delivered=8)
    rows = list(_stored(assessment, RATIO).history.all())
    assert [(r.history_user, r.version) for r in rows] == [(users.staff, 1)]


def _history_page(assessment, users, other_staff, client_for):
    factories.answer(assessment, RATIO, users.staff, base=10, delivered=8)
    factories.answer(assessment, RATIO, other_staff, base=10, delivered=9, note="นับใหม่")
    ratio = factories.indicator(assessment.framework, RATIO)
    response = client_for(users.district_officer).get(reverse("assessments:history", args=[assessment.pk, ratio.pk]))
    assert response.status_code == 200
    return response, [(c["who"], c["what"], c["old"], c["new"]) for c in response.context["changes"]]


EXPECTED_CHANGES = [
    ("staff", "base", None, Decimal("10")),
    ("staff", "delivered", None, Decimal("8")),
    ("other", "delivered", Decimal("8"), Decimal("9")),
    ("other", "note", "", "นับใหม่"),
]


def _expected(users, other_staff):
    who = {"staff": users.staff, "other": other_staff}
    return [(who[name], what, old, new) for name, what, old, new in EXPECTED_CHANGES]


def test_the_history_page_shows_each_change_with_who_old_and_new(assessment, users, other_staff, client_for):
    response, changes = _history_page(assessment, users, other_staff, client_for)
    blank = (None, "")
    real = [c for c in changes if c[0] is not None and not (c[2] in blank and c[3] in blank)]
    assert real == _expected(users, other_staff)
    body = response.content.decode()
    assert other_staff.get_full_name() in body
    assert "นับใหม่" in body


def test_the_history_page_lists_no_change_made_by_nobody(assessment, users, other_staff, client_for):
    _response, changes = _history_page(assessment, users, other_staff, client_for)
    assert changes == _expected(users, other_staff)


def _autosave_statements(client, url, data) -> tuple[object, list[str]]:
    """The SQL statements of one HTMX autosave, less the savepoints the test's own transaction adds."""
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data, headers={"HX-Request": "true"})
    sql = [q["sql"] for q in captured.captured_queries]
    return response, [s for s in sql if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_the_autosave_of_one_indicator_is_six_statements(assessment, users, client_for):
    """Deadline day: thousands save at once; one save reads the session, the user, their roles and the return, then
    writes the answer and its history, and nothing else: no framework, evidence or comments (issue 9)."""
    ratio = factories.indicator(assessment.framework, RATIO)
    client = client_for(users.staff)
    url = reverse("assessments:save-indicator", args=[assessment.pk, ratio.pk])
    client.post(url, {f"i{ratio.pk}-version": "0", f"i{ratio.pk}-base": "10", f"i{ratio.pk}-delivered": "5"})
    data = {f"i{ratio.pk}-version": "1", f"i{ratio.pk}-base": "10", f"i{ratio.pk}-delivered": "8"}
    response, statements = _autosave_statements(client, url, data)
    assert response.status_code == 200
    assert _stored(assessment, RATIO).delivered == 8
    assert len(statements) <= 6, statements  # was 36 with the whole return rebuilt
    assert not [s for s in statements if 'FROM "frameworks_' in s or "evidence" in s or "comment" in s]
    assert 'value="2"' in response.content.decode()  # the next save names the new version


def test_the_first_save_of_an_indicator_adds_one_insert(assessment, users, client_for):
    ratio = factories.indicator(assessment.framework, RATIO)
    client = client_for(users.staff)
    url = reverse("assessments:save-indicator", args=[assessment.pk, ratio.pk])
    client.post(reverse("assessments:preview-indicator", args=[assessment.pk, ratio.pk]))  # the tree is kept now
    data = {f"i{ratio.pk}-version": "0", f"i{ratio.pk}-base": "10", f"i{ratio.pk}-delivered": "5"}
    response, statements = _autosave_statements(client, url, data)
    assert response.status_code == 200
    assert len(statements) <= 8, statements  # the UPDATE finds no row, so an INSERT; the return's last activity
    history = list(_stored(assessment, RATIO).history.values_list("history_type", "version", "history_user"))
    assert history == [("+", 1, users.staff.pk)]


def test_guidance_names_the_type_of_local_government_instead_of_lg(world, users, client_for):
    spec = factories.assessment_spec("GUIDE-2567")
    for item in spec["indicators"]:
        item["guidance"] = "นับถนนที่{lg}รับผิดชอบ"
    framework = publish_framework(create_from_spec(spec))
    factories.open_test_round(framework)
    assessment = Assessment.objects.unscoped().get(framework=framework, local_government=world.local_government)
    body = client_for(users.staff).get(reverse("assessments:area", args=[assessment.pk, "1"])).content.decode()
    assert "{lg}" not in body
    assert f"นับถนนที่{lg_word(world.local_government.type)}รับผิดชอบ" in body
