"""Yes/no answers read in the framework's words (มี / ไม่มี by default), not ใช่ / ไม่ใช่ (issue 16)."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from localstandards.frameworks.models import Framework
from localstandards.frameworks.services import create_from_spec, framework_to_spec
from localstandards.frameworks.workbook import build_workbook, parse_workbook
from localstandards.reports import services
from tests.assessments.factories import YESNO
from tests.frameworks.factories import small_spec
from tests.frameworks.test_workbook import edit
from tests.reports.conftest import store_answers
from tests.reports.pdf_pages import page_texts

pytestmark = pytest.mark.django_db


def test_the_results_page_prints_the_framework_words(assessment, users, client_for):
    store_answers(assessment, yesno=True)
    response = client_for(users.staff).get(reverse("reports:results", args=[assessment.pk]))
    row = next(row for row in response.context["results"].rows if row.code == YESNO)
    assert row.answer_text == "มี"
    html = response.content.decode()
    assert '<td class="num" data-label="การจัดบริการสาธารณะ (2)">มี</td>' in html
    assert ">ใช่<" not in html


def test_a_no_answer_reads_mai_mi_in_the_plan_and_the_pdf(assessment, users, client_for):
    store_answers(assessment, yesno=False)
    plan = client_for(users.staff).get(reverse("reports:plan", args=[assessment.pk]))
    rows = list(load_workbook(io.BytesIO(plan.content)).active.iter_rows(values_only=True))
    header = next(row for row in rows if row and row[2] == "รหัส")
    (yesno,) = [row for row in rows if row and row[2] == YESNO]
    assert yesno[header.index("การจัดบริการสาธารณะ (2)")] == "ไม่มี"
    assert yesno[header.index("ผลที่ได้")] == "ไม่มี"
    pages = page_texts(services.results_pdf_document(services.build_results(assessment, standing=False)))
    text = " ".join(pages)
    assert re.search(rf"{re.escape(YESNO)} [^–]+ – – ไม่มี – ", text), text  # target, (1), (2) of the yes/no row
    assert "ไม่ใช่" not in text


def test_the_words_come_from_the_workbook_and_round_trip():
    spec = small_spec()
    spec["framework"].update(yes_text="ดำเนินการ", no_text="ไม่ได้ดำเนินการ")
    data = build_workbook(spec)
    assert parse_workbook(data) == spec
    framework = create_from_spec(parse_workbook(data))
    assert (framework.yes_text, framework.no_text) == ("ดำเนินการ", "ไม่ได้ดำเนินการ")
    assert framework_to_spec(framework) == spec
    with translation.override("th"):
        assert (framework.answer_text(True), framework.answer_text(False), framework.answer_text(None)) == (
            "ดำเนินการ",
            "ไม่ได้ดำเนินการ",
            "",
        )
    with translation.override("en"):
        assert (framework.yes_word, framework.no_word) == ("Yes", "No")


def test_empty_cells_read_mi_and_mai_mi():
    data = edit(build_workbook(small_spec()), {("framework", "F3"): None, ("framework", "G3"): None})
    header = parse_workbook(data)["framework"]
    assert (header["yes_text"], header["no_text"]) == ("มี", "ไม่มี")
    assert (Framework().yes_text, Framework().no_text) == ("มี", "ไม่มี")


def test_the_same_word_for_yes_and_no_is_refused():
    from localstandards.frameworks.workbook import WorkbookError

    data = edit(build_workbook(small_spec()), {("framework", "F3"): "มี", ("framework", "G3"): "มี"})
    with translation.override("en"), pytest.raises(WorkbookError) as caught:
        parse_workbook(data)
    assert [(p.sheet, p.cell, p.message) for p in caught.value.problems] == [
        ("framework", "G3", "A no answer must read differently from a yes answer (“มี”).")
    ]


def test_the_review_history_and_entry_pages_use_the_same_words(submitted, users, client_for):
    review = client_for(users.district_officer).get(reverse("assessments:review", args=[submitted.pk]))
    assert review.status_code == 200
    html = review.content.decode()
    assert 'class="num">มี</td>' in html and ">ใช่<" not in html
    indicator = submitted.framework.indicators.get(code=YESNO)
    history = client_for(users.staff).get(reverse("assessments:history", args=[submitted.pk, indicator.pk]))
    assert '<td data-label="ค่าใหม่">มี</td>' in history.content.decode()
    entry = client_for(users.staff).get(reverse("assessments:area", args=[submitted.pk, indicator.mission.area.code]))
    labels = entry.content.decode()
    assert ">มี</label>" in labels and ">ไม่มี</label>" in labels and ">ใช่</label>" not in labels


def test_the_framework_page_shows_the_words(users, client_for):
    from tests.frameworks.factories import make_framework

    framework = make_framework(published=True)
    page = client_for(users.staff).get(reverse("frameworks:detail", args=[framework.pk])).content.decode()
    assert "คำตอบของเกณฑ์ชนิดมี/ไม่มีแสดงว่า:</span> มี / ไม่มี" in page
