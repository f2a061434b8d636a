"""import_registry: the real DLA file, re-imports as upserts, and every kind of bad file (nothing changes)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from localstandards.registry.models import District, LocalGovernment, LocalGovernmentType, Province
from localstandards.registry.services import EXPECTED_COLUMNS, RegistryImportError, import_registry

SHARED_CSV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "lao_registry.csv"

ROW_A = {
    "dla_code": "6500101",
    "name_th": "หนองหอย",
    "full_name_th": "องค์การบริหารส่วนตำบลหนองหอย",
    "type_th": "อบต.",
    "province_code": "50",
    "province_th": "เชียงใหม่",
    "district_code": "5001",
    "district_th": "เมืองเชียงใหม่",
    "office_address_no": "99",
    "office_moo": "ม.2",
    "postcode": "50000",
    "area_km2": "12.5",
    "lat": "18.75",
    "lon": "99.0",
    "website": "www.nonghoi.go.th",
}
ROW_B = {**ROW_A, "dla_code": "5500102", "name_th": "ป่าแดด", "full_name_th": "เทศบาลตำบลป่าแดด", "type_th": "เทศบาลตำบล"}
ROW_C = {
    **ROW_A,
    "dla_code": "2900101",
    "name_th": "สงขลา",
    "full_name_th": "องค์การบริหารส่วนจังหวัดสงขลา",
    "type_th": "อบจ.",
    "province_code": "90",
    "province_th": "สงขลา",
    "district_code": "9001",
    "district_th": "เมืองสงขลา",
    "lat": "",
    "lon": "",
    "area_km2": "",
}


def make_csv(rows: list[dict], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header or EXPECTED_COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in (header or EXPECTED_COLUMNS)])
    return out.getvalue().encode("utf-8")


def snapshot() -> list[tuple]:
    fields = ("pk", "dla_code", "name_th", "type", "is_active", "district_id")
    rows = list(LocalGovernment.objects.order_by("pk").values_list(*fields))
    return [*rows, (Province.objects.count(), District.objects.count())]


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_the_real_dla_file_imports_every_local_government_and_bangkok():
    summary = import_registry(SHARED_CSV.read_bytes())

    assert summary.added == 7849
    assert Province.objects.count() == 77
    assert District.objects.count() == 878
    assert LocalGovernment.objects.filter(dla_code__isnull=False).count() == 7849
    counts = {kind: LocalGovernment.objects.filter(type=kind).count() for kind in LocalGovernmentType}
    assert counts == {
        LocalGovernmentType.SAO: 5300,
        LocalGovernmentType.SUBDISTRICT: 2247,
        LocalGovernmentType.TOWN: 195,
        LocalGovernmentType.PAO: 76,
        LocalGovernmentType.CITY: 30,
        LocalGovernmentType.SPECIAL: 1,
        LocalGovernmentType.BMA: 1,
    }
    bangkok = LocalGovernment.objects.get(type=LocalGovernmentType.BMA)
    assert bangkok.dla_code is None
    assert bangkok.province.code == "10"
    chiang_mai = Province.objects.get(code="50")
    assert (chiang_mai.name_en, chiang_mai.region) == ("Chiang Mai", "NORTH")
    # A record with CSV quoting in the source keeps its full website.
    assert LocalGovernment.objects.get(dla_code="6670207").province.code == "67"


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing():
    data = make_csv([ROW_A, ROW_B, ROW_C])
    import_registry(data)
    before = snapshot()

    summary = import_registry(data)

    assert (summary.added, summary.updated, summary.deactivated, summary.unchanged) == (0, 0, 0, 3)
    assert snapshot() == before


@pytest.mark.django_db
def test_reimport_upgrades_types_renames_adds_and_deactivates_but_never_deletes():
    import_registry(make_csv([ROW_A, ROW_B, ROW_C]))
    original_pk = LocalGovernment.objects.get(dla_code="6500101").pk
    upgraded = {**ROW_A, "type_th": "เทศบาลตำบล", "full_name_th": "เทศบาลตำบลหนองหอย"}
    new_row = {**ROW_A, "dla_code": "6500103", "name_th": "สุเทพ", "full_name_th": "องค์การบริหารส่วนตำบลสุเทพ"}

    summary = import_registry(make_csv([upgraded, ROW_C, new_row]))

    assert (summary.added, summary.updated, summary.deactivated, summary.unchanged) == (1, 1, 1, 1)
    lg = LocalGovernment.objects.get(dla_code="6500101")
    assert lg.pk == original_pk
    assert (lg.type, lg.full_name_th) == (LocalGovernmentType.SUBDISTRICT, "เทศบาลตำบลหนองหอย")
    missing = LocalGovernment.objects.get(dla_code="5500102")
    assert missing.is_active is False

    # It comes back when a later file lists it again.
    summary = import_registry(make_csv([upgraded, ROW_B, ROW_C, new_row]))
    assert summary.updated == 1
    assert LocalGovernment.objects.get(dla_code="5500102").is_active is True


def problems_of(data: bytes) -> list[tuple]:
    with pytest.raises(RegistryImportError) as caught:
        import_registry(data)
    return [(p.line, p.column, p.message) for p in caught.value.problems]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "line", "column", "fragment"),
    [
        (make_csv([ROW_A], header=[c for c in EXPECTED_COLUMNS if c != "postcode"]), 1, "postcode", "missing"),
        (make_csv([ROW_A], header=[*EXPECTED_COLUMNS[:-1], "url"]), 1, "website", "missing"),
        (make_csv([ROW_A, {**ROW_B, "dla_code": "55001"}]), 3, "dla_code", "7-digit"),
        (make_csv([ROW_A, ROW_B, {**ROW_C, "dla_code": "x900101"}]), 4, "dla_code", "7-digit"),
        (make_csv([ROW_A, {**ROW_B, "province_code": "99", "district_code": "9901"}]), 3, "province_code", "unknown"),
        (make_csv([ROW_A, {**ROW_B, "district_code": "9001"}]), 3, "district_code", "not in province"),
        (make_csv([ROW_A, {**ROW_B, "type_th": "สุขาภิบาล"}]), 3, "type_th", "unknown type"),
        (make_csv([ROW_A, {**ROW_B, "lat": "18,7"}]), 3, "lat", "not a number"),
        (make_csv([ROW_A, {**ROW_B, "lon": "200"}]), 3, "lon", "outside"),
        (make_csv([ROW_A, {**ROW_B, "name_th": ""}]), 3, "name_th", "required"),
        (make_csv([ROW_A, {**ROW_A}]), 3, "dla_code", "repeated (first seen on line 2)"),
    ],
)
def test_a_bad_file_names_the_line_and_column_and_changes_nothing(data, line, column, fragment):
    import_registry(make_csv([ROW_C]))
    before = snapshot()

    problems = problems_of(data)

    assert (problems[0][0], problems[0][1]) == (line, column)
    assert fragment in problems[0][2]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_row_with_a_missing_field_is_reported_with_its_line():
    data = make_csv([ROW_A]) + "5500102,ป่าแดด,เทศบาลตำบลป่าแดด\n".encode()
    assert problems_of(data) == [(3, None, "expected 15 columns but found 3")]


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_with_the_line_of_the_bad_byte():
    data = make_csv([ROW_A, ROW_B]).decode().encode("utf-8")
    tis620 = make_csv([ROW_A]) + make_csv([ROW_B]).split(b"\n", 1)[1].decode().encode("cp874")
    problems = problems_of(tis620)
    assert problems[0][0] == 3
    assert problems[0][1] == "name_th"
    assert "not UTF-8" in problems[0][2]
    assert LocalGovernment.objects.count() == 0
    # The same content in UTF-8 (with a BOM from Excel) is fine.
    assert import_registry(b"\xef\xbb\xbf" + data).added == 2


@pytest.mark.django_db
def test_an_empty_file_and_a_header_only_file_are_refused():
    assert problems_of(b"") == [(1, None, "the file is empty")]
    assert problems_of(make_csv([])) == [(2, None, "the file has a header but no rows")]


@pytest.mark.django_db
def test_the_command_prints_a_summary_and_fails_cleanly_on_a_bad_file(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(make_csv([ROW_A, ROW_C]))
    call_command("import_registry", str(good))
    assert "added 2, updated 0, deactivated 0, unchanged 0" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_bytes(make_csv([{**ROW_A, "dla_code": "65"}]))
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_registry", str(bad))
    assert "Line 2, column dla_code" in capsys.readouterr().err
    assert LocalGovernment.objects.get(dla_code="6500101").is_active

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_registry", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_messages_are_thai_in_the_thai_interface():
    with translation.override("th"):
        with pytest.raises(RegistryImportError) as caught:
            import_registry(make_csv([{**ROW_A, "dla_code": "65"}]))
        assert str(caught.value.problems[0]) == "บรรทัด 2 คอลัมน์ dla_code: “65” ไม่ใช่รหัส อปท. 7 หลัก"
