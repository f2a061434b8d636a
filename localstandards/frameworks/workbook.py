"""The framework workbook (XLSX): file checks, parsing with cell-level problems, and writing.

Every sheet has the Thai column headers in row 1, the machine column keys in row 2 (the importer finds columns by
these keys, so their order does not matter) and data from row 3. docs/framework-format.md describes each column.
`parse_workbook(bytes)` returns the framework as a spec (spec.FrameworkSpec, the canonical form) or raises
WorkbookError with every problem found, one function per sheet; `build_workbook(spec)` writes a spec back;
parse(build(spec)) == spec.
"""

from __future__ import annotations

import io
import itertools
import re
import warnings
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from localstandards.frameworks import expressions
from localstandards.frameworks.models import (
    DEFAULT_NO_TEXT,
    DEFAULT_YES_TEXT,
    EVIDENCE_TYPES,
    TYPE_CODES,
    Kind,
    LabelKey,
    Severity,
)
from localstandards.frameworks.spec import (
    UNIT_KEYS,
    AreaSpec,
    FrameworkHeader,
    FrameworkSpec,
    IndicatorSpec,
    LabelSpec,
    MissionSpec,
    QuestionSpec,
    ScoringSpec,
    ValidationSpec,
    canonical_order,
    dec_str,
)

MAX_FILE_BYTES = 5 * 1024 * 1024  # 5 MiB = 5,242,880 bytes
# Limits checked from the sheets' dimensions before the workbook is read cell by cell (docs/framework-format.md):
# a real framework has ~35–150 indicators; a 50,000-row sheet took minutes to read and slowed every page after.
MAX_ROWS_PER_SHEET = 2000
MAX_INDICATORS = 300
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # 50 MiB
MAX_ZIP_MEMBERS = 2000
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
FIRST_DATA_ROW = 3
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
YES = {"yes", "y", "true", "1", "ใช่", "มี"}
NO = {"no", "n", "false", "0", "ไม่ใช่", "ไม่", "ไม่มี", ""}
ALL_TYPES = "ALL"


@dataclass(frozen=True)
class Problem:
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = "!".join(part for part in (self.sheet, self.cell) if part)
        return f"{where}: {self.message}" if where else self.message


class WorkbookError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems[:5]))


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    max_length: int = 255
    width: int = 16


TARGET_COLUMNS = [Column(f"target_{code}", f"ค่าเป้าหมาย {code}", width=12) for code in TYPE_CODES]

SHEETS: dict[str, list[Column]] = {
    "framework": [
        Column("code", "รหัสกรอบการประเมิน", True, 32),
        Column("fiscal_year", "ปีงบประมาณ (พ.ศ.)", True),
        Column("name", "ชื่อกรอบการประเมิน", True, 255, 50),
        Column("description", "คำอธิบาย", False, 5000, 60),
        Column("is_sample", "เป็นตัวอย่าง (ใช่/ไม่ใช่)", False),
        Column("yes_text", "คำตอบ “ใช่” แสดงในผลว่า (ว่าง = มี)", False, 50),
        Column("no_text", "คำตอบ “ไม่ใช่” แสดงในผลว่า (ว่าง = ไม่มี)", False, 50),
    ],
    "areas": [
        Column("code", "รหัสด้าน", True, 32, 10),
        Column("name", "ชื่อด้าน", True, 255, 60),
        Column("weight", "น้ำหนัก", False),
    ],
    "missions": [
        Column("area_code", "รหัสด้าน", True, 32, 10),
        Column("code", "รหัสภารกิจ", True, 32, 10),
        Column("name", "ชื่อภารกิจ", True, 255, 60),
    ],
    "indicators": [
        Column("mission_code", "รหัสภารกิจ", True, 32, 10),
        Column("code", "รหัสเกณฑ์ชี้วัด", True, 32, 10),
        Column("wording", "เกณฑ์ชี้วัด ({lg} = ประเภท อปท.)", True, 2000, 60),
        Column("guidance", "คำแนะนำการกรอกและหลักฐาน", False, 5000, 60),
        Column("kind", "ชนิด (ratio/count/yesno)", True, 8, 10),
        Column("base_unit", "หน่วยของกรอบการประเมิน (1)", False, 100),
        Column("delivered_unit", "หน่วยของการจัดบริการสาธารณะ (2)", False, 100),
        Column("count_unit", "หน่วยนับ (count)", False, 100),
        Column("applies_to", "ประเภท อปท. ที่ใช้", True, 200, 24),
        Column("applicability", "เงื่อนไขการใช้ (นิพจน์)", False, expressions.MAX_LENGTH, 24),
        Column("target", "ค่าเป้าหมาย (ค่าตั้งต้น)", False, width=12),
        *TARGET_COLUMNS,
        Column("evidence_required", "ต้องแนบหลักฐาน (ใช่/ไม่ใช่)", False),
        Column("evidence_types", "ชนิดไฟล์หลักฐาน", False, 100),
        Column("weight", "น้ำหนัก", False),
    ],
    "validations": [
        Column("indicator_code", "รหัสเกณฑ์ชี้วัด", True, 32, 12),
        Column("severity", "ระดับ (hard/soft)", True, 8, 10),
        Column("expression", "เงื่อนไขที่ต้องเป็นจริง (นิพจน์)", True, expressions.MAX_LENGTH, 40),
        Column("message", "ข้อความเมื่อไม่ผ่าน", True, 500, 60),
    ],
    "satisfaction": [
        Column("area_code", "รหัสด้าน", True, 32, 10),
        Column("code", "รหัสคำถาม", True, 32, 10),
        Column("wording", "คำถามความพึงพอใจ ({lg} = ประเภท อปท.)", True, 2000, 80),
    ],
    "scoring": [
        Column("satisfaction_share", "สัดส่วนคะแนนความพึงพอใจ (0–1)", True, width=20),
        Column("pass_threshold", "เกณฑ์ผ่าน (คะแนนร้อยละ)", True, width=20),
        Column("satisfaction_pass_threshold", "เกณฑ์ผ่านความพึงพอใจ (ร้อยละ)", False, width=20),
        Column("score_formula", "สูตรคะแนนรวม (นิพจน์)", False, expressions.MAX_LENGTH, 50),
    ],
    "labels": [
        Column("key", "รหัสผลการประเมิน", True, 16, 14),
        Column("text_th", "ข้อความ (ไทย)", True, 200, 36),
        Column("text_en", "ข้อความ (อังกฤษ)", False, 200, 36),
        Column("min_gap", "เกณฑ์: ผล − ค่าเป้าหมาย ≥ (จุดร้อยละ)", False, width=20),
    ],
}
REQUIRED_SHEETS = ["framework", "areas", "missions", "indicators", "satisfaction", "scoring", "labels"]
NOTES_SHEET = "คำอธิบาย"


# ---------------------------------------------------------------------------------------------------------------
# Value helpers


def _number_for_cell(text: str | None) -> int | float | None:
    if text is None:
        return None
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------------------------------------------------------
# File checks before openpyxl sees the bytes


def too_large_message() -> str:
    """The refusal of a file over MAX_FILE_BYTES, with the limit in MiB and in bytes (the web form says the same)."""
    return _("The file is larger than 5 MiB (%(bytes)s bytes) and was not read.") % {"bytes": f"{MAX_FILE_BYTES:,}"}


def check_file(data: bytes) -> list[Problem]:
    """Refuse what is not a plain .xlsx: wrong format, encrypted, too large, zip bomb, macros."""
    if len(data) > MAX_FILE_BYTES:
        return [Problem("", "", too_large_message())]
    if data.startswith(OLE2_MAGIC):
        return [
            Problem(
                "",
                "",
                _(
                    "The file is password-protected (encrypted) or is an old Excel .xls file. "
                    "Remove the password and save it as .xlsx."
                ),
            )
        ]
    if not data.startswith(ZIP_MAGIC):
        return [Problem("", "", _("The file is not an Excel workbook (.xlsx)."))]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return [Problem("", "", _("The file is not an Excel workbook (.xlsx)."))]
    if len(members) > MAX_ZIP_MEMBERS or sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        return [Problem("", "", _("The workbook is larger than 50 MiB when unpacked and was not read."))]
    names = {member.filename.lower() for member in members}
    if any(name.endswith("vbaproject.bin") for name in names):
        return [Problem("", "", _("The workbook contains macros (.xlsm). Save it as a plain .xlsx without macros."))]
    if "[content_types].xml" in names:
        try:
            content_types = archive.read("[Content_Types].xml")
        except (KeyError, zipfile.BadZipFile, OSError):
            content_types = b""
        if b"macroEnabled" in content_types:
            return [
                Problem("", "", _("The workbook contains macros (.xlsm). Save it as a plain .xlsx without macros."))
            ]
    if "xl/workbook.xml" not in names:
        return [Problem("", "", _("The file is not an Excel workbook (.xlsx)."))]
    return []


# ---------------------------------------------------------------------------------------------------------------
# Parsing


@dataclass(frozen=True)
class _Row:
    """One non-empty data row of a sheet: the raw value and the cell reference of every column key."""

    sheet: str
    number: int
    values: dict[str, Any]
    refs: dict[str, str]


def missing_column_ref(column: Column, row_number: int) -> str:
    """Where a value of a column that is missing from row 2 would be, in words: the row and the column's key and
    header as the importer expects them."""
    return _("row %(row)s, column “%(key)s” (%(header)s, missing)") % {
        "row": row_number,
        "key": column.key,
        "header": column.header,
    }


# Codes already read on a sheet: code → the cell where it was first written.
Seen = dict[str, str]


class _Reader:
    """Collects problems while reading one workbook."""

    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self.problems: list[Problem] = []

    def add(self, sheet: str, cell: str, message: str) -> None:
        self.problems.append(Problem(sheet, cell, message))

    def has_sheet(self, sheet_name: str) -> bool:
        return sheet_name in self.workbook.sheetnames

    def rows(self, sheet_name: str) -> list[_Row]:
        """The non-empty data rows of a sheet (a missing required sheet or a bad row 2 is a problem)."""
        columns = {column.key: column for column in SHEETS[sheet_name]}
        if not self.has_sheet(sheet_name):
            if sheet_name in REQUIRED_SHEETS:
                self.add(sheet_name, "", _("The sheet “%(sheet)s” is missing.") % {"sheet": sheet_name})
            return []
        sheet = self.workbook[sheet_name]
        if sheet.max_row > MAX_ROWS_PER_SHEET:  # the dimension check missed it (a file without <dimension>)
            self.add(
                sheet_name,
                "",
                _("The sheet has %(rows)s rows; at most %(limit)s are allowed. Nothing was read.")
                % {"rows": f"{sheet.max_row:,}", "limit": f"{MAX_ROWS_PER_SHEET:,}"},
            )
            return []
        positions: dict[str, int] = {}
        last_column = 0
        for cell in sheet[2] if sheet.max_row >= 2 else []:
            key = _text(cell.value)
            if not key:
                continue
            last_column = max(last_column, cell.column)
            if key not in columns:
                self.add(sheet_name, cell.coordinate, _("Unknown column key “%(key)s”.") % {"key": key})
            elif key in positions:
                self.add(sheet_name, cell.coordinate, _("The column “%(key)s” appears twice.") % {"key": key})
            else:
                positions[key] = cell.column
        for column in columns.values():
            if column.required and column.key not in positions:
                last_column += 1
                self.add(
                    sheet_name,
                    f"{get_column_letter(last_column)}2",
                    _("The required column “%(key)s” (%(header)s) is missing from row 2.")
                    % {"key": column.key, "header": column.header},
                )
        result = []
        for row_number in range(FIRST_DATA_ROW, sheet.max_row + 1):
            values: dict[str, Any] = {}
            refs: dict[str, str] = {}
            for key, column_number in positions.items():
                cell = sheet.cell(row=row_number, column=column_number)
                values[key] = cell.value.strip() if isinstance(cell.value, str) else cell.value
                refs[key] = cell.coordinate
            if all(value in (None, "") for value in values.values()):
                continue
            for key in columns:
                # A column not found in row 2 (renamed or deleted) has no cell: name the column and the row.
                refs.setdefault(key, missing_column_ref(columns[key], row_number))
                values.setdefault(key, None)
            for key, value in values.items():
                text = _text(value)
                if len(text) > columns[key].max_length:
                    self.add(
                        sheet_name,
                        refs[key],
                        _("The text is too long (at most %(limit)s characters).") % {"limit": columns[key].max_length},
                    )
            result.append(_Row(sheet_name, row_number, values, refs))
        return result

    def one_row(self, sheet_name: str) -> _Row | None:
        """The data row of a sheet that must have exactly one (framework, scoring)."""
        rows = self.rows(sheet_name)
        if self.has_sheet(sheet_name) and len(rows) != 1:
            self.add(sheet_name, "A3", _("The sheet must have exactly one data row (row 3)."))
        return rows[0] if rows else None

    # Typed readers: each returns the value (or an empty value) and records a problem at the cell when it is wrong.

    def add_at(self, row: _Row, key: str, message: str) -> None:
        self.add(row.sheet, row.refs[key], message)

    def text(self, row: _Row, key: str, required: bool = False) -> str:
        text = _text(row.values[key])
        if required and not text:
            self.add_at(row, key, _("This cell must not be empty."))
        return text

    def reference(self, row: _Row, key: str, known: Seen, unknown_message: str) -> str:
        """A required code that must name a row of another sheet (an area, mission or indicator)."""
        text = _text(row.values[key])
        if not text:
            self.add_at(row, key, _("This cell must not be empty."))
        elif text not in known:
            self.add_at(row, key, unknown_message % {"code": text})
        return text

    def code(self, row: _Row, key: str) -> str:
        text = _text(row.values[key])
        if not text:
            self.add_at(row, key, _("This cell must not be empty."))
        elif not CODE_RE.match(text):
            self.add_at(
                row,
                key,
                _("“%(value)s” is not a valid code (letters, digits, dot, dash; at most 32).") % {"value": text},
            )
        return text

    def decimal(
        self,
        row: _Row,
        key: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        integer: bool = False,
        required: bool = False,
    ) -> str | None:
        """A number with at most 2 decimals, as canonical text (dec_str); None when empty or wrong."""
        raw = row.values[key]
        if raw is None or _text(raw) == "":
            if required:
                self.add_at(row, key, _("This cell must not be empty."))
            return None
        value: Decimal | None
        if isinstance(raw, bool):
            value = None
        else:
            try:
                value = Decimal(_text(raw).replace(",", ""))
            except InvalidOperation:
                value = None
        if value is None or not value.is_finite():
            self.add_at(row, key, _("“%(value)s” is not a number.") % {"value": _text(raw)})
            return None
        if integer and value != value.to_integral_value():
            self.add_at(row, key, _("“%(value)s” must be a whole number.") % {"value": _text(raw)})
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            if maximum is None:
                message = _("The value must be at least %(minimum)s.") % {"minimum": minimum}
            else:
                message = _("The value must be between %(minimum)s and %(maximum)s.") % {
                    "minimum": minimum,
                    "maximum": maximum,
                }
            self.add_at(row, key, message)
            return None
        if value != value.quantize(Decimal("0.01")):
            self.add_at(row, key, _("At most 2 decimal places are allowed."))
            return None
        return dec_str(value)

    def boolean(self, row: _Row, key: str) -> bool:
        raw = row.values[key]
        if isinstance(raw, bool):
            return raw
        text = _text(raw).lower()
        if text in YES:
            return True
        if text not in NO:
            self.add_at(row, key, _("Write ใช่ (yes) or ไม่ใช่ (no), not “%(value)s”.") % {"value": _text(raw)})
        return False

    def choice(self, row: _Row, key: str, allowed: list[str], message: str) -> str:
        text = _text(row.values[key])
        if not text:
            self.add_at(row, key, _("This cell must not be empty."))
        elif text not in allowed:
            self.add_at(row, key, message % {"value": text, "allowed": ", ".join(allowed)})
            return ""
        return text

    def expression(self, row: _Row, key: str, kind: str, required: bool = False) -> str:
        text = self.text(row, key, required=required)
        if text:
            try:
                expressions.check(text, kind)
            except expressions.ExpressionError as error:
                self.add_at(row, key, _("Bad expression: %(reason)s") % {"reason": error})
        return text

    def unique(self, seen: Seen, row: _Row, key: str, value: str, what: str) -> None:
        if not value:
            return
        if value in seen:
            self.add_at(
                row,
                key,
                _("Duplicate %(what)s code “%(code)s” (already used in %(cell)s).")
                % {"what": what, "code": value, "cell": seen[value]},
            )
        else:
            seen[value] = row.refs[key]


def _split_list(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\s]+", _text(value)) if part.strip()]


def _too_many_rows(sheet) -> str | None:
    """The refusal of a read-only sheet over MAX_ROWS_PER_SHEET, or None. The recorded dimension answers at once;
    when it is missing or too small (some programs write none, or A1), the rows are streamed and counted up to
    one past the limit, so a wrong dimension costs at most 2,001 rows of reading."""
    rows = sheet.max_row or 0
    if rows > MAX_ROWS_PER_SHEET:
        return _("The sheet has %(rows)s rows; at most %(limit)s are allowed. Nothing was read.") % {
            "rows": f"{rows:,}",
            "limit": f"{MAX_ROWS_PER_SHEET:,}",
        }
    streamed = sum(1 for _row in itertools.islice(sheet.iter_rows(values_only=True), MAX_ROWS_PER_SHEET + 1))
    if streamed > MAX_ROWS_PER_SHEET:
        return _("The sheet has more than %(limit)s rows; that is the most allowed. Nothing was read.") % {
            "limit": f"{MAX_ROWS_PER_SHEET:,}"
        }
    return None


def _too_many_indicators(sheet) -> str | None:
    """Non-empty data rows of the indicators sheet over MAX_INDICATORS (only formatted rows are not indicators)."""
    count = sum(
        1
        for values in sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
        if any(value not in (None, "") for value in values)
    )
    if count > MAX_INDICATORS:
        return _("The sheet has %(count)s indicators; a framework has at most %(limit)s.") % {
            "count": f"{count:,}",
            "limit": MAX_INDICATORS,
        }
    return None


def check_size(data: bytes) -> list[Problem]:
    """Refuse a workbook beyond the documented limits before it is parsed: openpyxl's read-only mode reads each
    sheet's dimension and streams rows without building them, so an oversized file is refused in a moment
    instead of after minutes of parsing."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:
        return [Problem("", "", _("The workbook cannot be read. Save it again in Excel as .xlsx."))]
    problems = []
    try:
        for name in SHEETS:
            if name not in workbook.sheetnames:
                continue
            message = _too_many_rows(workbook[name])
            if message is None and name == "indicators":
                message = _too_many_indicators(workbook[name])
            if message:
                problems.append(Problem(name, "", message))
    finally:
        workbook.close()
    return problems


def parse_workbook(data: bytes) -> FrameworkSpec:
    """Read and validate a framework workbook; return the spec or raise WorkbookError with every problem."""
    problems = check_file(data) or check_size(data)
    if problems:
        raise WorkbookError(problems)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), data_only=False, keep_vba=False, keep_links=False)
    except Exception:
        raise WorkbookError(
            [Problem("", "", _("The workbook cannot be read. Save it again in Excel as .xlsx."))]
        ) from None
    formulas = [
        Problem(sheet.title, cell.coordinate, _("Formulas are not allowed; type the value instead."))
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    if formulas:
        raise WorkbookError(formulas)
    reader = _Reader(workbook)
    spec = _parse(reader)
    if reader.problems or spec is None:  # spec is None only when a problem was recorded
        raise WorkbookError(reader.problems)
    return spec


def _parse(r: _Reader) -> FrameworkSpec | None:
    """Every sheet in turn (so problems are listed sheet by sheet); None when a one-row sheet is unusable."""
    header = _parse_framework(r)
    areas, area_codes = _parse_areas(r)
    missions, mission_codes = _parse_missions(r, area_codes)
    indicators, indicator_codes = _parse_indicators(r, mission_codes)
    validations = _parse_validations(r, indicator_codes)
    satisfaction = _parse_satisfaction(r, area_codes)
    scoring = _parse_scoring(r)
    labels = _parse_labels(r)
    if header is None or scoring is None:
        return None
    spec = FrameworkSpec(
        framework=header,
        areas=areas,
        missions=missions,
        indicators=indicators,
        validations=validations,
        satisfaction=satisfaction,
        scoring=scoring,
        labels=labels,
    )
    canonical_order(spec)
    return spec


def _parse_framework(r: _Reader) -> FrameworkHeader | None:
    row = r.one_row("framework")
    if row is None:
        return None
    year = r.decimal(row, "fiscal_year", minimum=2500, maximum=2700, integer=True, required=True)
    code = r.code(row, "code")
    name = r.text(row, "name", required=True)
    description = r.text(row, "description")
    is_sample = r.boolean(row, "is_sample")
    yes_text = r.text(row, "yes_text") or DEFAULT_YES_TEXT
    no_text = r.text(row, "no_text") or DEFAULT_NO_TEXT
    if yes_text == no_text:
        r.add_at(
            row, "no_text", _("A no answer must read differently from a yes answer (“%(text)s”).") % {"text": no_text}
        )
    if year is None:
        return None
    return FrameworkHeader(
        code=code,
        fiscal_year=int(year),
        name=name,
        description=description,
        is_sample=is_sample,
        yes_text=yes_text,
        no_text=no_text,
    )


def _parse_areas(r: _Reader) -> tuple[list[AreaSpec], Seen]:
    areas: list[AreaSpec] = []
    codes: Seen = {}
    for row in r.rows("areas"):
        code = r.code(row, "code")
        r.unique(codes, row, "code", code, _("area"))
        weight = r.decimal(row, "weight", minimum=0, maximum=1000)
        areas.append(AreaSpec(code=code, name=r.text(row, "name", required=True), weight=weight or "1"))
    if r.has_sheet("areas") and not areas:
        r.add("areas", "A3", _("The framework needs at least one area."))
    return areas, codes


def _area_of(r: _Reader, row, area_codes: Seen) -> str:
    """The area a missions or satisfaction row names, which must be on the areas sheet."""
    return r.reference(row, "area_code", area_codes, _("Unknown area code “%(code)s” (not on the sheet areas)."))


def _parse_missions(r: _Reader, area_codes: Seen) -> tuple[list[MissionSpec], Seen]:
    missions: list[MissionSpec] = []
    codes: Seen = {}
    for row in r.rows("missions"):
        area = _area_of(r, row, area_codes)
        code = r.code(row, "code")
        r.unique(codes, row, "code", code, _("mission"))
        missions.append(MissionSpec(area=area, code=code, name=r.text(row, "name", required=True)))
    return missions, codes


def _parse_indicators(r: _Reader, mission_codes: Seen) -> tuple[list[IndicatorSpec], Seen]:
    indicators: list[IndicatorSpec] = []
    codes: Seen = {}
    for row in r.rows("indicators"):
        indicators.append(_parse_indicator(r, row, mission_codes, codes))
    if r.has_sheet("indicators") and not indicators:
        r.add("indicators", "A3", _("The framework needs at least one indicator."))
    elif len(indicators) > MAX_INDICATORS:
        r.add(
            "indicators",
            "",
            _("The sheet has %(count)s indicators; a framework has at most %(limit)s.")
            % {"count": f"{len(indicators):,}", "limit": MAX_INDICATORS},
        )
    return indicators, codes


def _parse_indicator(r: _Reader, row: _Row, mission_codes: Seen, codes: Seen) -> IndicatorSpec:
    mission = r.reference(
        row, "mission_code", mission_codes, _("Unknown mission code “%(code)s” (not on the sheet missions).")
    )
    code = r.code(row, "code")
    r.unique(codes, row, "code", code, _("indicator"))
    kind = r.choice(row, "kind", [k.value for k in Kind], _("Unknown kind “%(value)s”; use one of: %(allowed)s."))
    units = _indicator_units(r, row, kind)
    applies = _indicator_applies_to(r, row)
    default_target, targets = _indicator_targets(r, row, kind, applies)
    evidence_required, evidence_types = _indicator_evidence(r, row)
    return IndicatorSpec(
        mission=mission,
        code=code,
        wording=r.text(row, "wording", required=True),
        guidance=r.text(row, "guidance"),
        kind=kind,
        base_unit=units["base_unit"],
        delivered_unit=units["delivered_unit"],
        count_unit=units["count_unit"],
        applies_to=applies,
        applicability=r.expression(row, "applicability", expressions.APPLICABILITY),
        target=default_target,
        targets=targets,
        evidence_required=evidence_required,
        evidence_types=evidence_types,
        weight=r.decimal(row, "weight", minimum=0, maximum=1000),
    )


def _indicator_units(r: _Reader, row: _Row, kind: str) -> dict[str, str]:
    """The unit cells: a ratio needs base and delivered units, a count its count unit, and nothing else."""
    units = {key: r.text(row, key) for key in UNIT_KEYS}
    needed = {Kind.RATIO: ("base_unit", "delivered_unit"), Kind.COUNT: ("count_unit",)}.get(kind, ())
    for key, unit in units.items():
        if kind and key in needed and not unit:
            r.add_at(row, key, _("A %(kind)s indicator needs this unit.") % {"kind": kind})
        elif kind and key not in needed and unit:
            r.add_at(row, key, _("This unit is not used by a %(kind)s indicator; leave it empty.") % {"kind": kind})
    return units


def _indicator_applies_to(r: _Reader, row: _Row) -> list[str]:
    """ALL or a list of type codes, as type codes in TYPE_CODES order."""
    applies_raw = _split_list(row.values["applies_to"])
    if not applies_raw:
        r.add_at(row, "applies_to", _("This cell must not be empty."))
        return []
    if applies_raw == [ALL_TYPES]:
        return list(TYPE_CODES)
    unknown = [item for item in applies_raw if item not in TYPE_CODES]
    if unknown:
        r.add_at(
            row,
            "applies_to",
            _("Unknown type of local government “%(value)s”; use ALL or: %(allowed)s.")
            % {"value": ", ".join(unknown), "allowed": ", ".join(TYPE_CODES)},
        )
    return [type_code for type_code in TYPE_CODES if type_code in applies_raw]


def _indicator_targets(r: _Reader, row: _Row, kind: str, applies: list[str]) -> tuple[str | None, dict[str, str]]:
    """(default target, {type code: target}): none for yes/no; every applicable type needs one otherwise."""
    target_keys = ["target"] + [column.key for column in TARGET_COLUMNS]
    if kind == Kind.YESNO:
        for key in target_keys:
            if _text(row.values[key]):
                r.add_at(row, key, _("A yes/no indicator has no target (yes meets the standard); leave it empty."))
        return None, {}
    if not kind:
        return None, {}
    bounds: dict[str, Any] = {
        Kind.RATIO: {"minimum": 0, "maximum": 100},
        Kind.COUNT: {"minimum": 0, "maximum": 99999, "integer": True},
    }[kind]
    default_target = r.decimal(row, "target", **bounds)
    targets: dict[str, str] = {}
    for column in TARGET_COLUMNS:
        type_code = column.key.removeprefix("target_")
        value = r.decimal(row, column.key, **bounds)
        if value is None:
            continue
        if applies and type_code not in applies:
            r.add_at(
                row,
                column.key,
                _("A target for %(type)s, but the indicator does not apply to %(type)s.") % {"type": type_code},
            )
        targets[type_code] = value
    missing = [t for t in applies if t not in targets] if default_target is None else []
    if missing and not _text(row.values["target"]):
        r.add_at(
            row,
            "target",
            _("No target for %(types)s: fill the default target or a target per type.") % {"types": ", ".join(missing)},
        )
    return default_target, targets


def _indicator_evidence(r: _Reader, row: _Row) -> tuple[bool, list[str]]:
    """(evidence required, the file types that count, in EVIDENCE_TYPES order)."""
    evidence_required = r.boolean(row, "evidence_required")
    evidence_types = [item.lower().lstrip(".") for item in _split_list(row.values["evidence_types"])]
    bad_types = [item for item in evidence_types if item not in EVIDENCE_TYPES]
    if bad_types:
        r.add_at(
            row,
            "evidence_types",
            _("Unknown evidence file type “%(value)s”; allowed: %(allowed)s.")
            % {"value": ", ".join(bad_types), "allowed": ", ".join(EVIDENCE_TYPES)},
        )
    elif evidence_required and not evidence_types:
        r.add_at(row, "evidence_types", _("Evidence is required: list the file types that count."))
    return evidence_required, [t for t in EVIDENCE_TYPES if t in evidence_types]


def _parse_validations(r: _Reader, indicator_codes: Seen) -> list[ValidationSpec]:
    """The optional sheet of validation rules."""
    rules: list[ValidationSpec] = []
    severity_message = _("Unknown severity “%(value)s”; use one of: %(allowed)s.")
    for row in r.rows("validations"):
        indicator = r.reference(
            row,
            "indicator_code",
            indicator_codes,
            _("Unknown indicator code “%(code)s” (not on the sheet indicators)."),
        )
        rules.append(
            ValidationSpec(
                indicator=indicator,
                severity=r.choice(row, "severity", [s.value for s in Severity], severity_message),
                expression=r.expression(row, "expression", expressions.VALIDATION, True),
                message=r.text(row, "message", required=True),
            )
        )
    return rules


def _parse_satisfaction(r: _Reader, area_codes: Seen) -> list[QuestionSpec]:
    questions: list[QuestionSpec] = []
    codes: Seen = {}
    for row in r.rows("satisfaction"):
        area = _area_of(r, row, area_codes)
        code = r.code(row, "code")
        r.unique(codes, row, "code", code, _("question"))
        questions.append(QuestionSpec(area=area, code=code, wording=r.text(row, "wording", required=True)))
    return questions


def _parse_scoring(r: _Reader) -> ScoringSpec | None:
    row = r.one_row("scoring")
    if row is None:
        return None
    satisfaction_share = r.decimal(row, "satisfaction_share", minimum=0, maximum=1, required=True)
    pass_threshold = r.decimal(row, "pass_threshold", minimum=0, maximum=100, required=True)
    satisfaction_pass_threshold = r.decimal(row, "satisfaction_pass_threshold", minimum=0, maximum=100)
    score_formula = r.expression(row, "score_formula", expressions.SCORING)
    if satisfaction_share is None or pass_threshold is None:
        return None
    return ScoringSpec(
        satisfaction_share=satisfaction_share,
        pass_threshold=pass_threshold,
        satisfaction_pass_threshold=satisfaction_pass_threshold,
        score_formula=score_formula,
    )


def _parse_labels(r: _Reader) -> list[LabelSpec]:
    labels: list[LabelSpec] = []
    keys: Seen = {}
    label_message = _("Unknown result key “%(value)s”; use one of: %(allowed)s.")
    last_row = FIRST_DATA_ROW - 1
    for row in r.rows("labels"):
        last_row = row.number
        key = r.choice(row, "key", [k.value for k in LabelKey], label_message)
        if key in keys:
            r.add_at(
                row,
                "key",
                _("Duplicate %(what)s code “%(code)s” (already used in %(cell)s).")
                % {"what": _("result"), "code": key, "cell": keys[key]},
            )
        elif key:
            keys[key] = row.refs["key"]
        min_gap = r.decimal(row, "min_gap", minimum=-100, maximum=100)
        if min_gap is not None and key not in (LabelKey.ABOVE, LabelKey.MEETS):
            r.add_at(row, "min_gap", _("Only ABOVE and MEETS have a threshold; leave it empty."))
        labels.append(
            LabelSpec(
                key=key,
                text_th=r.text(row, "text_th", required=True),
                text_en=r.text(row, "text_en"),
                min_gap=min_gap,
            )
        )
    if r.has_sheet("labels"):
        missing = [k.value for k in LabelKey if k.value not in keys]
        if missing:
            r.add("labels", f"A{last_row + 1}", _("Missing result labels: %(keys)s.") % {"keys": ", ".join(missing)})
        elif all(label["min_gap"] is None for label in labels if label["key"] in ("ABOVE", "MEETS")):
            r.add("labels", "D3", _("ABOVE or MEETS needs a threshold (min_gap)."))
    return labels


# ---------------------------------------------------------------------------------------------------------------
# Writing


HEADER_FILL = PatternFill("solid", fgColor="1D4E89")
KEY_FILL = PatternFill("solid", fgColor="E3ECF8")


def _yes_no(value: bool) -> str:
    return "ใช่" if value else "ไม่ใช่"


def _indicator_row(indicator: IndicatorSpec) -> dict[str, Any]:
    applies_to = indicator["applies_to"]
    row: dict[str, Any] = {
        "mission_code": indicator["mission"],
        "code": indicator["code"],
        "wording": indicator["wording"],
        "guidance": indicator["guidance"],
        "kind": indicator["kind"],
        "base_unit": indicator["base_unit"],
        "delivered_unit": indicator["delivered_unit"],
        "count_unit": indicator["count_unit"],
        "applies_to": ALL_TYPES if applies_to == list(TYPE_CODES) else ", ".join(applies_to),
        "applicability": indicator["applicability"],
        "target": _number_for_cell(indicator["target"]),
        "evidence_required": _yes_no(indicator["evidence_required"]),
        "evidence_types": ", ".join(indicator["evidence_types"]),
        "weight": _number_for_cell(indicator["weight"]),
    }
    for type_code, value in indicator["targets"].items():
        row[f"target_{type_code}"] = _number_for_cell(value)
    return row


def _rows_for(spec: FrameworkSpec) -> dict[str, list[dict[str, Any]]]:
    """The data rows of every sheet ({column key: cell value}), the inverse of the sheet parsers."""
    framework, scoring = spec["framework"], spec["scoring"]
    return {
        "framework": [
            {
                "code": framework["code"],
                "fiscal_year": framework["fiscal_year"],
                "name": framework["name"],
                "description": framework["description"],
                "is_sample": _yes_no(framework["is_sample"]),
                "yes_text": framework["yes_text"],
                "no_text": framework["no_text"],
            }
        ],
        "areas": [
            {"code": area["code"], "name": area["name"], "weight": _number_for_cell(area["weight"])}
            for area in spec["areas"]
        ],
        "missions": [
            {"area_code": mission["area"], "code": mission["code"], "name": mission["name"]}
            for mission in spec["missions"]
        ],
        "indicators": [_indicator_row(indicator) for indicator in spec["indicators"]],
        "validations": [
            {
                "indicator_code": rule["indicator"],
                "severity": rule["severity"],
                "expression": rule["expression"],
                "message": rule["message"],
            }
            for rule in spec["validations"]
        ],
        "satisfaction": [
            {"area_code": question["area"], "code": question["code"], "wording": question["wording"]}
            for question in spec["satisfaction"]
        ],
        "scoring": [
            {
                "satisfaction_share": _number_for_cell(scoring["satisfaction_share"]),
                "pass_threshold": _number_for_cell(scoring["pass_threshold"]),
                "satisfaction_pass_threshold": _number_for_cell(scoring["satisfaction_pass_threshold"]),
                "score_formula": scoring["score_formula"],
            }
        ],
        "labels": [
            {
                "key": label["key"],
                "text_th": label["text_th"],
                "text_en": label["text_en"],
                "min_gap": _number_for_cell(label["min_gap"]),
            }
            for label in spec["labels"]
        ],
    }


NOTES = [
    "สมุดงานกรอบการประเมินมาตรฐานขั้นต่ำการจัดบริการสาธารณะขององค์กรปกครองส่วนท้องถิ่น",
    "แถวที่ 1 คือชื่อคอลัมน์ภาษาไทย แถวที่ 2 คือรหัสคอลัมน์ (ห้ามแก้ไข) ข้อมูลเริ่มที่แถวที่ 3",
    "ห้ามใช้สูตร (=...) และห้ามใส่แมโคร ให้พิมพ์ค่าลงในเซลล์โดยตรง",
    "{lg} ในข้อความเกณฑ์ชี้วัดและคำถาม จะถูกแทนด้วยประเภท อปท. เช่น เทศบาล อบต. อบจ.",
    "ประเภท อปท.: PAO = อบจ., CITY = เทศบาลนคร, TOWN = เทศบาลเมือง, SUBDISTRICT = เทศบาลตำบล, "
    "SAO = อบต., SPECIAL = เมืองพัทยา, BMA = กรุงเทพมหานคร, ALL = ทุกประเภท",
    "ชนิดเกณฑ์ชี้วัด: ratio = ร้อยละ (2)/(1)×100, count = จำนวนครั้ง/โครงการ, yesno = มี/ไม่มี",
    "คำตอบของเกณฑ์ชนิด yesno แสดงในผลการประเมินตามคอลัมน์ yes_text / no_text ของชีต framework (ว่าง = มี / ไม่มี)",
    "รายละเอียดทุกคอลัมน์: docs/framework-format.md",
]


def build_workbook(spec: FrameworkSpec) -> bytes:
    """Write a spec as a framework workbook (the import format)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    notes = workbook.create_sheet(NOTES_SHEET)
    notes.column_dimensions["A"].width = 120
    for line in NOTES:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=13)
    rows = _rows_for(spec)
    for sheet_name, columns in SHEETS.items():
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([column.header for column in columns])
        sheet.append([column.key for column in columns])
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            header, key = sheet.cell(row=1, column=index), sheet.cell(row=2, column=index)
            header.font = Font(bold=True, color="FFFFFF")
            header.fill = HEADER_FILL
            header.alignment = Alignment(wrap_text=True, vertical="top")
            key.font = Font(italic=True, color="143A67")
            key.fill = KEY_FILL
        for row in rows[sheet_name]:
            sheet.append([_cell_value(row.get(column.key)) for column in columns])
        for data_row in sheet.iter_rows(min_row=FIRST_DATA_ROW):
            for cell in data_row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text that starts with "=" stays text, never a formula
        sheet.freeze_panes = "A3"
        _add_choices(sheet, sheet_name, columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_value(value: Any) -> Any:
    if value is None or value == "":
        return None
    return value


def _add_choices(sheet: Worksheet, sheet_name: str, columns: list[Column]) -> None:
    """Drop-down lists for the closed-vocabulary columns (a help in Excel; the importer checks anyway)."""
    choices = {
        ("indicators", "kind"): [k.value for k in Kind],
        ("indicators", "evidence_required"): ["ใช่", "ไม่ใช่"],
        ("framework", "is_sample"): ["ใช่", "ไม่ใช่"],
        ("validations", "severity"): [s.value for s in Severity],
        ("labels", "key"): [k.value for k in LabelKey],
    }
    for index, column in enumerate(columns, start=1):
        allowed = choices.get((sheet_name, column.key))
        if allowed:
            letter = get_column_letter(index)
            validation = DataValidation(type="list", formula1=f'"{",".join(allowed)}"', allow_blank=True)
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}1000")
            sheet.add_data_validation(validation)
