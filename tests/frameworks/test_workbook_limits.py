"""Workbook limits (rows per sheet, indicators), the size unit (MiB), a missing column named in words, and the
web import of an unchanged workbook (issue 16, framework workbooks)."""

import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test.html import parse_html
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from localstandards.frameworks import workbook as workbook_module
from localstandards.frameworks.forms import ImportForm
from localstandards.frameworks.models import Framework
from localstandards.frameworks.workbook import MAX_FILE_BYTES, WorkbookError, parse_workbook
from tests.frameworks.factories import small_workbook
from tests.frameworks.test_workbook import edit, problems_of
from tests.html import text


def page_text(content: bytes) -> str:
    return text(parse_html(content.decode()))


def grown(sheet_name: str, extra_rows: int) -> bytes:
    """The small workbook with `extra_rows` more data rows on one sheet (copies of row 3 with new codes)."""
    workbook = load_workbook(io.BytesIO(small_workbook()))
    sheet = workbook[sheet_name]
    keys = [cell.value for cell in sheet[2]]
    template = [cell.value for cell in sheet[3]]
    for number in range(extra_rows):
        row = list(template)
        row[keys.index("code")] = f"X{number}"
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = "framework.xlsx"
    return file


@pytest.fixture
def no_full_parse(monkeypatch):
    """Fail the test if the workbook is read cell by cell: the limits are checked before that."""

    def refuse(*args, **kwargs):
        raise AssertionError("the whole workbook was parsed")

    monkeypatch.setattr(workbook_module, "_parse", refuse)


@pytest.mark.django_db
class TestLimits:
    def test_a_sheet_over_2000_rows_is_refused_before_it_is_read(self, no_full_parse):
        data = grown("areas", 2000)  # 2 header rows + 2 areas + 2,000 = 2,004 rows
        with translation.override("th"):
            problems = problems_of(data)
        assert [(p.sheet, p.cell, p.message) for p in problems] == [
            ("areas", "", "ชีตนี้มี 2,004 แถว เกินกว่าที่รับได้ 2,000 แถว ระบบจึงไม่อ่านไฟล์นี้")
        ]
        assert Framework.objects.count() == 0

    def test_2000_rows_are_accepted(self):
        data = grown("satisfaction", 1997)  # 2 header rows + 1 question + 1,997 = 2,000 rows
        spec = parse_workbook(data)
        assert len(spec["satisfaction"]) == 1998

    def test_more_than_300_indicators_are_refused_before_they_are_read(self, no_full_parse):
        data = grown("indicators", 298)  # 3 + 298 = 301 indicators
        with translation.override("en"):
            (problem,) = problems_of(data)
        assert (problem.sheet, problem.message) == (
            "indicators",
            "The sheet has 301 indicators; a framework has at most 300.",
        )
        assert Framework.objects.count() == 0

    def test_300_indicators_are_accepted(self):
        spec = parse_workbook(grown("indicators", 297))
        assert len(spec["indicators"]) == 300

    def test_the_command_refuses_with_the_same_message(self, tmp_path, no_full_parse):
        path = tmp_path / "big.xlsx"
        path.write_bytes(grown("missions", 2000))
        err = io.StringIO()
        with translation.override("th"), pytest.raises(CommandError):
            call_command("import_framework", str(path), stderr=err, stdout=io.StringIO())
        assert err.getvalue() == "missions\t-\tชีตนี้มี 2,004 แถว เกินกว่าที่รับได้ 2,000 แถว ระบบจึงไม่อ่านไฟล์นี้\n"
        assert Framework.objects.count() == 0

    def test_the_web_refuses_with_the_same_message(self, client_for, users, no_full_parse):
        response = client_for(users.national_admin).post(
            reverse("frameworks:import"), {"workbook": upload(grown("indicators", 298))}
        )
        assert response.status_code == 400
        assert "ชีตนี้มีเกณฑ์ชี้วัด 301 ข้อ กรอบการประเมินหนึ่งมีได้ไม่เกิน 300 ข้อ" in page_text(response.content)
        assert Framework.objects.count() == 0


@pytest.mark.django_db
class TestSizeUnit:
    def test_the_limit_is_5_mib_and_says_so_with_the_byte_count(self):
        assert MAX_FILE_BYTES == 5_242_880
        with translation.override("th"):
            (problem,) = problems_of(b"PK\x03\x04" + bytes(MAX_FILE_BYTES))
        assert problem.message == "ไฟล์มีขนาดเกิน 5 MiB (5,242,880 ไบต์) ระบบจึงไม่อ่านไฟล์นี้"
        with translation.override("en"):
            (problem,) = problems_of(b"PK\x03\x04" + bytes(MAX_FILE_BYTES))
        assert problem.message == "The file is larger than 5 MiB (5,242,880 bytes) and was not read."

    def test_a_file_of_exactly_5_mib_passes_the_size_check(self):
        assert workbook_module.check_file(b"PK\x03\x04" + bytes(MAX_FILE_BYTES - 4))[0].message != (
            workbook_module.too_large_message()
        )

    def test_the_form_says_mib(self):
        with translation.override("en"):
            help_text = str(ImportForm().fields["workbook"].help_text)
        assert help_text.startswith("At most 5 MiB (5,242,880 bytes), 2,000 rows per sheet and 300 indicators")


@pytest.mark.django_db
class TestMissingColumn:
    def test_a_renamed_column_is_named_not_shown_as_a_question_mark(self):
        data = edit(small_workbook(), {("indicators", "K2"): "targt"})
        with translation.override("en"), pytest.raises(WorkbookError) as caught:
            parse_workbook(data)
        cells = [(p.sheet, p.cell) for p in caught.value.problems]
        assert cells == [
            ("indicators", "K2"),
            ("indicators", "row 3, column “target” (ค่าเป้าหมาย (ค่าตั้งต้น), missing)"),
            ("indicators", "row 4, column “target” (ค่าเป้าหมาย (ค่าตั้งต้น), missing)"),
        ]
        assert not any("?" in cell for _sheet, cell in cells)

    def test_in_thai(self):
        data = edit(small_workbook(), {("indicators", "K2"): "targt"})
        with translation.override("th"), pytest.raises(WorkbookError) as caught:
            parse_workbook(data)
        assert caught.value.problems[1].cell == "แถวที่ 3 คอลัมน์ “target” (ค่าเป้าหมาย (ค่าตั้งต้น) ไม่มีในแถวที่ 2)"


@pytest.mark.django_db
class TestUnchangedImportOnTheWeb:
    def test_the_same_file_twice_creates_one_version_and_says_no_change(self, client_for, users):
        client = client_for(users.national_admin)
        first = client.post(reverse("frameworks:import"), {"workbook": upload(small_workbook())})
        (framework,) = Framework.objects.all()
        assert first.status_code == 302
        second = client.post(reverse("frameworks:import"), {"workbook": upload(small_workbook())}, follow=True)
        assert list(Framework.objects.values_list("pk", "version")) == [(framework.pk, 1)]
        assert second.redirect_chain == [(reverse("frameworks:detail", args=[framework.pk]), 302)]
        assert "ไม่มีการเปลี่ยนแปลง: สมุดงานนี้เหมือนกับฉบับที่ 1 (ฉบับร่าง) ทุกประการ จึงไม่ได้นำเข้า" in page_text(second.content)

    def test_a_changed_file_still_makes_a_new_draft(self, client_for, users):
        client = client_for(users.national_admin)
        client.post(reverse("frameworks:import"), {"workbook": upload(small_workbook())})
        changed = edit(small_workbook(), {("areas", "B3"): "ด้านโครงสร้างพื้นฐาน (ปรับปรุง)"})
        client.post(reverse("frameworks:import"), {"workbook": upload(changed)})
        assert list(Framework.objects.order_by("version").values_list("version", flat=True)) == [1, 2]


def without_dimensions(data: bytes) -> bytes:
    """The workbook with the <dimension> element removed from every sheet (as some programs write it)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<dimension[^>]*/>", b"", content)
            target.writestr(info, content)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_sheet_without_a_recorded_dimension_is_counted_before_it_is_read(no_full_parse):
    data = without_dimensions(grown("areas", 5000))
    with translation.override("th"):
        (problem,) = problems_of(data)
    assert (problem.sheet, problem.message) == (
        "areas",
        "ชีตนี้มีมากกว่า 2,000 แถว ซึ่งเป็นจำนวนสูงสุดที่รับได้ ระบบจึงไม่อ่านไฟล์นี้",
    )
