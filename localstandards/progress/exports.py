"""Downloads of the progress pages: the not-submitted list as CSV (UTF-8 with a byte-order mark) and as XLSX.

Plain functions from the rows the services computed to file content; the views only wrap them in a response.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _
from openpyxl import Workbook

from localstandards.assessments.models import AssessmentRound
from localstandards.core.thaidate import format_datetime
from localstandards.progress.services import STATE_LABELS, Laggard

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
    for item in items:
        lg = item.assessment.local_government
        contacts = "; ".join(
            " ".join(part for part in (str(m.user), m.user.phone, m.user.email) if part) for m in item.contacts
        )
        yield [
            lg.dla_code or "",
            lg.full_name_th,
            lg.get_type_display(),
            str(lg.district or ""),
            str(lg.province),
            str(STATE_LABELS[item.state]),
            item.progress_percent,
            format_datetime(item.assessment.last_activity_at, digits=False) if item.assessment.last_activity_at else "",
            contacts,
        ]


class _Echo:
    """A file-like object for csv.writer that hands each written line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def laggards_csv(items: Iterable[Laggard]) -> Iterator[str]:
    """The CSV, line by line; it starts with a byte-order mark so that Excel opens the Thai text as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in laggard_rows(items):
        yield writer.writerow(row)


def laggards_xlsx(items: Iterable[Laggard]) -> bytes:
    """One sheet, "not-submitted", with the header row frozen."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "not-submitted"
    for row in laggard_rows(items):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
