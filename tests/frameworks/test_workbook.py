"""Workbook import: every problem reported at its exact sheet and cell, nothing written; refused files; round trip."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import load_workbook

from localstandards.frameworks import services
from localstandards.frameworks.models import Area, Framework, Indicator
from localstandards.frameworks.samples.build_sample import SAMPLE_PATH, sample_spec
from localstandards.frameworks.workbook import WorkbookError, build_workbook, parse_workbook
from tests.frameworks.factories import make_framework, small_spec, small_workbook


def edit(data: bytes, changes: dict[tuple[str, str], object]) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    for (sheet, cell), value in changes.items():
        workbook[sheet][cell] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems_of(data: bytes) -> list:
    with pytest.raises(WorkbookError) as caught:
        services.import_workbook(data)
    return caught.value.problems


def where(problems) -> list[tuple[str, str]]:
    return [(problem.sheet, problem.cell) for problem in problems]


@pytest.mark.django_db
class TestMalformedWorkbooks:
    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            pytest.param({("indicators", "B4"): "1.1.1"}, [("indicators", "B4")], id="duplicate-indicator-code"),
            pytest.param({("areas", "A4"): "1"}, [("areas", "A4"), ("missions", "A4")], id="duplicate-area-code"),
            pytest.param({("missions", "A4"): "9"}, [("missions", "A4")], id="unknown-area"),
            pytest.param({("satisfaction", "A3"): "7"}, [("satisfaction", "A3")], id="unknown-area-question"),
            pytest.param({("indicators", "A5"): "9.9"}, [("indicators", "A5")], id="unknown-mission"),
            pytest.param({("indicators", "C3"): None}, [("indicators", "C3")], id="missing-wording"),
            pytest.param({("indicators", "E3"): "percent"}, [("indicators", "E3")], id="bad-kind"),
            pytest.param({("indicators", "K3"): 120}, [("indicators", "K3")], id="ratio-target-over-100"),
            pytest.param({("indicators", "M3"): -1}, [("indicators", "M3")], id="ratio-target-negative"),
            pytest.param({("indicators", "K4"): 2.5}, [("indicators", "K4")], id="count-target-not-whole"),
            pytest.param({("indicators", "K5"): 1}, [("indicators", "K5")], id="yesno-with-target"),
            pytest.param({("indicators", "I4"): "PAO, XYZ"}, [("indicators", "I4")], id="unknown-type"),
            pytest.param({("indicators", "J5"): "__import__('os')"}, [("indicators", "J5")], id="bad-applicability"),
            pytest.param({("indicators", "J3"): "population > 5"}, [("indicators", "J3")], id="unknown-name"),
            pytest.param({("validations", "C3"): "base <= ("}, [("validations", "C3")], id="bad-validation-syntax"),
            pytest.param({("scoring", "D3"): "lg_type.upper()"}, [("scoring", "D3")], id="bad-scoring-expression"),
            pytest.param({("scoring", "A3"): 1.5}, [("scoring", "A3")], id="satisfaction-share-over-1"),
            pytest.param({("indicators", "T3"): "pdf, exe"}, [("indicators", "T3")], id="bad-evidence-type"),
            pytest.param({("indicators", "F3"): None}, [("indicators", "F3")], id="ratio-without-base-unit"),
            pytest.param({("labels", "A4"): "ABOVE"}, [("labels", "A4"), ("labels", "A8")], id="duplicate-label"),
            pytest.param({("framework", "B3"): 1999}, [("framework", "B3")], id="bad-fiscal-year"),
        ],
    )
    def test_reports_exact_cell_and_writes_nothing(self, changes, expected):
        problems = problems_of(edit(small_workbook(), changes))
        assert where(problems) == expected
        assert Framework.objects.count() == 0
        assert Area.objects.count() == 0
        assert Indicator.objects.count() == 0

    def test_every_problem_is_reported_at_once(self):
        data = edit(
            small_workbook(), {("indicators", "C3"): None, ("indicators", "E4"): "many", ("missions", "A4"): "9"}
        )
        assert where(problems_of(data)) == [("missions", "A4"), ("indicators", "C3"), ("indicators", "E4")]

    def test_missing_sheet_is_named(self):
        workbook = load_workbook(io.BytesIO(small_workbook()))
        del workbook["labels"]
        buffer = io.BytesIO()
        workbook.save(buffer)
        assert where(problems_of(buffer.getvalue())) == [("labels", "")]

    def test_messages_are_thai_in_the_thai_ui_and_english_in_english(self):
        data = edit(small_workbook(), {("indicators", "B4"): "1.1.1"})
        with translation.override("th"):
            (problem,) = problems_of(data)
        assert problem.message == "รหัสเกณฑ์ชี้วัด “1.1.1” ซ้ำ (ใช้แล้วที่ B3)"
        with translation.override("en"):
            (problem,) = problems_of(data)
        assert problem.message == "Duplicate indicator code “1.1.1” (already used in B3)."


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.django_db
class TestRefusedFiles:
    @pytest.mark.parametrize(
        ("data", "thai"),
        [
            pytest.param(b"code,name\n1,roads\n", "ไม่ใช่ไฟล์ Excel", id="csv-renamed"),
            pytest.param(b"%PDF-1.7\n1 0 obj\n", "ไม่ใช่ไฟล์ Excel", id="pdf-renamed"),
            pytest.param(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(2048), "รหัสผ่าน", id="encrypted-ole2"),
            pytest.param(b"PK\x03\x04" + bytes(5 * 1024 * 1024), "5 MiB", id="larger-than-5mib"),
            pytest.param(
                zip_bytes({"xl/workbook.xml": b"<x/>", "bomb.bin": bytes(60 * 1024 * 1024)}), "50 MiB", id="zip-bomb"
            ),
            pytest.param(zip_bytes({"word/document.xml": b"<w/>"}), "ไม่ใช่ไฟล์ Excel", id="docx-not-xlsx"),
        ],
    )
    def test_refused_with_a_thai_message(self, data, thai):
        with translation.override("th"):
            problems = problems_of(data)
        assert len(problems) == 1
        assert (problems[0].sheet, problems[0].cell) == ("", "")
        assert thai in problems[0].message
        assert Framework.objects.count() == 0

    def test_macros_are_refused(self):
        source = zipfile.ZipFile(io.BytesIO(small_workbook()))
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
        members["xl/vbaProject.bin"] = b"\x00macro"
        with translation.override("th"):
            (problem,) = problems_of(zip_bytes(members))
        assert "แมโคร" in problem.message
        assert Framework.objects.count() == 0

    def test_formula_cells_are_refused_at_their_cell(self):
        data = edit(small_workbook(), {("areas", "C3"): "=1+1", ("indicators", "K3"): "=SUM(1,2)"})
        assert where(problems_of(data)) == [("areas", "C3"), ("indicators", "K3")]
        assert Framework.objects.count() == 0


@pytest.mark.django_db
class TestRoundTrip:
    def test_export_then_import_gives_an_identical_framework(self):
        original = make_framework(published=True)
        copy = services.import_workbook(services.export_workbook(original)).framework
        assert copy.pk != original.pk
        assert copy.version == original.version + 1
        assert services.framework_to_spec(copy) == services.framework_to_spec(original) == small_spec()

    def test_sample_round_trips(self):
        sample = services.import_workbook(SAMPLE_PATH.read_bytes()).framework
        again = services.import_workbook(services.export_workbook(sample)).framework
        assert services.framework_to_spec(again) == services.framework_to_spec(sample) == sample_spec()

    def test_text_that_looks_like_a_formula_stays_text(self):
        spec = small_spec()
        spec["indicators"][0]["guidance"] = "=ไม่ใช่สูตร"
        assert parse_workbook(build_workbook(spec)) == spec


@pytest.mark.django_db
class TestSample:
    def test_committed_sample_is_what_the_script_describes(self):
        assert parse_workbook(SAMPLE_PATH.read_bytes()) == sample_spec()

    def test_sample_imports_cleanly_with_the_required_content(self):
        framework = services.import_workbook(SAMPLE_PATH.read_bytes()).framework
        assert framework.is_sample and "ตัวอย่าง" in framework.name and "ตัวอย่าง" in framework.description
        assert framework.fiscal_year == 2567
        assert framework.areas.count() == 6
        indicators = list(Indicator.objects.filter(framework=framework))
        assert len(indicators) >= 30
        kinds = [indicator.kind for indicator in indicators]
        assert kinds.count("ratio") > len(kinds) / 2 and "count" in kinds and "yesno" in kinds
        assert framework.questions.count() >= 6
        by_wording = {indicator.wording: indicator for indicator in indicators}

        def target(fragment, lg_type="SAO"):
            (indicator,) = [i for w, i in by_wording.items() if fragment in w]
            return indicator.target_for(lg_type)

        assert target("ถนนลาดยาง") == 80
        assert target("ถนนคอนกรีต") == 80
        assert target("จุดอันตรายที่เกิดอุบัติเหตุบ่อยครั้ง") == 75
        assert target("พื้นที่รวมของสะพาน") == 80
        pao = {i.code for i in indicators if i.applies_to("PAO")}
        sao = {i.code for i in indicators if i.applies_to("SAO")}
        assert pao != sao and pao - sao and sao - pao
        assert all(i.guidance for i in indicators)
        assert all(i.kind == "yesno" or i.base_unit or i.count_unit for i in indicators)


@pytest.mark.django_db
class TestCommand:
    def test_loads_and_publishes_the_sample_once(self):
        call_command("import_framework", str(SAMPLE_PATH), "--publish", stdout=io.StringIO())
        call_command("import_framework", str(SAMPLE_PATH), "--publish", stdout=io.StringIO())
        (framework,) = Framework.objects.all()
        assert framework.status == "published"

    def test_bad_file_prints_problems_and_fails(self, tmp_path):
        path = tmp_path / "bad.xlsx"
        path.write_bytes(edit(small_workbook(), {("indicators", "E3"): "percent"}))
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("import_framework", str(path), stderr=err, stdout=io.StringIO())
        assert err.getvalue().startswith("indicators\tE3\t")
        assert Framework.objects.count() == 0
