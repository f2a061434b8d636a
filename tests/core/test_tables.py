"""The one table shape: its XLSX has a sheet per table with typed cells, its CSV opens in Excel as UTF-8."""

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from localstandards.core.tables import Column, Table, csv_text, sheet_name, workbook_bytes


def sample() -> Table:
    return Table(
        key="by-type",
        title="ตามประเภท",
        columns=[Column("ประเภท"), Column("จำนวน", "int"), Column("ร้อยละ", "percent"), Column("วันที่", "date")],
        rows=[["อบต.", 12, Decimal("66.667"), dt.date(2024, 9, 30)], ["เทศบาล", 3, None, None]],
        notes=["เฉพาะแบบที่ยืนยันแล้ว"],
    )


def test_the_workbook_has_one_sheet_per_table_with_typed_cells():
    other = Table(key="by-type", title="ซ้ำ", columns=[Column("ก")], rows=[["x"]])
    book = load_workbook(io.BytesIO(workbook_bytes([sample(), other])))
    assert book.sheetnames == ["by-type", "by-type-2"]
    sheet = book["by-type"]
    assert sheet["A1"].value == "ตามประเภท"
    assert [c.value for c in sheet[2]] == ["ประเภท", "จำนวน", "ร้อยละ", "วันที่"]
    assert sheet["B3"].value == 12 and sheet["C3"].value == 66.667
    assert sheet["D3"].value == dt.datetime(2024, 9, 30) and "107041E" in sheet["D3"].number_format
    assert sheet["C4"].value is None
    assert sheet["A6"].value == "เฉพาะแบบที่ยืนยันแล้ว"


def test_the_csv_starts_with_a_byte_order_mark_and_keeps_numbers_plain():
    text = csv_text(sample())
    assert text.startswith("\ufeffประเภท,จำนวน,ร้อยละ,วันที่\r\n")
    assert "อบต.,12,66.667,2024-09-30\r\n" in text
    assert "เทศบาล,3,,\r\n" in text


def test_sheet_names_are_cut_and_cleaned_for_excel():
    assert sheet_name("a/b:c*d?" + "x" * 40) == ("a-b-c-d-" + "x" * 40)[:31]
