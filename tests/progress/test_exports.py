"""The not-submitted list's downloads, built without a request (the view only wraps them in a response)."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from localstandards.progress import exports
from localstandards.progress import services as progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(open_round, users):
    users.head.phone = "053-000-111"
    users.head.save()
    return progress.laggards(users.province_officer, open_round, "province", "50")


def test_csv_and_xlsx_hold_the_same_rows(items, open_round):
    text = "".join(exports.laggards_csv(items))
    assert text.startswith("\ufeff")
    csv_rows = list(csv.reader(io.StringIO(text[1:])))
    sheet = load_workbook(io.BytesIO(exports.laggards_xlsx(items))).active
    assert sheet.title == "not-submitted" and sheet.freeze_panes == "A2"
    xlsx_rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    activity = 7  # the last activity: Thai text in the CSV, a date cell in the XLSX (below)
    without_dates = [[v for i, v in enumerate(row) if i != activity] for row in csv_rows]
    assert without_dates == [[v for i, v in enumerate(row) if i != activity] for row in xlsx_rows]
    assert len(csv_rows) == 1 + len(items) == 4
    assert [row[0] for row in csv_rows[1:]] == [i.assessment.local_government.dla_code for i in items]
    assert any("053-000-111" in row[-1] for row in csv_rows[1:])
    assert exports.laggards_filename(open_round, "50", "csv") == "not-submitted-2567-50.csv"


def test_an_empty_list_is_the_header_only():
    assert len(list(exports.laggard_rows([]))) == 1
    assert len(load_workbook(io.BytesIO(exports.laggards_xlsx([]))).active["A"]) == 1


def test_the_xlsx_has_sized_columns_a_bold_header_and_real_date_cells(items):
    """Opened in Excel, the names are readable without resizing, and the last activity is a date that sorts and
    filters as one, shown in the Buddhist era (issue 16); the CSV keeps it as Thai text."""
    for item in items:
        item.assessment.last_activity_at = timezone.make_aware(dt.datetime(2024, 7, 1, 9, 30))
    sheet = load_workbook(io.BytesIO(exports.laggards_xlsx(items))).active
    assert sheet.column_dimensions["B"].width >= 30 and sheet.column_dimensions["I"].width >= 40
    assert sheet["A1"].font.b
    cell = sheet.cell(row=2, column=8)
    assert cell.is_date and cell.value == dt.datetime(2024, 7, 1, 9, 30)
    assert "107041E" in cell.number_format  # the Thai Buddhist calendar
    text = "".join(exports.laggards_csv(items))
    assert "1 ก.ค. 2567 09:30" in text
