"""One shape for a table of figures: shown on a page, exported as XLSX or CSV, and laid out in the committee report.

The national results, the subsidy analysis and the award scores each build `Table`s in their services; pages,
downloads and the committee report's PDF and workbook all render the same objects, so a number can be traced
from the report back to the page and the export. Values stay typed (Decimal, int, date) until rendered.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel shows a date in the Buddhist era with the Thai locale and the Thai Buddhist calendar (LCID 041E, calendar 07).
XLSX_DATE_FORMAT = "[$-107041E]d mmm yyyy"
XLSX_DATETIME_FORMAT = "[$-107041E]d mmm yyyy hh:mm"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Text a spreadsheet program could take for a formula (OWASP "CSV injection"): the cell is prefixed with an
# apostrophe, so Excel and LibreOffice show the text as it was typed and run nothing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A value safe to put in an exported CSV or XLSX cell: text that starts like a formula gets a leading
    apostrophe; numbers, dates and other text are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # "text" | "int" | "decimal" (2 places) | "percent" (2 places, 0–100) | "date"
    width: int = 14  # characters, for the XLSX and a hint for the PDF


@dataclass
class Table:
    """A titled grid: `rows` hold plain values in the order of `columns`; `notes` are printed under it."""

    key: str  # stable, ASCII: the XLSX sheet name and the file name of a download
    title: str
    columns: Sequence[Column]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def column_titles(self) -> list[str]:
        return [column.title for column in self.columns]


def sheet_name(key: str, taken: set[str] | None = None) -> str:
    """An Excel sheet name (≤ 31 characters, none of []:*?/\\), unique within `taken`."""
    name = _SHEET_NAME_FORBIDDEN.sub("-", key)[:31] or "sheet"
    if taken is not None:
        base, number = name, 2
        while name in taken:
            suffix = f"-{number}"
            name = base[: 31 - len(suffix)] + suffix
            number += 1
        taken.add(name)
    return name


_NUMBER_FORMATS = {"int": "#,##0", "decimal": "#,##0.00", "percent": "0.00"}


def _xlsx_cell(sheet, value, column: Column):
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _NUMBER_FORMATS.get(column.kind, "General")
        return cell
    return neutralise(str(value))


def write_workbook(tables: Iterable[Table], target: IO[bytes] | str) -> None:
    """One sheet per table: its title, the header row (bold), the rows as typed cells, then the notes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(sheet_name(table.key, taken))
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        title = WriteOnlyCell(sheet, value=neutralise(table.title))
        title.font = Font(bold=True, size=13)
        sheet.append([title])
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=neutralise(column.title))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value, column) for value, column in zip(row, table.columns, strict=False)])
        if table.notes:
            sheet.append([])
            for note in table.notes:
                sheet.append([neutralise(note)])
    if not taken:
        workbook.create_sheet("empty")
    workbook.save(target)


def workbook_bytes(tables: Iterable[Table]) -> bytes:
    buffer = io.BytesIO()
    write_workbook(tables, buffer)
    return buffer.getvalue()


def workbook_file(tables: Iterable[Table]) -> IO[bytes]:
    """The workbook in a temporary file, rewound (a FileResponse streams it and closes it, which deletes it)."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it when sent)
    write_workbook(tables, target)
    target.seek(0)
    return target


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(value)


def csv_text(table: Table) -> str:
    """The table as CSV in UTF-8 with a byte-order mark (so Excel opens the Thai text as UTF-8); header row first,
    dates in ISO 8601 (C.E.) so that other programs read them, numbers unformatted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(title) for title in table.column_titles()])
    for row in table.rows:
        writer.writerow([_csv_value(value) for value in row])
    return "\ufeff" + buffer.getvalue()


_DISPLAY_DECIMALS = {"int": 0, "decimal": 2, "percent": 1}


def display(value, column: Column) -> str:
    """A cell as a page or a PDF prints it: thousands separators, 1 decimal for a percentage, 2 for an amount,
    Buddhist-era dates, a dash for nothing."""
    from localstandards.core.thaidate import format_date, format_number

    if value is None or value == "":
        return "–"
    if isinstance(value, dt.date):
        return format_date(value, "short")
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return format_number(value, _DISPLAY_DECIMALS.get(column.kind))
    return str(value)


def display_rows(table: Table) -> list[list[tuple[str, bool]]]:
    """Each row's cells as (text, is a number), for templates."""
    numeric = [column.kind in _DISPLAY_DECIMALS for column in table.columns]
    return [
        [
            (display(value, column), is_number)
            for value, column, is_number in zip(row, table.columns, numeric, strict=False)
        ]
        for row in table.rows
    ]
