"""Downloads of the progress pages: the not-submitted list as CSV (UTF-8 with a byte-order mark) and as XLSX.

Plain functions from the rows the services computed to file content; the views only wrap them in a response.
Both take an iterator of rows and never hold the whole list: the CSV is produced line by line while the
response streams, the XLSX is written row by row (openpyxl's write-only mode) to a temporary file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from localstandards.assessments.models import AssessmentRound
from localstandards.core.tables import neutralise
from localstandards.core.thaidate import format_datetime
from localstandards.progress.services import STATE_LABELS, Laggard
from localstandards.registry.models import LocalGovernmentType

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def laggards_filename(assessment_round: AssessmentRound, code: str, extension: str) -> str:
    return f"not-submitted-{assessment_round.fiscal_year}-{code}.{extension}"


def laggard_rows(items: Iterable[Laggard]) -> Iterator[list]:
    """The header, then one row per local government not yet submitted, with whom to call."""
    yield [
        _("DLA code"),
        _("Local government"),
        _("Type"),
        _("District"),
        _("Province"),
        _("State"),
        _("Progress %"),
        _("Last activity"),
        _("Contacts"),
    ]
    # Labels looked up once, not per row (get_..._display rebuilds its choices each call).
    types = {value: str(label) for value, label in LocalGovernmentType.choices}
    states = {key: str(label) for key, label in STATE_LABELS.items()}
    for item in items:
        lg = item.assessment.local_government
        contacts = "; ".join(" ".join(part for part in (c.name, c.phone, c.email) if part) for c in item.contacts)
        yield [
            lg.dla_code or "",
            lg.full_name_th,
            types.get(lg.type, lg.type),
            item.assessment.district_name or "",
            item.assessment.province_name,
            states[item.state],
            item.progress_percent,
            item.assessment.last_activity_at,  # a date-time: text in the CSV, a date cell in the XLSX
            contacts,
        ]


def _csv_value(value):
    return format_datetime(value, digits=False) if isinstance(value, dt.datetime) else neutralise(value)


class _Echo:
    """A file-like object for csv.writer that hands each written line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def laggards_csv(items: Iterable[Laggard]) -> Iterator[str]:
    """The CSV, line by line; it starts with a byte-order mark so that Excel opens the Thai text as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in laggard_rows(items):
        yield writer.writerow([_csv_value(value) for value in row])


def in_language(language: str | None, lines: Iterable[str], lines_per_chunk: int = 200) -> Iterator[str]:
    """`lines` produced with `language` active (a streamed response runs after the middleware returned), sent
    in chunks of `lines_per_chunk` lines: fewer, larger writes to the client."""
    iterator = iter(lines)
    while True:
        with translation.override(language):
            chunk = "".join(itertools.islice(iterator, lines_per_chunk))
        if not chunk:
            return
        yield chunk


# Column widths in characters (Thai names are long; codes, states and percentages are short).
XLSX_WIDTHS = (10, 34, 22, 18, 16, 22, 11, 20, 60)
# Excel shows a date in the Buddhist era with the Thai locale and the Thai Buddhist calendar (LCID 041E, calendar 07).
XLSX_DATETIME_FORMAT = "[$-107041E]d mmm yyyy hh:mm"


def _write_xlsx(items: Iterable[Laggard], target) -> None:
    """One sheet, "not-submitted", with the header row frozen, columns sized for their content and the last
    activity as a real date cell (shown in the Buddhist era); write-only, so rows are not kept in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("not-submitted")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    rows = laggard_rows(items)
    header = []
    for title in next(rows):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    workbook.save(target)


def _xlsx_value(sheet, value):
    if not isinstance(value, dt.datetime):
        return neutralise(value)
    # Excel has no time zones: the Bangkok wall-clock time, as officers read it.
    cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
    cell.number_format = XLSX_DATETIME_FORMAT
    return cell


def laggards_xlsx_file(items: Iterable[Laggard]) -> IO[bytes]:
    """The XLSX in a temporary file, rewound (a FileResponse streams it and closes it, which deletes it)."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it when sent)
    _write_xlsx(items, target)
    target.seek(0)
    return target


def laggards_xlsx(items: Iterable[Laggard]) -> bytes:
    buffer = io.BytesIO()
    _write_xlsx(items, buffer)
    return buffer.getvalue()
