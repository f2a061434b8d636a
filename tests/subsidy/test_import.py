"""Importing a fiscal year: CSV and XLSX, all or nothing, every problem at its line or cell, re-import replaces."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from localstandards.registry.models import LocalGovernment
from localstandards.subsidy.models import FiscalImport, FiscalRecord
from localstandards.subsidy.services import FiscalImportError, import_fiscal

pytestmark = pytest.mark.django_db

HEADER = "dla_code,total_revenue,general_subsidy,specific_subsidy,population\n"
GOOD = (
    HEADER + "5500101,1000000,300000,100000,5000\n6500102,2000000.50,600000,0,8000\n6900101,1500000,400000,50000,6000\n"
)


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "fiscal"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems(data: bytes, filename: str = "fiscal.csv", year: int = 2567) -> list[str]:
    with translation.override("en"), pytest.raises(FiscalImportError) as caught:
        import_fiscal(data, year, filename=filename)
    with translation.override("en"):
        return [str(problem) for problem in caught.value.problems]


def stored(year: int = 2567) -> dict[str, tuple]:
    return {
        record.local_government.dla_code: (
            record.total_revenue,
            record.general_subsidy,
            record.specific_subsidy,
            record.population,
        )
        for record in FiscalRecord.objects.unscoped().filter(fiscal_year=year).select_related("local_government")
    }


def test_a_csv_file_is_imported_row_by_row(world, users):
    summary = import_fiscal(csv_bytes(GOOD), 2567, filename="fiscal.csv", user=users.national_admin)
    assert (summary.rows, summary.replaced, summary.synthetic) == (3, 0, False)
    assert stored() == {
        "5500101": (Decimal("1000000.00"), Decimal("300000.00"), Decimal("100000.00"), 5000),
        "6500102": (Decimal("2000000.50"), Decimal("600000.00"), Decimal("0.00"), 8000),
        "6900101": (Decimal("1500000.00"), Decimal("400000.00"), Decimal("50000.00"), 6000),
    }
    fiscal_import = FiscalImport.objects.get(fiscal_year=2567)
    assert (fiscal_import.filename, fiscal_import.rows, fiscal_import.synthetic) == ("fiscal.csv", 3, False)
    assert fiscal_import.imported_by == users.national_admin


def test_columns_in_any_order_extra_columns_ignored_and_a_synthetic_comment_line(world):
    text = (
        "# SYNTHETIC SAMPLE for the demo\n"
        "name_th,population,dla_code,specific_subsidy,general_subsidy,total_revenue\n"
        'หนองป่าครั่ง,"5,000",5500101,1,2,"1,000,000"\n'
    )
    summary = import_fiscal(csv_bytes(text), 2567, filename="sample.csv")
    assert summary.synthetic is True
    assert FiscalImport.objects.get(fiscal_year=2567).synthetic is True
    assert stored() == {"5500101": (Decimal("1000000.00"), Decimal("2.00"), Decimal("1.00"), 5000)}


def test_re_import_replaces_the_whole_year_and_leaves_other_years(world):
    import_fiscal(csv_bytes(GOOD), 2567, filename="first.csv")
    import_fiscal(csv_bytes(GOOD), 2566, filename="other-year.csv")
    summary = import_fiscal(csv_bytes(HEADER + "6500201,10,1,1,3\n"), 2567, filename="second.csv")
    assert (summary.rows, summary.replaced) == (1, 3)
    assert stored() == {"6500201": (Decimal("10.00"), Decimal("1.00"), Decimal("1.00"), 3)}
    assert FiscalImport.objects.get(fiscal_year=2567).filename == "second.csv"
    assert len(stored(2566)) == 3


BAD_CSV = [
    (HEADER + "9999999,1,1,1,1\n", ["Line 2, column dla_code: unknown DLA code “9999999” (not in the registry)"]),
    (
        HEADER + "5500101,1,1,1,1\n6500102,1,1,1,1\n5500101,2,2,2,2\n",
        ["Line 4, column dla_code: code 5500101 is repeated (first seen at line 2)"],
    ),
    (HEADER + "5500101,lots,1,1,1\n", ["Line 2, column total_revenue: “lots” is not a number"]),
    (
        HEADER + "5500101,1,-5,1,1\n",
        ["Line 2, column general_subsidy: -5 is negative; amounts of money are 0 or more"],
    ),
    (HEADER + "5500101,1,1,,1\n", ["Line 2, column specific_subsidy: this value is required"]),
    (HEADER + "5500101,1,1,1,0\n", ["Line 2, column population: the population must be more than 0"]),
    (HEADER + "5500101,1,1,1,-3\n", ["Line 2, column population: the population must be more than 0"]),
    (HEADER + "5500101,1,1,1,12.5\n", ["Line 2, column population: “12.5” is not a whole number"]),
    (
        "dla_code,total_revenue,general_subsidy,population\n5500101,1,1,1\n",
        ["Line 1, column specific_subsidy: the column “specific_subsidy” is missing from the header"],
    ),
    (HEADER, ["Line 2: the file has a header but no rows"]),
    ("", ["Line 1: the file is empty"]),
]


@pytest.mark.parametrize(("text", "expected"), BAD_CSV)
def test_a_bad_csv_names_the_line_and_column_and_changes_nothing(world, text, expected):
    import_fiscal(csv_bytes(GOOD), 2567, filename="before.csv")
    before = stored()
    assert problems(csv_bytes(text)) == expected
    assert stored() == before
    assert FiscalImport.objects.get(fiscal_year=2567).filename == "before.csv"


def test_every_problem_of_a_file_is_listed_at_once(world):
    text = HEADER + "5500101,x,1,1,1\n1234567,1,1,1,0\n"
    assert problems(csv_bytes(text)) == [
        "Line 2, column total_revenue: “x” is not a number",
        "Line 3, column dla_code: unknown DLA code “1234567” (not in the registry)",
        "Line 3, column population: the population must be more than 0",
    ]
    assert FiscalRecord.objects.unscoped().count() == 0
    assert FiscalImport.objects.count() == 0


def test_the_line_number_counts_the_comment_line(world):
    assert problems(csv_bytes("# a note\n" + HEADER + "5500101,1,1,1,0\n")) == [
        "Line 3, column population: the population must be more than 0"
    ]


def test_a_file_that_is_not_utf8_is_refused(world):
    assert problems(HEADER.encode() + "5500101,1,1,1,1 ก\n".encode("cp874")) == [
        "Line 2: the file is not UTF-8 text; save it as CSV UTF-8 and try again"
    ]


COLUMNS = ["dla_code", "total_revenue", "general_subsidy", "specific_subsidy", "population"]


def test_an_xlsx_file_is_imported(world):
    data = xlsx_bytes([COLUMNS, ["5500101", 1000000, 300000.5, 0, 5000], [6900101, "2,000", 1, 1, 10]])
    summary = import_fiscal(data, 2567, filename="fiscal.xlsx")
    assert summary.rows == 2
    assert stored() == {
        "5500101": (Decimal("1000000.00"), Decimal("300000.50"), Decimal("0.00"), 5000),
        "6900101": (Decimal("2000.00"), Decimal("1.00"), Decimal("1.00"), 10),
    }


BAD_XLSX = [
    (
        [COLUMNS, ["5500101", 1, 1, 1, 1], ["0000000", 1, 1, 1, 1]],
        ["fiscal!A3: unknown DLA code “0000000” (not in the registry)"],
    ),
    (
        [COLUMNS, ["5500101", 1, 1, 1, 1], ["6500102", 1, 1, 1, 1], [], ["5500101", 1, 1, 1, 1]],
        ["fiscal!A5: code 5500101 is repeated (first seen at A2)"],
    ),
    ([COLUMNS, ["5500101", 1, "n/a", 1, 1]], ["fiscal!C2: “n/a” is not a number"]),
    (
        [COLUMNS, ["5500101", 1, 1, 1, 1], ["6500102", 1, 1, -1, 1]],
        ["fiscal!D3: -1 is negative; amounts of money are 0 or more"],
    ),
    (
        [
            COLUMNS,
            ["5500101", 1, 1, 1, 1],
            ["6500102", 1, 1, 1, 1],
            ["6500201", 1, 1, 1, 1],
            [],
            [],
            ["6900101", 1, 1, 1, 0],
        ],
        ["fiscal!E7: the population must be more than 0"],
    ),
    ([COLUMNS[:4], ["5500101", 1, 1, 1]], ["fiscal!E1: the column “population” is missing from the header"]),
]


@pytest.mark.parametrize(("rows", "expected"), BAD_XLSX)
def test_a_bad_xlsx_names_the_cell_and_changes_nothing(world, rows, expected):
    import_fiscal(csv_bytes(GOOD), 2567, filename="before.csv")
    before = stored()
    assert problems(xlsx_bytes(rows), "fiscal.xlsx") == expected
    assert stored() == before


def test_a_file_that_is_not_a_workbook_is_refused_by_the_workbook_checks(world):
    assert problems(b"PK\x03\x04 not really a zip", "fiscal.xlsx") == ["The file is not an Excel workbook (.xlsx)."]


def test_a_fiscal_year_outside_the_buddhist_era_range_is_refused(world):
    assert problems(csv_bytes(GOOD), year=2024) == [
        "The fiscal year must be a Buddhist-era year between 2500 and 2700."
    ]


def test_messages_are_thai_in_the_thai_ui(world):
    with translation.override("th"), pytest.raises(FiscalImportError) as caught:
        import_fiscal(csv_bytes(HEADER + "5500101,1,1,1,0\n"), 2567)
    with translation.override("th"):
        assert str(caught.value.problems[0]) == "บรรทัด 2 คอลัมน์ population: จำนวนประชากรต้องมากกว่า 0"


# ---- the commands


def test_import_fiscal_command_prints_a_summary(world, tmp_path):
    path = tmp_path / "fiscal.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_fiscal", str(path), "--year", "2567", stdout=out)
    assert "fiscal year 2567: 3 local governments imported, 0 earlier rows replaced" in out.getvalue()
    assert len(stored()) == 3


def test_import_fiscal_command_lists_the_problems_and_changes_nothing(world, tmp_path):
    path = tmp_path / "fiscal.csv"
    path.write_text(HEADER + "5500101,1,1,1,0\n9999999,1,1,1,1\n", encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_fiscal", str(path), "--year", "2567")
    message = str(caught.value)
    assert "was not imported (2 problems); nothing was changed." in message
    assert "Line 2, column population: the population must be more than 0" in message
    assert "Line 3, column dla_code: unknown DLA code “9999999” (not in the registry)" in message
    assert FiscalRecord.objects.unscoped().count() == 0


def test_sample_then_import_gives_synthetic_data_for_every_active_local_government(world, tmp_path):
    LocalGovernment.objects.filter(pk=world.local_government_other_district.pk).update(is_active=False)
    path = tmp_path / "sample.csv"
    call_command("sample_fiscal", "--year", "2567", "--out", str(path), "--seed", "7", stdout=io.StringIO())
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# SYNTHETIC SAMPLE")
    call_command("import_fiscal", str(path), "--year", "2567", stdout=io.StringIO())
    assert FiscalImport.objects.get(fiscal_year=2567).synthetic is True
    assert set(stored()) == {"5500101", "6500102", "6900101"}
    again = tmp_path / "again.csv"
    call_command("sample_fiscal", "--year", "2567", "--out", str(again), "--seed", "7", stdout=io.StringIO())
    assert again.read_bytes() == path.read_bytes()


# ---- the upload page


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_upload_page_imports_and_says_how_many(world, users, client_for):
    client = client_for(users.national_admin)
    assert client.get(reverse("subsidy:import")).status_code == 200
    response = client.post(
        reverse("subsidy:import"),
        {"fiscal_year": "2567", "data_file": upload("fiscal.csv", csv_bytes(GOOD))},
        follow=True,
    )
    assert response.status_code == 200
    assert len(stored()) == 3
    assert [str(message) for message in response.context["messages"]] == [
        "นำเข้าข้อมูลการคลังแล้ว: ปีงบประมาณ 2567: นำเข้า อปท. 3 แห่ง แทนที่ข้อมูลเดิม 0 แถว"
    ]
    assert "fiscal.csv" in response.content.decode()


def test_the_upload_page_lists_problems_and_saves_nothing(world, users, client_for):
    client = client_for(users.national_admin)
    response = client.post(
        reverse("subsidy:import"),
        {"fiscal_year": "2567", "data_file": upload("fiscal.csv", csv_bytes(HEADER + "5500101,1,1,1,0\n"))},
    )
    assert response.status_code == 400
    assert response.context["problems"] == ["บรรทัด 2 คอลัมน์ population: จำนวนประชากรต้องมากกว่า 0"]
    assert "จำนวนประชากรต้องมากกว่า 0" in response.content.decode()
    assert FiscalRecord.objects.unscoped().count() == 0


def test_the_upload_page_refuses_other_file_types(world, users, client_for):
    response = client_for(users.national_admin).post(
        reverse("subsidy:import"), {"fiscal_year": "2567", "data_file": upload("fiscal.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["data_file"]
    assert FiscalImport.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["committee_viewer", "province_officer", "district_officer", "staff", "head", "outsider_province_officer"]
)
def test_only_national_admins_reach_the_upload_page(world, users, client_for, name):
    client = client_for(users.by_name(name))
    assert client.get(reverse("subsidy:import")).status_code == 404
    response = client.post(
        reverse("subsidy:import"), {"fiscal_year": "2567", "data_file": upload("f.csv", csv_bytes(GOOD))}
    )
    assert response.status_code == 404
    assert FiscalRecord.objects.unscoped().count() == 0
