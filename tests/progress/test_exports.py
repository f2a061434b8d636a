"""The not-submitted list's downloads, built without a request (the view only wraps them in a response)."""

import csv
import io

import pytest
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
    assert csv_rows == xlsx_rows
    assert len(csv_rows) == 1 + len(items) == 4
    assert [row[0] for row in csv_rows[1:]] == [i.assessment.local_government.dla_code for i in items]
    assert any("053-000-111" in row[-1] for row in csv_rows[1:])
    assert exports.laggards_filename(open_round, "50", "csv") == "not-submitted-2567-50.csv"


def test_an_empty_list_is_the_header_only():
    assert len(list(exports.laggard_rows([]))) == 1
    assert len(load_workbook(io.BytesIO(exports.laggards_xlsx([]))).active["A"]) == 1
