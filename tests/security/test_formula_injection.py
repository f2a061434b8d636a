"""Every XLSX and CSV export neutralises text that a spreadsheet would take for a formula (OWASP's rule: a cell
that starts with =, +, -, @, tab or carriage return gets a leading apostrophe), in every free-text field that can
reach it: names of local governments, officers' names and phones, framework wording, area and unit names."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from localstandards.assessments.models import Assessment, Status
from localstandards.core.tables import FORMULA_STARTS, Column, Table, csv_text, neutralise, workbook_bytes
from localstandards.frameworks.services import create_from_spec, publish_framework
from localstandards.registry.models import LocalGovernment
from tests.assessments import factories

pytestmark = pytest.mark.django_db
HOSTILE = ['=HYPERLINK("http://x","y")', "+66 81 234 5678", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def cells(values) -> list[str]:
    return [value for value in values if isinstance(value, str)]


def assert_no_formula(texts) -> None:
    risky = [text for text in texts if text and text.startswith(FORMULA_STARTS)]
    assert risky == [], risky


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text
    assert neutralise("ถนน = 5 สาย") == "ถนน = 5 สาย" and neutralise(-3) == -3  # numbers stay numbers


def test_the_shared_table_exports_neutralise_every_cell_title_and_note():
    table = Table(
        key="t",
        title="=title",
        columns=[Column("@col"), Column("n", "int")],
        rows=[[h, 1] for h in HOSTILE],
        notes=["+note"],
    )
    book = load_workbook(io.BytesIO(workbook_bytes([table])))
    values = [cell.value for row in book["t"].iter_rows() for cell in row]
    assert_no_formula(cells(values))
    assert all(cell.data_type != "f" for row in book["t"].iter_rows() for cell in row)
    rows = list(csv.reader(io.StringIO(csv_text(table)[1:])))
    assert_no_formula([value for row in rows for value in row])
    assert rows[1][0] == "'" + HOSTILE[0]


def test_the_not_submitted_exports_neutralise_names_and_phones(world, users, client_for):
    assessment_round = factories.open_test_round(factories.make_published_framework())
    LocalGovernment.objects.filter(pk=world.neighbour_same_district.pk).update(full_name_th="=cmd|'/C calc'!A0")
    users.head.first_name, users.head.phone = "@SUM(1)", "+66 53 000 111"
    users.head.save()
    url = reverse("progress:laggards", args=[assessment_round.pk, "province", world.province.code])
    client = client_for(users.province_officer)
    sheet = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).getvalue())).active
    texts = cells(cell.value for row in sheet.iter_rows() for cell in row)
    assert "'=cmd|'/C calc'!A0" in texts
    assert_no_formula(texts)
    text = client.get(url, {"format": "csv"}).getvalue().decode("utf-8")[1:]
    values = [value for row in csv.reader(io.StringIO(text)) for value in row]
    assert "'=cmd|'/C calc'!A0" in values
    assert_no_formula(values)


def test_the_improvement_plan_neutralises_framework_text(world, users, client_for):
    spec = factories.assessment_spec()
    spec["areas"][0]["name"] = "=1+1"
    for item in spec["indicators"]:
        item.update(wording="@HYPERLINK(1)", guidance="-5 โครงการ")
    framework = publish_framework(create_from_spec(spec))
    assessment_round = factories.open_test_round(framework)
    assessment = Assessment.objects.unscoped().get(round=assessment_round, local_government=world.local_government)
    from tests.reports.conftest import store_answers

    store_answers(assessment, base=10, delivered=2, count=0, yesno=False)
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=Status.ACCEPTED)
    response = client_for(users.staff).get(reverse("reports:plan", args=[assessment.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    texts = cells(cell.value for row in sheet.iter_rows() for cell in row)
    assert "'=1+1" in texts and "'@HYPERLINK(1)" in texts
    assert_no_formula(texts)


def test_the_award_exports_neutralise_names(world, users, client_for):
    from tests.analysis.conftest import build_round

    LocalGovernment.objects.filter(pk=world.local_government.pk).update(name_th="=EVIL()", full_name_th="=EVIL()")
    assessment_round, _returns = build_round(world)
    client = client_for(users.national_admin)
    url = reverse("awards:round", args=[assessment_round.pk])
    response = client.get(url, {"format": "csv"})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    values = [value for row in csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))) for value in row]
    assert "'=EVIL()" in values
    assert_no_formula(values)
    response = client.get(url, {"format": "xlsx"})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).active
    texts = cells(cell.value for row in sheet.iter_rows() for cell in row)
    assert "'=EVIL()" in texts
    assert_no_formula(texts)
