"""The framework workbook (XLSX): file checks, parsing with cell-level problems, and writing.

Every sheet has the Thai column headers in row 1, the machine column keys in row 2 (the importer finds columns by
these keys, so their order does not matter) and data from row 3. docs/framework-format.md describes each column.
`parse_workbook(bytes)` returns the framework as a canonical dict (the "spec") or raises WorkbookError with every
problem found; `build_workbook(spec)` writes a spec back; parse(build(spec)) == spec.
"""

from __future__ import annotations

import io
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

from localstandards.frameworks import expressions
from localstandards.frameworks.models import EVIDENCE_TYPES, TYPE_CODES, Kind, LabelKey, Severity

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
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
# Value helpers (shared with services for the canonical form)


def dec_str(value: Decimal | None) -> str | None:
    """A decimal in canonical text form: 80, 80.5, 0.2 (None stays None)."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _number_for_cell(text: str | None):
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


def check_file(data: bytes) -> list[Problem]:
    """Refuse what is not a plain .xlsx: wrong format, encrypted, too large, zip bomb, macros."""
    if len(data) > MAX_FILE_BYTES:
        return [Problem("", "", _("The file is larger than 5 MB and was not read."))]
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
        return [Problem("", "", _("The workbook is larger than 50 MB when unpacked and was not read."))]
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


class _Reader:
    """Collects problems while reading one workbook."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, sheet: str, cell: str, message: str) -> None:
        self.problems.append(Problem(sheet, cell, message))

    def rows(self, workbook, sheet_name: str) -> list[tuple[int, dict[str, Any], dict[str, str]]]:
        """[(row number, {key: raw value}, {key: cell reference})] for the non-empty data rows of a sheet."""
        columns = {column.key: column for column in SHEETS[sheet_name]}
        if sheet_name not in workbook.sheetnames:
            if sheet_name in REQUIRED_SHEETS:
                self.add(sheet_name, "", _("The sheet “%(sheet)s” is missing.") % {"sheet": sheet_name})
            return []
        sheet = workbook[sheet_name]
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
            values, refs = {}, {}
            for key, column_number in positions.items():
                cell = sheet.cell(row=row_number, column=column_number)
                values[key] = cell.value.strip() if isinstance(cell.value, str) else cell.value
                refs[key] = cell.coordinate
            if all(value in (None, "") for value in values.values()):
                continue
            for key in columns:
                refs.setdefault(key, f"?{row_number}")
                values.setdefault(key, None)
            for key, value in values.items():
                text = _text(value)
                if len(text) > columns[key].max_length:
                    self.add(
                        sheet_name,
                        refs[key],
                        _("The text is too long (at most %(limit)s characters).") % {"limit": columns[key].max_length},
                    )
            result.append((row_number, values, refs))
        return result

    # Typed readers: each returns the value or None and records a problem at the cell when it is wrong.

    def text(self, sheet, values, refs, key, required=False) -> str:
        text = _text(values[key])
        if required and not text:
            self.add(sheet, refs[key], _("This cell must not be empty."))
        return text

    def reference(self, sheet, values, refs, key, known, unknown_message) -> str:
        """A required code that must name a row of another sheet (an area, mission or indicator)."""
        text = _text(values[key])
        if not text:
            self.add(sheet, refs[key], _("This cell must not be empty."))
        elif text not in known:
            self.add(sheet, refs[key], unknown_message % {"code": text})
        return text

    def code(self, sheet, values, refs, key) -> str:
        text = _text(values[key])
        if not text:
            self.add(sheet, refs[key], _("This cell must not be empty."))
        elif not CODE_RE.match(text):
            self.add(
                sheet,
                refs[key],
                _("“%(value)s” is not a valid code (letters, digits, dot, dash; at most 32).") % {"value": text},
            )
        return text

    def decimal(self, sheet, values, refs, key, *, minimum=None, maximum=None, integer=False, required=False):
        raw = values[key]
        if raw is None or _text(raw) == "":
            if required:
                self.add(sheet, refs[key], _("This cell must not be empty."))
            return None
        if isinstance(raw, bool):
            value = None
        else:
            try:
                value = Decimal(_text(raw).replace(",", ""))
            except InvalidOperation:
                value = None
        if value is None or not value.is_finite():
            self.add(sheet, refs[key], _("“%(value)s” is not a number.") % {"value": _text(raw)})
            return None
        if integer and value != value.to_integral_value():
            self.add(sheet, refs[key], _("“%(value)s” must be a whole number.") % {"value": _text(raw)})
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            if maximum is None:
                message = _("The value must be at least %(minimum)s.") % {"minimum": minimum}
            else:
                message = _("The value must be between %(minimum)s and %(maximum)s.") % {
                    "minimum": minimum,
                    "maximum": maximum,
                }
            self.add(sheet, refs[key], message)
            return None
        if value != value.quantize(Decimal("0.01")):
            self.add(sheet, refs[key], _("At most 2 decimal places are allowed."))
            return None
        return dec_str(value)

    def boolean(self, sheet, values, refs, key) -> bool:
        raw = values[key]
        if isinstance(raw, bool):
            return raw
        text = _text(raw).lower()
        if text in YES:
            return True
        if text not in NO:
            self.add(sheet, refs[key], _("Write ใช่ (yes) or ไม่ใช่ (no), not “%(value)s”.") % {"value": _text(raw)})
        return False

    def choice(self, sheet, values, refs, key, allowed: list[str], message: str) -> str:
        text = _text(values[key])
        if not text:
            self.add(sheet, refs[key], _("This cell must not be empty."))
        elif text not in allowed:
            self.add(sheet, refs[key], message % {"value": text, "allowed": ", ".join(allowed)})
            return ""
        return text

    def expression(self, sheet, values, refs, key, kind, required=False) -> str:
        text = self.text(sheet, values, refs, key, required=required)
        if text:
            try:
                expressions.check(text, kind)
            except expressions.ExpressionError as error:
                self.add(sheet, refs[key], _("Bad expression: %(reason)s") % {"reason": error})
        return text

    def unique(self, seen: dict[str, str], sheet, refs, key, value, what: str) -> None:
        if not value:
            return
        if value in seen:
            self.add(
                sheet,
                refs[key],
                _("Duplicate %(what)s code “%(code)s” (already used in %(cell)s).")
                % {"what": what, "code": value, "cell": seen[value]},
            )
        else:
            seen[value] = refs[key]


def _split_list(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\s]+", _text(value)) if part.strip()]


def parse_workbook(data: bytes) -> dict:
    """Read and validate a framework workbook; return the spec or raise WorkbookError with every problem."""
    problems = check_file(data)
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
    reader = _Reader()
    spec = _parse(workbook, reader)
    if reader.problems:
        raise WorkbookError(reader.problems)
    return spec


def _parse(workbook, r: _Reader) -> dict:
    spec: dict[str, Any] = {}

    # framework
    rows = r.rows(workbook, "framework")
    if "framework" in workbook.sheetnames and len(rows) != 1:
        r.add("framework", "A3", _("The sheet must have exactly one data row (row 3)."))
    spec["framework"] = {}
    for _row, values, refs in rows[:1]:
        year = r.decimal(
            "framework", values, refs, "fiscal_year", minimum=2500, maximum=2700, integer=True, required=True
        )
        spec["framework"] = {
            "code": r.code("framework", values, refs, "code"),
            "fiscal_year": int(year) if year is not None else None,
            "name": r.text("framework", values, refs, "name", required=True),
            "description": r.text("framework", values, refs, "description"),
            "is_sample": r.boolean("framework", values, refs, "is_sample"),
        }

    # areas
    spec["areas"], area_codes = [], {}
    for _row, values, refs in r.rows(workbook, "areas"):
        code = r.code("areas", values, refs, "code")
        r.unique(area_codes, "areas", refs, "code", code, _("area"))
        weight = r.decimal("areas", values, refs, "weight", minimum=0, maximum=1000)
        spec["areas"].append(
            {"code": code, "name": r.text("areas", values, refs, "name", required=True), "weight": weight or "1"}
        )
    if "areas" in workbook.sheetnames and not spec["areas"]:
        r.add("areas", "A3", _("The framework needs at least one area."))

    # missions
    unknown_area = _("Unknown area code “%(code)s” (not on the sheet areas).")
    spec["missions"], mission_codes = [], {}
    for _row, values, refs in r.rows(workbook, "missions"):
        area = r.reference("missions", values, refs, "area_code", area_codes, unknown_area)
        code = r.code("missions", values, refs, "code")
        r.unique(mission_codes, "missions", refs, "code", code, _("mission"))
        spec["missions"].append(
            {"area": area, "code": code, "name": r.text("missions", values, refs, "name", required=True)}
        )

    # indicators
    spec["indicators"], indicator_codes = [], {}
    kind_message = _("Unknown kind “%(value)s”; use one of: %(allowed)s.")
    for _row, values, refs in r.rows(workbook, "indicators"):
        sheet = "indicators"
        mission = r.reference(
            sheet,
            values,
            refs,
            "mission_code",
            mission_codes,
            _("Unknown mission code “%(code)s” (not on the sheet missions)."),
        )
        code = r.code(sheet, values, refs, "code")
        r.unique(indicator_codes, sheet, refs, "code", code, _("indicator"))
        kind = r.choice(sheet, values, refs, "kind", [k.value for k in Kind], kind_message)
        units = {key: r.text(sheet, values, refs, key) for key in ("base_unit", "delivered_unit", "count_unit")}
        needed = {Kind.RATIO: ("base_unit", "delivered_unit"), Kind.COUNT: ("count_unit",)}.get(kind, ())
        for key, unit in units.items():
            if kind and key in needed and not unit:
                r.add(sheet, refs[key], _("A %(kind)s indicator needs this unit.") % {"kind": kind})
            elif kind and key not in needed and unit:
                r.add(
                    sheet,
                    refs[key],
                    _("This unit is not used by a %(kind)s indicator; leave it empty.") % {"kind": kind},
                )
        # applies_to: ALL or a list of type codes
        applies_raw = _split_list(values["applies_to"])
        applies: list[str] = []
        if not applies_raw:
            r.add(sheet, refs["applies_to"], _("This cell must not be empty."))
        elif applies_raw == [ALL_TYPES]:
            applies = list(TYPE_CODES)
        else:
            unknown = [item for item in applies_raw if item not in TYPE_CODES]
            if unknown:
                r.add(
                    sheet,
                    refs["applies_to"],
                    _("Unknown type of local government “%(value)s”; use ALL or: %(allowed)s.")
                    % {"value": ", ".join(unknown), "allowed": ", ".join(TYPE_CODES)},
                )
            applies = [code_ for code_ in TYPE_CODES if code_ in applies_raw]
        # targets
        bounds = {
            Kind.RATIO: {"minimum": 0, "maximum": 100},
            Kind.COUNT: {"minimum": 0, "maximum": 99999, "integer": True},
        }
        targets: dict[str, str] = {}
        default_target = None
        target_keys = ["target"] + [column.key for column in TARGET_COLUMNS]
        if kind == Kind.YESNO:
            for key in target_keys:
                if _text(values[key]):
                    r.add(
                        sheet,
                        refs[key],
                        _("A yes/no indicator has no target (yes meets the standard); leave it empty."),
                    )
        elif kind:
            default_target = r.decimal(sheet, values, refs, "target", **bounds[kind])
            for column in TARGET_COLUMNS:
                type_code = column.key.removeprefix("target_")
                value = r.decimal(sheet, values, refs, column.key, **bounds[kind])
                if value is None:
                    continue
                if applies and type_code not in applies:
                    r.add(
                        sheet,
                        refs[column.key],
                        _("A target for %(type)s, but the indicator does not apply to %(type)s.") % {"type": type_code},
                    )
                targets[type_code] = value
            missing = [t for t in applies if t not in targets] if default_target is None else []
            if missing and not _text(values["target"]):
                r.add(
                    sheet,
                    refs["target"],
                    _("No target for %(types)s: fill the default target or a target per type.")
                    % {"types": ", ".join(missing)},
                )
        # evidence
        evidence_required = r.boolean(sheet, values, refs, "evidence_required")
        evidence_types = [item.lower().lstrip(".") for item in _split_list(values["evidence_types"])]
        bad_types = [item for item in evidence_types if item not in EVIDENCE_TYPES]
        if bad_types:
            r.add(
                sheet,
                refs["evidence_types"],
                _("Unknown evidence file type “%(value)s”; allowed: %(allowed)s.")
                % {"value": ", ".join(bad_types), "allowed": ", ".join(EVIDENCE_TYPES)},
            )
        elif evidence_required and not evidence_types:
            r.add(sheet, refs["evidence_types"], _("Evidence is required: list the file types that count."))
        spec["indicators"].append(
            {
                "mission": mission,
                "code": code,
                "wording": r.text(sheet, values, refs, "wording", required=True),
                "guidance": r.text(sheet, values, refs, "guidance"),
                "kind": kind,
                **units,
                "applies_to": applies,
                "applicability": r.expression(sheet, values, refs, "applicability", expressions.APPLICABILITY),
                "target": default_target,
                "targets": targets,
                "evidence_required": evidence_required,
                "evidence_types": [t for t in EVIDENCE_TYPES if t in evidence_types],
                "weight": r.decimal(sheet, values, refs, "weight", minimum=0, maximum=1000),
            }
        )
    if "indicators" in workbook.sheetnames and not spec["indicators"]:
        r.add("indicators", "A3", _("The framework needs at least one indicator."))

    # validations (optional sheet)
    spec["validations"] = []
    severity_message = _("Unknown severity “%(value)s”; use one of: %(allowed)s.")
    for _row, values, refs in r.rows(workbook, "validations"):
        indicator = r.reference(
            "validations",
            values,
            refs,
            "indicator_code",
            indicator_codes,
            _("Unknown indicator code “%(code)s” (not on the sheet indicators)."),
        )
        spec["validations"].append(
            {
                "indicator": indicator,
                "severity": r.choice(
                    "validations", values, refs, "severity", [s.value for s in Severity], severity_message
                ),
                "expression": r.expression("validations", values, refs, "expression", expressions.VALIDATION, True),
                "message": r.text("validations", values, refs, "message", required=True),
            }
        )

    # satisfaction
    spec["satisfaction"], question_codes = [], {}
    for _row, values, refs in r.rows(workbook, "satisfaction"):
        area = r.reference("satisfaction", values, refs, "area_code", area_codes, unknown_area)
        code = r.code("satisfaction", values, refs, "code")
        r.unique(question_codes, "satisfaction", refs, "code", code, _("question"))
        wording = r.text("satisfaction", values, refs, "wording", required=True)
        spec["satisfaction"].append({"area": area, "code": code, "wording": wording})

    # scoring
    rows = r.rows(workbook, "scoring")
    if "scoring" in workbook.sheetnames and len(rows) != 1:
        r.add("scoring", "A3", _("The sheet must have exactly one data row (row 3)."))
    spec["scoring"] = {}
    for _row, values, refs in rows[:1]:
        spec["scoring"] = {
            "satisfaction_share": r.decimal(
                "scoring", values, refs, "satisfaction_share", minimum=0, maximum=1, required=True
            ),
            "pass_threshold": r.decimal(
                "scoring", values, refs, "pass_threshold", minimum=0, maximum=100, required=True
            ),
            "satisfaction_pass_threshold": r.decimal(
                "scoring", values, refs, "satisfaction_pass_threshold", minimum=0, maximum=100
            ),
            "score_formula": r.expression("scoring", values, refs, "score_formula", expressions.SCORING),
        }

    # labels
    spec["labels"], label_keys = [], {}
    label_message = _("Unknown result key “%(value)s”; use one of: %(allowed)s.")
    last_row = FIRST_DATA_ROW - 1
    for row_number, values, refs in r.rows(workbook, "labels"):
        last_row = row_number
        key = r.choice("labels", values, refs, "key", [k.value for k in LabelKey], label_message)
        if key in label_keys:
            r.add(
                "labels",
                refs["key"],
                _("Duplicate %(what)s code “%(code)s” (already used in %(cell)s).")
                % {"what": _("result"), "code": key, "cell": label_keys[key]},
            )
        elif key:
            label_keys[key] = refs["key"]
        min_gap = r.decimal("labels", values, refs, "min_gap", minimum=-100, maximum=100)
        if min_gap is not None and key not in (LabelKey.ABOVE, LabelKey.MEETS):
            r.add("labels", refs["min_gap"], _("Only ABOVE and MEETS have a threshold; leave it empty."))
        spec["labels"].append(
            {
                "key": key,
                "text_th": r.text("labels", values, refs, "text_th", required=True),
                "text_en": r.text("labels", values, refs, "text_en"),
                "min_gap": min_gap,
            }
        )
    if "labels" in workbook.sheetnames:
        missing = [k.value for k in LabelKey if k.value not in label_keys]
        if missing:
            r.add("labels", f"A{last_row + 1}", _("Missing result labels: %(keys)s.") % {"keys": ", ".join(missing)})
        elif all(label["min_gap"] is None for label in spec["labels"] if label["key"] in ("ABOVE", "MEETS")):
            r.add("labels", "D3", _("ABOVE or MEETS needs a threshold (min_gap)."))
    _canonical_order(spec)
    return spec


def _canonical_order(spec: dict) -> None:
    """Group rows in tree order (stable): missions by area, indicators by mission, validations by indicator."""
    area_index = {area["code"]: index for index, area in enumerate(spec["areas"])}
    spec["missions"].sort(key=lambda mission: area_index.get(mission["area"], -1))
    mission_index = {mission["code"]: index for index, mission in enumerate(spec["missions"])}
    spec["indicators"].sort(key=lambda indicator: mission_index.get(indicator["mission"], -1))
    indicator_index = {indicator["code"]: index for index, indicator in enumerate(spec["indicators"])}
    spec["validations"].sort(key=lambda rule: indicator_index.get(rule["indicator"], -1))
    spec["satisfaction"].sort(key=lambda question: area_index.get(question["area"], -1))


# ---------------------------------------------------------------------------------------------------------------
# Writing


HEADER_FILL = PatternFill("solid", fgColor="1D4E89")
KEY_FILL = PatternFill("solid", fgColor="E3ECF8")


def _rows_for(spec: dict) -> dict[str, list[dict[str, Any]]]:
    framework = spec["framework"]
    indicators = []
    for indicator in spec["indicators"]:
        row = {
            "mission_code": indicator["mission"],
            "applies_to": ALL_TYPES
            if indicator["applies_to"] == list(TYPE_CODES)
            else ", ".join(indicator["applies_to"]),
            "target": _number_for_cell(indicator["target"]),
            "evidence_required": "ใช่" if indicator["evidence_required"] else "ไม่ใช่",
            "evidence_types": ", ".join(indicator["evidence_types"]),
            "weight": _number_for_cell(indicator["weight"]),
        }
        for key in ("code", "wording", "guidance", "kind", "applicability"):
            row[key] = indicator[key]
        for key in ("base_unit", "delivered_unit", "count_unit"):
            row[key] = indicator[key]
        for type_code, value in indicator["targets"].items():
            row[f"target_{type_code}"] = _number_for_cell(value)
        indicators.append(row)
    scoring = spec["scoring"]
    return {
        "framework": [
            {
                "code": framework["code"],
                "fiscal_year": framework["fiscal_year"],
                "name": framework["name"],
                "description": framework["description"],
                "is_sample": "ใช่" if framework["is_sample"] else "ไม่ใช่",
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
        "indicators": indicators,
        "validations": [
            {"indicator_code": rule["indicator"], **{k: rule[k] for k in ("severity", "expression", "message")}}
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
    "รายละเอียดทุกคอลัมน์: docs/framework-format.md",
]


def build_workbook(spec: dict) -> bytes:
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


def _cell_value(value):
    if value is None or value == "":
        return None
    return value


def _add_choices(sheet, sheet_name: str, columns: list[Column]) -> None:
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
