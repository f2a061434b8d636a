"""The improvement plan's workbook: Buddhist-era date cells, sized columns, a bold header (issue 16)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from localstandards.core.tables import XLSX_DATE_FORMAT
from tests.assessments.factories import RATIO, YESNO
from tests.reports.conftest import make_final, store_answers

pytestmark = pytest.mark.django_db


def plan_sheet(client, assessment):
    response = client.get(reverse("reports:plan", args=[assessment.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def header_row(sheet) -> int:
    return next(row[0].row for row in sheet.iter_rows() if row[2].value == "รหัส")


def test_dates_are_date_cells_shown_in_the_buddhist_era(assessment, users, client_for):
    make_final(assessment, base=10, delivered=5, yesno=False)
    accepted = timezone.make_aware(dt.datetime(2024, 8, 20, 23, 30))  # 20 Aug 2567, late in the evening
    type(assessment).objects.unscoped().filter(pk=assessment.pk).update(accepted_at=accepted)
    assessment.refresh_from_db()
    sheet = plan_sheet(client_for(users.staff), assessment)
    assert (sheet["A3"].value, sheet["A4"].value) == ("จัดทำเมื่อ", "ผลการประเมินได้รับการรับรองเมื่อ")
    made_on, accepted_on = sheet["B3"], sheet["B4"]
    assert made_on.is_date and made_on.value.date() == timezone.localdate()
    assert made_on.number_format == XLSX_DATE_FORMAT == "[$-107041E]d mmm yyyy"
    assert accepted_on.is_date and accepted_on.value.date() == dt.date(2024, 8, 20)  # the Bangkok day
    assert accepted_on.number_format == XLSX_DATE_FORMAT
    header = header_row(sheet)
    titles = [cell.value for cell in sheet[header]]
    assert titles[-2:] == ["ผู้รับผิดชอบ", "กำหนดแล้วเสร็จ"]
    due = sheet.cell(row=header + 1, column=len(titles))
    assert due.value is None and due.number_format == XLSX_DATE_FORMAT  # a date typed in shows in the B.E.


def test_a_provisional_plan_says_so_instead_of_a_date(assessment, users, client_for):
    store_answers(assessment, base=10, delivered=5)
    sheet = plan_sheet(client_for(users.staff), assessment)
    assert (sheet["A4"].value, sheet["B4"].value) == ("ผลการประเมิน", "ผลเบื้องต้น ยังไม่ได้รับการรับรอง")


def test_header_is_bold_frozen_and_filtered_and_columns_fit(assessment, users, client_for):
    store_answers(assessment, base=10, delivered=5, yesno=False)
    sheet = plan_sheet(client_for(users.staff), assessment)
    header = header_row(sheet)
    assert all(cell.font.b for cell in sheet[header])
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.auto_filter.ref == f"A{header}:N{header + 2}"
    assert [sheet.cell(row=r, column=3).value for r in (header + 1, header + 2)] == [RATIO, YESNO]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEN"}
    assert widths["C"] == 10  # the code: narrow
    assert 30 <= widths["D"] <= 60  # the indicator's wording gets the width (capped; it wraps)
    assert widths["E"] < widths["D"]
    shortfall = sheet.cell(row=header + 1, column=10)
    assert (shortfall.value, shortfall.number_format) == (3, "#,##0")  # 80 % × 10 − 5 สายทาง, no ".00"


def test_the_dates_are_real_dates_not_text(assessment, users, client_for):
    store_answers(assessment, base=10, delivered=5)
    sheet = plan_sheet(client_for(users.staff), assessment)
    assert isinstance(sheet["B3"].value, dt.datetime) and not isinstance(sheet["B3"].value, str)
