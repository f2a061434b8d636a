"""Fiscal data and the subsidy analysis: import a year's fiscal file (all or nothing), set unit costs, and build the
three analyses as `core.tables.Table`s. The method, with a worked example: docs/subsidy-analysis.md.

The file checks reuse the other imports' pieces: a CSV problem is a `registry.services.ImportProblem` (line and
column), an XLSX problem a `frameworks.workbook.Problem` (sheet and cell), and an XLSX file passes the framework
workbook's `check_file` (format, size, zip bomb, macros) before openpyxl reads it.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from localstandards.assessments.models import AssessmentRound, Status
from localstandards.core.collation import thai_sort_key
from localstandards.core.tables import Column, Table, neutralise
from localstandards.frameworks.models import Indicator, Kind
from localstandards.frameworks.workbook import Problem, check_file
from localstandards.registry.models import LocalGovernment, LocalGovernmentType, Province
from localstandards.registry.services import ImportProblem
from localstandards.scoring.models import IndicatorResultRecord, ReturnScore
from localstandards.subsidy.models import FiscalImport, FiscalRecord, UnitCost

COLUMNS = ["dla_code", "total_revenue", "general_subsidy", "specific_subsidy", "population"]
MONEY_COLUMNS = ["total_revenue", "general_subsidy", "specific_subsidy"]
MAX_FILE_BYTES = 5 * 1024 * 1024  # a national file (7,850 rows) is about 0.5 MB as CSV
MAX_ROWS = 20_000
MAX_PROBLEMS_REPORTED = 50
MAX_MONEY = Decimal(10) ** 14  # the model's 16 digits with 2 decimals
MIN_YEAR, MAX_YEAR = 2500, 2700
# A comment line (CSV) or row (XLSX, first cell) before the header starts with "#"; one containing this word marks
# the file as a synthetic sample (sample_fiscal writes it).
COMMENT = "#"
SYNTHETIC_MARK = "SYNTHETIC"
MEASURES = ("revenue", "subsidy")
QUINTILES = 5
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class FiscalImportError(Exception):
    """The file was refused: every problem found (up to MAX_PROBLEMS_REPORTED), each naming its line or cell."""

    def __init__(self, problems: list[ImportProblem | Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class FiscalRow:
    dla_code: str
    total_revenue: Decimal
    general_subsidy: Decimal
    specific_subsidy: Decimal
    population: int


@dataclass(frozen=True)
class ParsedFile:
    rows: list[FiscalRow]
    synthetic: bool


@dataclass(frozen=True)
class ImportSummary:
    fiscal_year: int
    rows: int
    replaced: int
    synthetic: bool

    def __str__(self) -> str:
        text = _("fiscal year %(year)s: %(rows)s local governments imported, %(replaced)s earlier rows replaced") % {
            "year": self.fiscal_year,
            "rows": self.rows,
            "replaced": self.replaced,
        }
        if self.synthetic:
            text += " " + _("(synthetic sample)")
        return text


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------------------------
# Reading the file: CSV and XLSX give the same raw rows, each cell with where it is, then one check for both.


@dataclass(frozen=True)
class _RawRow:
    values: dict[str, Any]
    problem_at: dict[str, Any]  # column → a function(message) giving the problem at that cell
    where: str  # the row's DLA code cell as a person finds it: "line 7" (CSV) or "A7" (XLSX)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_problems(header: list[str], problem_at_header) -> list:
    missing = [column for column in COLUMNS if column not in header]
    problems = [
        problem_at_header(column, _("the column “%(column)s” is missing from the header") % {"column": column})
        for column in missing
    ]
    seen: set[str] = set()
    for column in header:
        if column in COLUMNS and column in seen:
            problems.append(
                problem_at_header(column, _("the column “%(column)s” appears twice in the header") % {"column": column})
            )
        seen.add(column)
    return problems


def _csv_rows(data: bytes) -> tuple[list[_RawRow], bool]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FiscalImportError(
            [ImportProblem(line, None, _("the file is not UTF-8 text; save it as CSV UTF-8 and try again"))]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    synthetic = False
    try:
        header = next(reader, None)
        while header is not None and header and header[0].strip().startswith(COMMENT):
            synthetic = synthetic or SYNTHETIC_MARK in ",".join(header).upper()
            header = next(reader, None)
    except csv.Error as error:
        raise FiscalImportError([ImportProblem(1, None, _("unreadable CSV: %(error)s") % {"error": error})]) from None
    if header is None:
        raise FiscalImportError([ImportProblem(1, None, _("the file is empty"))])
    header_line = reader.line_num
    header = [name.strip().lower() for name in header]
    problems = _header_problems(header, lambda column, message: ImportProblem(header_line, column, message))
    if problems:
        raise FiscalImportError(problems)
    positions = {column: header.index(column) for column in COLUMNS}
    rows: list[_RawRow] = []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise FiscalImportError(
                [ImportProblem(reader.line_num, None, _("unreadable CSV: %(error)s") % {"error": error})]
            ) from None
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise FiscalImportError(
                [ImportProblem(line, None, _("the file has more than %(max)s rows") % {"max": MAX_ROWS})]
            )
        rows.append(
            _RawRow(
                values={column: values[index] if index < len(values) else "" for column, index in positions.items()},
                problem_at={
                    column: (lambda message, line=line, column=column: ImportProblem(line, column, message))
                    for column in COLUMNS
                },
                where=_("line %(line)s") % {"line": line},
            )
        )
    return rows, synthetic


def _xlsx_rows(data: bytes) -> tuple[list[_RawRow], bool]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    problems = check_file(data)
    if problems:
        raise FiscalImportError(problems)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:
        raise FiscalImportError(
            [Problem("", "", _("The workbook cannot be read. Save it again in Excel as .xlsx."))]
        ) from None
    sheet = workbook.worksheets[0]
    title = sheet.title
    synthetic = False
    header: list[str] | None = None
    header_row = 0
    positions: dict[str, int] = {}
    rows: list[_RawRow] = []
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        texts = [_text(value) for value in cells]
        if header is None:
            if texts and texts[0].startswith(COMMENT):
                synthetic = synthetic or SYNTHETIC_MARK in " ".join(texts).upper()
                continue
            if not any(texts):
                continue
            header, header_row = [text.lower() for text in texts], number
            problems = _header_problems(header, _header_cell(title, header, header_row))
            if problems:
                workbook.close()
                raise FiscalImportError(problems)
            positions = {column: header.index(column) for column in COLUMNS}
            continue
        if not any(texts):
            continue
        if len(rows) >= MAX_ROWS:
            workbook.close()
            raise FiscalImportError(
                [Problem(title, f"A{number}", _("the file has more than %(max)s rows") % {"max": MAX_ROWS})]
            )
        rows.append(
            _RawRow(
                values={column: cells[index] if index < len(cells) else None for column, index in positions.items()},
                problem_at={
                    column: _cell_problem(title, f"{get_column_letter(index + 1)}{number}")
                    for column, index in positions.items()
                },
                where=f"{get_column_letter(positions['dla_code'] + 1)}{number}",
            )
        )
    workbook.close()
    if header is None:
        raise FiscalImportError([Problem(title, "A1", _("the file is empty"))])
    return rows, synthetic


def _header_cell(title: str, header: list[str], row: int):
    """Where a header problem is: the column's own cell, or the first free cell of the header for a missing one."""
    from openpyxl.utils import get_column_letter

    def problem(column: str, message: str) -> Problem:
        position = header.index(column) + 1 if column in header else len(header) + 1
        return Problem(title, f"{get_column_letter(position)}{row}", message)

    return problem


def _cell_problem(title: str, ref: str):
    return lambda message: Problem(title, ref, message)


def _money(raw: Any, at, problems: list) -> Decimal | None:
    text = _text(raw).replace(",", "")
    if text == "":
        problems.append(at(_("this value is required")))
        return None
    try:
        value = Decimal(str(raw)) if isinstance(raw, int | float) and not isinstance(raw, bool) else Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        problems.append(at(_("“%(value)s” is not a number") % {"value": _text(raw)}))
        return None
    if value < 0:
        problems.append(at(_("%(value)s is negative; amounts of money are 0 or more") % {"value": _text(raw)}))
        return None
    if value >= MAX_MONEY:
        problems.append(at(_("%(value)s is too large") % {"value": _text(raw)}))
        return None
    return round_half_up(value)


def _population(raw: Any, at, problems: list) -> int | None:
    text = _text(raw).replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.to_integral_value():
        problems.append(at(_("“%(value)s” is not a whole number") % {"value": _text(raw)}))
        return None
    if value <= 0:
        problems.append(at(_("the population must be more than 0")))
        return None
    if value > 2**31 - 1:
        problems.append(at(_("%(value)s is too large") % {"value": _text(raw)}))
        return None
    return int(value)


def _check_rows(raw_rows: list[_RawRow], known_codes: set[str]) -> list[FiscalRow]:
    problems: list = []
    rows: list[FiscalRow] = []
    first_seen: dict[str, str] = {}
    for raw in raw_rows:
        before = len(problems)
        at = raw.problem_at
        code = _text(raw.values["dla_code"])
        if not code:
            problems.append(at["dla_code"](_("this value is required")))
        elif code not in known_codes:
            problems.append(at["dla_code"](_("unknown DLA code “%(code)s” (not in the registry)") % {"code": code}))
        elif code in first_seen:
            problems.append(
                at["dla_code"](
                    _("code %(code)s is repeated (first seen at %(first)s)") % {"code": code, "first": first_seen[code]}
                )
            )
        else:
            first_seen[code] = raw.where
        money = {column: _money(raw.values[column], at[column], problems) for column in MONEY_COLUMNS}
        population = _population(raw.values["population"], at["population"], problems)
        if len(problems) == before:
            rows.append(
                FiscalRow(code, money["total_revenue"], money["general_subsidy"], money["specific_subsidy"], population)
            )
        if len(problems) >= MAX_PROBLEMS_REPORTED:
            break
    if problems:
        raise FiscalImportError(problems[:MAX_PROBLEMS_REPORTED])
    return rows


def is_xlsx(data: bytes, filename: str = "") -> bool:
    return filename.lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04")


def parse_fiscal_file(data: bytes, filename: str = "") -> ParsedFile:
    """Read and check the whole file (CSV in UTF-8, or the first sheet of an XLSX); raise FiscalImportError with
    every problem found."""
    if len(data) > MAX_FILE_BYTES:
        raise FiscalImportError([ImportProblem(1, None, _("the file is larger than 5 MB"))])
    raw_rows, synthetic = _xlsx_rows(data) if is_xlsx(data, filename) else _csv_rows(data)
    if not raw_rows:
        raise FiscalImportError([ImportProblem(2, None, _("the file has a header but no rows"))])
    known = set(LocalGovernment.objects.exclude(dla_code=None).values_list("dla_code", flat=True))
    return ParsedFile(_check_rows(raw_rows, known), synthetic)


def check_fiscal_year(fiscal_year: int) -> None:
    if not MIN_YEAR <= fiscal_year <= MAX_YEAR:
        raise FiscalImportError(
            [
                Problem(
                    "",
                    "",
                    _("The fiscal year must be a Buddhist-era year between %(low)s and %(high)s.")
                    % {"low": MIN_YEAR, "high": MAX_YEAR},
                )
            ]
        )


def import_fiscal(
    data: bytes, fiscal_year: int, *, filename: str = "", user=None, synthetic: bool = False
) -> ImportSummary:
    """Replace the fiscal year's data with the file's, all or nothing. `synthetic` forces the synthetic mark (the
    file's own "# SYNTHETIC" comment sets it too)."""
    check_fiscal_year(fiscal_year)
    parsed = parse_fiscal_file(data, filename)
    synthetic = synthetic or parsed.synthetic
    ids = dict(
        LocalGovernment.objects.filter(dla_code__in=[row.dla_code for row in parsed.rows]).values_list("dla_code", "pk")
    )
    with transaction.atomic():
        fiscal_import, _created = FiscalImport.objects.select_for_update().get_or_create(
            fiscal_year=fiscal_year, defaults={"filename": filename[:255]}
        )
        # Unscoped: the national fiscal import replaces a whole year.
        replaced, _deleted = FiscalRecord.objects.unscoped().filter(fiscal_year=fiscal_year).delete()
        FiscalRecord.objects.bulk_create(
            [
                FiscalRecord(
                    fiscal_import=fiscal_import,
                    fiscal_year=fiscal_year,
                    local_government_id=ids[row.dla_code],
                    total_revenue=row.total_revenue,
                    general_subsidy=row.general_subsidy,
                    specific_subsidy=row.specific_subsidy,
                    population=row.population,
                )
                for row in parsed.rows
            ],
            batch_size=1000,
        )
        fiscal_import.filename = filename[:255]
        fiscal_import.rows = len(parsed.rows)
        fiscal_import.synthetic = synthetic
        fiscal_import.imported_by = user
        fiscal_import.save()
    return ImportSummary(fiscal_year, len(parsed.rows), replaced, synthetic)


# ---------------------------------------------------------------------------------------------------------------
# Unit costs


def indicators_of_year(fiscal_year: int) -> list[Indicator]:
    """One indicator per code, from the frameworks of that fiscal year's rounds (and their returns), in framework
    order; a code that several versions share appears once (the latest version's wording)."""
    framework_ids = set(AssessmentRound.objects.filter(fiscal_year=fiscal_year).values_list("framework_id", flat=True))
    indicators = Indicator.objects.filter(framework_id__in=framework_ids).select_related("framework")
    chosen: dict[str, Indicator] = {}
    for indicator in sorted(indicators, key=lambda item: -item.framework_id):
        chosen.setdefault(indicator.code, indicator)
    order = {indicator.pk: position for position, indicator in enumerate(indicators)}
    return sorted(chosen.values(), key=lambda item: order[item.pk])


def unit_of(indicator: Indicator) -> str:
    """The unit a shortfall is counted in: the base's unit (ratio), the unit counted (count); a yes/no indicator's
    shortfall is one local government without it."""
    if indicator.kind == Kind.RATIO:
        return indicator.base_unit
    if indicator.kind == Kind.COUNT:
        return indicator.count_unit
    return _("local government without it")


def unit_costs(fiscal_year: int) -> dict[str, Decimal]:
    return dict(UnitCost.objects.filter(fiscal_year=fiscal_year).values_list("indicator_code", "baht_per_unit"))


def set_unit_costs(fiscal_year: int, costs: dict[str, Decimal | None], user=None) -> int:
    """Set (or, for None, remove) the baht per unit of each indicator code; returns how many are set after."""
    check_fiscal_year(fiscal_year)
    with transaction.atomic():
        for code, value in costs.items():
            if value is None:
                UnitCost.objects.filter(fiscal_year=fiscal_year, indicator_code=code).delete()
            else:
                UnitCost.objects.update_or_create(
                    fiscal_year=fiscal_year,
                    indicator_code=code,
                    defaults={"baht_per_unit": round_half_up(value), "set_by": user},
                )
        return UnitCost.objects.filter(fiscal_year=fiscal_year).count()


# ---------------------------------------------------------------------------------------------------------------
# The analyses


def fiscal_import_for(assessment_round: AssessmentRound) -> FiscalImport | None:
    """The fiscal data a round is analysed with: those of the round's own fiscal year."""
    return FiscalImport.objects.filter(fiscal_year=assessment_round.fiscal_year).first()


def _scoped(queryset, user):
    # No user: the committee report's national tables (the whole country, by design).
    return queryset.unscoped() if user is None else queryset.for_user(user)


def _notes(assessment_round: AssessmentRound) -> list[str]:
    fiscal_import = fiscal_import_for(assessment_round)
    if fiscal_import is not None and fiscal_import.synthetic:
        return [synthetic_note(assessment_round.fiscal_year)]
    return []


def synthetic_note(fiscal_year: int) -> str:
    return _(
        "The fiscal data of FY %(year)s are a SYNTHETIC SAMPLE generated for the demo, not real figures: "
        "do not use these numbers for decisions."
    ) % {"year": fiscal_year}


def _type_label(code: str) -> str:
    return str(LocalGovernmentType(code).label)


def _type_order(code: str) -> int:
    return list(LocalGovernmentType.values).index(code)


@dataclass(frozen=True)
class _Unit:
    dla_code: str
    lg_type: str
    measure: Decimal
    compliance: Decimal | None
    applicable: int
    met: int


def quintile_groups(units: list) -> Iterator[tuple[int, list]]:
    """Cut `units` (already in ascending order) into 5 groups of equal count; when the count does not divide by 5,
    the lowest quintiles take one more each (12 → 3, 3, 2, 2, 2). Empty quintiles are left out."""
    size, extra = divmod(len(units), QUINTILES)
    start = 0
    for quintile in range(1, QUINTILES + 1):
        length = size + (1 if quintile <= extra else 0)
        if length:
            yield quintile, units[start : start + length]
        start += length


def per_capita(record: dict, measure: str) -> Decimal:
    """Baht per person, rounded half-up to 2 places (the ranking uses the rounded value, as the export shows it)."""
    subsidy = record["general_subsidy"] + record["specific_subsidy"]
    amount = record["total_revenue"] if measure == "revenue" else subsidy
    return round_half_up(amount / record["population"])


def _narrow(queryset, lg_type: str | None, province_id: int | None, path: str = "assessment__local_government__"):
    """The page's filters: one type, one province (None: all)."""
    if lg_type:
        queryset = queryset.filter(**{f"{path}type": lg_type})
    if province_id:
        queryset = queryset.filter(**{f"{path}province_id": province_id})
    return queryset


def quintile_table(
    assessment_round: AssessmentRound,
    measure: str,
    user=None,
    *,
    lg_type: str | None = None,
    province_id: int | None = None,
) -> Table:
    """Compliance by quintile of revenue or subsidy per capita, per type (docs/subsidy-analysis.md §3); the
    quintiles are cut among the local governments in the user's scope and the filters."""
    if measure not in MEASURES:
        raise ValueError(measure)
    titles = {
        "revenue": _("Compliance by quintile of revenue per capita"),
        "subsidy": _("Compliance by quintile of subsidy per capita"),
    }
    table = Table(
        key=f"quintile-{measure}",
        title=titles[measure] + f" · {assessment_round.name}",
        columns=[
            Column(_("Type"), width=30),
            Column(_("Quintile"), "int", 9),
            Column(_("Number of local governments"), "int", 12),
            Column(_("Lowest (baht per person)"), "decimal", 16),
            Column(_("Highest (baht per person)"), "decimal", 16),
            Column(_("Mean compliance %"), "percent", 14),
            Column(_("Indicator results meeting the target %"), "percent", 18),
        ],
        notes=_notes(assessment_round),
    )
    if fiscal_import_for(assessment_round) is None:
        table.notes.append(no_fiscal_data_note(assessment_round.fiscal_year))
        return table
    fiscal = {
        row["local_government_id"]: row
        for row in _scoped(FiscalRecord.objects, user)
        .filter(fiscal_year=assessment_round.fiscal_year)
        .values("local_government_id", "total_revenue", "general_subsidy", "specific_subsidy", "population")
    }
    scores = (
        _scoped(ReturnScore.objects, user)
        .filter(assessment__round=assessment_round, assessment__status__in=Status.FINAL)
        .values(
            "assessment__local_government_id",
            "assessment__local_government__dla_code",
            "assessment__local_government__type",
            "compliance",
            "applicable",
            "met",
        )
    )
    scores = _narrow(scores, lg_type, province_id)
    by_type: dict[str, list[_Unit]] = defaultdict(list)
    for score in scores:
        record = fiscal.get(score["assessment__local_government_id"])
        if record is None:
            continue
        kind = score["assessment__local_government__type"]
        by_type[kind].append(
            _Unit(
                score["assessment__local_government__dla_code"] or "",
                kind,
                per_capita(record, measure),
                score["compliance"],
                score["applicable"],
                score["met"],
            )
        )
    for kind in sorted(by_type, key=_type_order):
        units = sorted(by_type[kind], key=lambda unit: (unit.measure, unit.dla_code))
        for quintile, group in quintile_groups(units):
            compliances = [unit.compliance for unit in group if unit.compliance is not None]
            applicable = sum(unit.applicable for unit in group)
            table.rows.append(
                [
                    _type_label(kind),
                    quintile,
                    len(group),
                    group[0].measure,
                    group[-1].measure,
                    round_half_up(sum(compliances) / len(compliances)) if compliances else None,
                    round_half_up(Decimal(sum(unit.met for unit in group)) * HUNDRED / applicable)
                    if applicable
                    else None,
                ]
            )
    table.notes.append(
        _(
            "Quintiles are cut within each type: the local governments with a final return and fiscal data are "
            "ranked from the lowest to the highest value (ties by DLA code) and cut into 5 groups of equal count; "
            "when the count does not divide by 5 the lowest quintiles take one more each."
        )
    )
    return table


def no_fiscal_data_note(fiscal_year: int) -> str:
    return _("No fiscal data have been imported for FY %(year)s.") % {"year": fiscal_year}


@dataclass(frozen=True)
class _Shortfall:
    indicator_code: str
    province_id: int
    lg_type: str
    below: int
    total: Decimal  # rounded half-up to 2 places


def _shortfalls(assessment_round: AssessmentRound, user, lg_type: str | None, province_id: int | None):
    """Per indicator code × province × type, over the final returns: how many are below the target and the total
    shortfall (one aggregate query), with the indicators and provinces named in it."""
    results = _scoped(IndicatorResultRecord.objects, user).filter(
        assessment__round=assessment_round, assessment__status__in=Status.FINAL, applicable=True
    )
    results = _narrow(results, lg_type, province_id)
    grouped = (
        results.order_by()
        .values("indicator_id", "assessment__local_government__province_id", "assessment__local_government__type")
        .annotate(below=Count("pk", filter=Q(met=False)), total=Sum("shortfall", filter=Q(met=False)))
        .filter(below__gt=0)
    )
    rows = list(grouped)
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(pk__in={row["indicator_id"] for row in rows}).select_related(
            "mission__area"
        )
    }
    provinces = {
        province.pk: province
        for province in Province.objects.filter(
            pk__in={row["assessment__local_government__province_id"] for row in rows}
        )
    }
    merged: dict[tuple[str, int, str], list] = {}
    for row in rows:
        indicator = indicators[row["indicator_id"]]
        key = (
            indicator.code,
            row["assessment__local_government__province_id"],
            row["assessment__local_government__type"],
        )
        entry = merged.setdefault(key, [0, Decimal(0)])
        entry[0] += row["below"]
        entry[1] += row["total"] or Decimal(0)
    by_code: dict[str, Indicator] = {}
    for indicator in sorted(indicators.values(), key=lambda item: -item.framework_id):
        by_code.setdefault(indicator.code, indicator)
    order = {
        code: (indicator.mission.area.order, indicator.mission.order, indicator.order, code)
        for code, indicator in by_code.items()
    }
    shortfalls = [
        _Shortfall(code, province_id, kind, below, round_half_up(total))
        for (code, province_id, kind), (below, total) in merged.items()
    ]
    shortfalls.sort(
        key=lambda item: (
            order[item.indicator_code],
            thai_sort_key(provinces[item.province_id].name_th),
            _type_order(item.lg_type),
        )
    )
    return shortfalls, by_code, provinces


def shortfall_table(
    assessment_round: AssessmentRound, user=None, *, lg_type: str | None = None, province_id: int | None = None
) -> Table:
    shortfalls, indicators, provinces = _shortfalls(assessment_round, user, lg_type, province_id)
    table = Table(
        key="shortfall",
        title=_("Total shortfall per indicator by province and type") + f" · {assessment_round.name}",
        columns=[
            Column(_("Indicator"), width=10),
            Column(_("Indicator wording"), width=50),
            Column(_("Province"), width=18),
            Column(_("Type"), width=30),
            Column(_("Local governments below the target"), "int", 14),
            Column(_("Total shortfall"), "decimal", 16),
            Column(_("Unit"), width=16),
        ],
        notes=_notes(assessment_round),
    )
    for item in shortfalls:
        indicator = indicators[item.indicator_code]
        table.rows.append(
            [
                item.indicator_code,
                indicator.wording_generic,
                provinces[item.province_id].name_th,
                _type_label(item.lg_type),
                item.below,
                item.total,
                unit_of(indicator),
            ]
        )
    table.notes.append(
        _(
            "Shortfall: how far a final return is below the target in the indicator's own unit (ratio: target % × "
            "base − delivered; count: target − count; yes/no: 1 for each local government without it), summed and "
            "rounded to 2 decimals."
        )
    )
    return table


def cost_table(
    assessment_round: AssessmentRound, user=None, *, lg_type: str | None = None, province_id: int | None = None
) -> Table:
    shortfalls, _indicators, provinces = _shortfalls(assessment_round, user, lg_type, province_id)
    costs = unit_costs(assessment_round.fiscal_year)
    table = Table(
        key="cost",
        title=_("Estimated baht needed to bring every local government up to the target")
        + f" · {assessment_round.name}",
        columns=[
            Column(_("Province"), width=18),
            Column(_("Type"), width=30),
            Column(_("Indicators costed"), "int", 12),
            Column(_("Baht needed"), "decimal", 20),
        ],
        notes=_notes(assessment_round),
    )
    totals: dict[tuple[int, str], list] = {}
    for item in shortfalls:
        cost = costs.get(item.indicator_code)
        if cost is None:
            continue
        entry = totals.setdefault((item.province_id, item.lg_type), [0, Decimal(0)])
        entry[0] += 1
        entry[1] += item.total * cost
    grand = Decimal(0)
    for (province_id, kind), (count, baht) in sorted(
        totals.items(), key=lambda pair: (thai_sort_key(provinces[pair[0][0]].name_th), _type_order(pair[0][1]))
    ):
        table.rows.append([provinces[province_id].name_th, _type_label(kind), count, round_half_up(baht)])
        grand += round_half_up(baht)
    if table.rows:
        table.rows.append([_("Total"), "", None, grand])
    lacking = sorted({item.indicator_code for item in shortfalls if item.indicator_code not in costs})
    if lacking:
        table.notes.append(
            _(
                "No unit cost is set for FY %(year)s for these indicators with a shortfall, so they are not counted: "
                "%(codes)s"
            )
            % {"year": assessment_round.fiscal_year, "codes": ", ".join(lacking)}
        )
    table.notes.append(
        _(
            "Baht needed = Σ over the indicators with a unit cost of (total shortfall, as in the shortfall table) × "
            "(baht per unit for FY %(year)s), rounded to 2 decimals."
        )
        % {"year": assessment_round.fiscal_year}
    )
    return table


def analysis_tables(
    assessment_round: AssessmentRound, user=None, *, lg_type: str | None = None, province_id: int | None = None
) -> list[Table]:
    """The four tables of the page, in its order (the committee report can take the same)."""
    return [
        quintile_table(assessment_round, "revenue", user, lg_type=lg_type, province_id=province_id),
        quintile_table(assessment_round, "subsidy", user, lg_type=lg_type, province_id=province_id),
        shortfall_table(assessment_round, user, lg_type=lg_type, province_id=province_id),
        cost_table(assessment_round, user, lg_type=lg_type, province_id=province_id),
    ]


# ---------------------------------------------------------------------------------------------------------------
# The synthetic sample for the demo

# Plausible orders of magnitude per type (not statistics): population range, revenue per person range (baht),
# then general and specific subsidy as shares of the revenue.
_SAMPLE_PROFILE: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    LocalGovernmentType.PAO: ((300_000, 2_500_000), (2_000, 5_000)),
    LocalGovernmentType.CITY: ((80_000, 300_000), (6_000, 12_000)),
    LocalGovernmentType.TOWN: ((15_000, 80_000), (5_000, 10_000)),
    LocalGovernmentType.SUBDISTRICT: ((3_000, 20_000), (4_000, 9_000)),
    LocalGovernmentType.SAO: ((2_000, 15_000), (3_500, 8_000)),
    LocalGovernmentType.SPECIAL: ((100_000, 130_000), (8_000, 12_000)),
}


def sample_fiscal_csv(fiscal_year: int, seed: int) -> tuple[str, int]:
    """A synthetic fiscal file (CSV text) for every active local government with a DLA code, and its row count.
    Its first line is a "# SYNTHETIC" comment, so the import marks the data as a synthetic sample."""
    import random

    generator = random.Random(seed)  # noqa: S311 (a reproducible demo file, not a secret)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [f"# {SYNTHETIC_MARK} SAMPLE - ข้อมูลสังเคราะห์สำหรับการสาธิต ไม่ใช่ข้อมูลจริง - FY {fiscal_year} seed {seed}"]
    )
    writer.writerow([*COLUMNS, "name_th"])
    count = 0
    for code, kind, name in (
        LocalGovernment.objects.active()
        .exclude(dla_code=None)
        .order_by("dla_code")
        .values_list("dla_code", "type", "name_th")
    ):
        (low_people, high_people), (low_baht, high_baht) = _SAMPLE_PROFILE.get(kind, _SAMPLE_PROFILE["SAO"])
        population = generator.randint(low_people, high_people)
        revenue = Decimal(population * generator.uniform(low_baht, high_baht)).quantize(CENT)
        general = (revenue * Decimal(str(round(generator.uniform(0.25, 0.45), 3)))).quantize(CENT)
        specific = (revenue * Decimal(str(round(generator.uniform(0.05, 0.20), 3)))).quantize(CENT)
        writer.writerow([code, revenue, general, specific, population, neutralise(name)])
        count += 1
    return buffer.getvalue(), count
