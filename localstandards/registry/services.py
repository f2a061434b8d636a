"""Registry business rules: importing DLA's list of local governments, and summaries of what a user can see."""

from __future__ import annotations

import csv
import io
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import geothai
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from localstandards.core.collation import thai
from localstandards.registry.models import District, LocalGovernment, LocalGovernmentType, Province
from localstandards.registry.regions import REGION_BY_PROVINCE
from localstandards.registry.scoping import accessible_units

EXPECTED_COLUMNS = [
    "dla_code",
    "name_th",
    "full_name_th",
    "type_th",
    "province_code",
    "province_th",
    "district_code",
    "district_th",
    "office_address_no",
    "office_moo",
    "postcode",
    "area_km2",
    "lat",
    "lon",
    "website",
]

TYPE_BY_THAI_LABEL = {
    "อบจ.": LocalGovernmentType.PAO,
    "เทศบาลนคร": LocalGovernmentType.CITY,
    "เทศบาลเมือง": LocalGovernmentType.TOWN,
    "เทศบาลตำบล": LocalGovernmentType.SUBDISTRICT,
    "อบต.": LocalGovernmentType.SAO,
    "ท้องถิ่นรูปแบบพิเศษ": LocalGovernmentType.SPECIAL,
}

BANGKOK_PROVINCE_CODE = "10"
BANGKOK_NAME = "กรุงเทพมหานคร"
MAX_PROBLEMS_REPORTED = 50
MAX_FILE_BYTES = 50 * 1024 * 1024

# The registry fields a re-import compares and updates.
SYNCED_FIELDS = [
    "name_th",
    "full_name_th",
    "type",
    "province_id",
    "district_id",
    "office_address_no",
    "office_moo",
    "postcode",
    "area_km2",
    "latitude",
    "longitude",
    "website",
    "is_active",
]


@dataclass(frozen=True)
class ImportProblem:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Line %(line)s, column %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class RegistryImportError(Exception):
    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class RegistryRow:
    line: int
    dla_code: str
    name_th: str
    full_name_th: str
    type: str
    province_code: str
    district_code: str
    district_th: str
    office_address_no: str
    office_moo: str
    postcode: str
    area_km2: Decimal | None
    latitude: Decimal | None
    longitude: Decimal | None
    website: str


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    provinces_created: int = 0
    districts_created: int = 0
    seconds: float = 0.0
    changed_codes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return _(
            "added %(added)s, updated %(updated)s, deactivated %(deactivated)s, unchanged %(unchanged)s "
            "(new provinces %(provinces)s, new districts %(districts)s) in %(seconds).2f s"
        ) % {
            "added": self.added,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "unchanged": self.unchanged,
            "provinces": self.provinces_created,
            "districts": self.districts_created,
            "seconds": self.seconds,
        }


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        column_index = data.count(b",", line_start, error.start)
        column = EXPECTED_COLUMNS[column_index] if column_index < len(EXPECTED_COLUMNS) else None
        raise RegistryImportError(
            [
                ImportProblem(
                    line,
                    column,
                    _("the file is not UTF-8 text (byte 0x%(byte)02X); save it as CSV UTF-8 and try again")
                    % {"byte": data[error.start]},
                )
            ]
        ) from None


def _decimal(text: str, line: int, column: str, low: Decimal, high: Decimal, problems: list) -> Decimal | None:
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        problems.append(ImportProblem(line, column, _("“%(value)s” is not a number") % {"value": text}))
        return None
    if not value.is_finite() or not (low <= value <= high):
        problems.append(
            ImportProblem(
                line, column, _("%(value)s is outside %(low)s to %(high)s") % {"value": text, "low": low, "high": high}
            )
        )
        return None
    return value


def parse_registry_csv(data: bytes) -> list[RegistryRow]:
    """Read and check the whole file; raise RegistryImportError listing every problem found (up to a limit)."""
    if len(data) > MAX_FILE_BYTES:
        raise RegistryImportError([ImportProblem(1, None, _("the file is larger than 50 MB"))])
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[ImportProblem] = []
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise RegistryImportError([ImportProblem(1, None, _("unreadable CSV: %(error)s") % {"error": error})]) from None
    if header is None:
        raise RegistryImportError([ImportProblem(1, None, _("the file is empty"))])
    header = [name.strip() for name in header]
    if header != EXPECTED_COLUMNS:
        missing = [c for c in EXPECTED_COLUMNS if c not in header]
        unexpected = [c for c in header if c not in EXPECTED_COLUMNS]
        for index, expected in enumerate(EXPECTED_COLUMNS):
            if missing or unexpected:
                break
            if index >= len(header) or header[index] != expected:
                problems.append(
                    ImportProblem(
                        1,
                        expected,
                        _("the columns are out of order; expected: %(columns)s")
                        % {"columns": ", ".join(EXPECTED_COLUMNS)},
                    )
                )
                break
        for column in missing:
            problems.append(ImportProblem(1, column, _("this column is missing from the header")))
        for column in unexpected:
            problems.append(ImportProblem(1, column, _("unexpected column in the header")))
        raise RegistryImportError(problems)

    known_provinces = {p.code for p in geothai.provinces()}
    rows: list[RegistryRow] = []
    first_line_of_code: dict[str, int] = {}
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(ImportProblem(line, None, _("unreadable CSV: %(error)s") % {"error": error}))
            break
        line = reader.line_num
        if not values or values == [""]:
            continue
        if len(values) != len(EXPECTED_COLUMNS):
            problems.append(
                ImportProblem(
                    line,
                    None,
                    _("expected %(expected)s columns but found %(found)s")
                    % {"expected": len(EXPECTED_COLUMNS), "found": len(values)},
                )
            )
        else:
            raw = dict(zip(EXPECTED_COLUMNS, (v.strip() for v in values), strict=True))
            row = _check_row(line, raw, known_provinces, problems)
            if row is not None:
                if row.dla_code in first_line_of_code:
                    problems.append(
                        ImportProblem(
                            line,
                            "dla_code",
                            _("code %(code)s is repeated (first seen on line %(first)s)")
                            % {"code": row.dla_code, "first": first_line_of_code[row.dla_code]},
                        )
                    )
                else:
                    first_line_of_code[row.dla_code] = line
                    rows.append(row)
        if len(problems) >= MAX_PROBLEMS_REPORTED:
            break
    if problems:
        raise RegistryImportError(problems)
    if not rows:
        raise RegistryImportError([ImportProblem(2, None, _("the file has a header but no rows"))])
    return rows


def _check_row(line: int, raw: dict[str, str], known_provinces: set[str], problems: list) -> RegistryRow | None:
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(ImportProblem(line, column, message))

    code = raw["dla_code"]
    if not re.fullmatch(r"[0-9]{7}", code):
        problem("dla_code", _("“%(value)s” is not a 7-digit DLA code") % {"value": code})
    for column in ("name_th", "full_name_th"):
        if not raw[column]:
            problem(column, _("this value is required"))
    kind = TYPE_BY_THAI_LABEL.get(raw["type_th"])
    if kind is None:
        problem(
            "type_th",
            _("unknown type “%(value)s”; expected one of %(types)s")
            % {"value": raw["type_th"], "types": ", ".join(TYPE_BY_THAI_LABEL)},
        )
    province_code = raw["province_code"]
    if province_code not in known_provinces:
        problem("province_code", _("unknown province code “%(value)s”") % {"value": province_code})
    district_code = raw["district_code"]
    if not re.fullmatch(r"[0-9]{4}", district_code):
        problem("district_code", _("“%(value)s” is not a 4-digit district code") % {"value": district_code})
    elif not district_code.startswith(province_code):
        problem(
            "district_code",
            _("district %(district)s is not in province %(province)s")
            % {"district": district_code, "province": province_code},
        )
    elif not raw["district_th"]:
        problem("district_th", _("this value is required"))
    # Some published areas are clearly in another unit (m², rai); they are kept as published and flagged on screen.
    area = _decimal(raw["area_km2"], line, "area_km2", Decimal(0), Decimal(10) ** 10, problems)
    latitude = _decimal(raw["lat"], line, "lat", Decimal(-90), Decimal(90), problems)
    longitude = _decimal(raw["lon"], line, "lon", Decimal(-180), Decimal(180), problems)
    if len(problems) > before:
        return None
    return RegistryRow(
        line=line,
        dla_code=code,
        name_th=raw["name_th"],
        full_name_th=raw["full_name_th"],
        type=kind,
        province_code=province_code,
        district_code=district_code,
        district_th=raw["district_th"],
        office_address_no=raw["office_address_no"][:100],
        office_moo=raw["office_moo"][:100],
        postcode=raw["postcode"][:10],
        area_km2=area.quantize(Decimal("0.001")) if area is not None else None,
        latitude=latitude.quantize(Decimal("0.000001")) if latitude is not None else None,
        longitude=longitude.quantize(Decimal("0.000001")) if longitude is not None else None,
        website=raw["website"][:300],
    )


def _sync_provinces(summary: ImportSummary) -> dict[str, Province]:
    existing = {p.code: p for p in Province.objects.all()}
    to_create, to_update = [], []
    for source in geothai.provinces():
        region = REGION_BY_PROVINCE[source.code]
        province = existing.get(source.code)
        if province is None:
            to_create.append(Province(code=source.code, name_th=source.name_th, name_en=source.name_en, region=region))
        elif (province.name_th, province.name_en, province.region) != (source.name_th, source.name_en, region):
            province.name_th, province.name_en, province.region = source.name_th, source.name_en, region
            to_update.append(province)
    Province.objects.bulk_create(to_create)
    Province.objects.bulk_update(to_update, ["name_th", "name_en", "region"])
    summary.provinces_created = len(to_create)
    return {p.code: p for p in Province.objects.all()}


def _sync_districts(rows: list[RegistryRow], provinces: dict[str, Province], summary: ImportSummary) -> dict:
    existing = {d.code: d for d in District.objects.all()}
    wanted: dict[str, str] = {}
    for row in rows:
        wanted.setdefault(row.district_code, row.district_th)
    to_create, to_update = [], []
    for code, published_name in wanted.items():
        source = geothai.district(code)
        name_th = source.name_th if source else published_name
        name_en = source.name_en if source else ""
        province = provinces[code[:2]]
        district = existing.get(code)
        if district is None:
            to_create.append(District(code=code, province=province, name_th=name_th, name_en=name_en))
        elif (district.name_th, district.name_en, district.province_id) != (name_th, name_en, province.pk):
            district.name_th, district.name_en, district.province = name_th, name_en, province
            to_update.append(district)
    District.objects.bulk_create(to_create)
    District.objects.bulk_update(to_update, ["name_th", "name_en", "province"])
    summary.districts_created = len(to_create)
    return {d.code: d.pk for d in District.objects.all()}


def _ensure_bangkok(provinces: dict[str, Province]) -> None:
    """Bangkok is a special-form local government outside DLA's list: one record, no DLA code."""
    LocalGovernment.objects.update_or_create(
        type=LocalGovernmentType.BMA,
        defaults={
            "dla_code": None,
            "name_th": BANGKOK_NAME,
            "full_name_th": BANGKOK_NAME,
            "province": provinces[BANGKOK_PROVINCE_CODE],
            "district": None,
            "is_active": True,
            "website": "www.bangkok.go.th",
        },
    )


def import_registry(data: bytes) -> ImportSummary:
    """Upsert the registry from DLA's CSV: all or nothing.

    New codes are added, changed rows updated (names, type: an อบต. upgraded to เทศบาลตำบล keeps its code),
    codes missing from the file are marked inactive and never deleted.
    """
    started = time.perf_counter()
    rows = parse_registry_csv(data)
    summary = ImportSummary()
    with transaction.atomic():
        provinces = _sync_provinces(summary)
        district_ids = _sync_districts(rows, provinces, summary)
        existing = {lg.dla_code: lg for lg in LocalGovernment.objects.exclude(dla_code=None)}
        to_create, to_update = [], []
        for row in rows:
            values = {
                "name_th": row.name_th,
                "full_name_th": row.full_name_th,
                "type": row.type,
                "province_id": provinces[row.province_code].pk,
                "district_id": district_ids[row.district_code],
                "office_address_no": row.office_address_no,
                "office_moo": row.office_moo,
                "postcode": row.postcode,
                "area_km2": row.area_km2,
                "latitude": row.latitude,
                "longitude": row.longitude,
                "website": row.website,
                "is_active": True,
            }
            current = existing.pop(row.dla_code, None)
            if current is None:
                to_create.append(LocalGovernment(dla_code=row.dla_code, **values))
                continue
            changed = [name for name, value in values.items() if getattr(current, name) != value]
            if changed:
                for name in changed:
                    setattr(current, name, values[name])
                to_update.append(current)
                summary.changed_codes.append(row.dla_code)
            else:
                summary.unchanged += 1
        # Whatever is left was not in the file: keep it, inactive.
        to_deactivate = [lg.pk for lg in existing.values() if lg.is_active]
        LocalGovernment.objects.bulk_create(to_create, batch_size=1000)
        LocalGovernment.objects.bulk_update(to_update, SYNCED_FIELDS, batch_size=500)
        LocalGovernment.objects.filter(pk__in=to_deactivate).update(is_active=False)
        _ensure_bangkok(provinces)
        summary.added = len(to_create)
        summary.updated = len(to_update)
        summary.deactivated = len(to_deactivate)
        summary.unchanged += sum(1 for lg in existing.values() if not lg.is_active)
    summary.seconds = time.perf_counter() - started
    return summary


def type_counts(local_governments) -> list[dict]:
    """Counts by type in the fixed order of LocalGovernmentType, zeros included."""
    counted = Counter(dict(local_governments.order_by().values_list("type").annotate(n=Count("pk"))))
    return [{"type": kind, "label": kind.label, "count": counted.get(kind.value, 0)} for kind in LocalGovernmentType]


def type_count_matrix(local_governments, group_field: str) -> dict[int, dict[str, int]]:
    """{group id: {type: count}} in one query, for province and district tables."""
    matrix: dict[int, dict[str, int]] = {}
    for group_id, kind, count in (
        local_governments.order_by()
        .values_list(group_field, "type")
        .annotate(n=Count("pk"))
        .values_list(group_field, "type", "n")
    ):
        matrix.setdefault(group_id, {})[kind] = count
    return matrix


def scope_summary(user) -> dict:
    """What the home page says about the user's scope: how many local governments, by type."""
    visible = LocalGovernment.objects.for_user(user).active()
    scope = accessible_units(user)
    return {
        "nation": scope.nation,
        "local_governments": visible.count(),
        "by_type": [entry for entry in type_counts(visible) if entry["count"]],
        "provinces": list(Province.objects.for_user(user).order_by(thai("name_th"))[:5]),
        "districts": list(District.objects.for_user(user).filter(pk__in=scope.district_ids).order_by(thai("name_th"))),
    }


def registry_facts() -> dict:
    """Counts for the About page (public, aggregate only)."""
    active = LocalGovernment.objects.active()
    return {
        "local_governments": active.count(),
        "provinces": Province.objects.count(),
        "districts": District.objects.count(),
        "by_type": type_counts(active),
        "geothai_version": geothai.DATA_VERSION,
    }
