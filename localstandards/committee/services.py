"""The committee report: a round's national results as an A4 PDF in Thai official-report layout, and a workbook.

Every number comes from the services the pages use (analysis aggregates, the award table, the subsidy analysis),
as `core.tables.Table`s; the PDF lays them out with charts rendered by ECharts on the server (charts/render.mjs,
run by Node from node_modules) and the workbook has one sheet per table. `produce` is run by the task
`committee.tasks.produce_report` for the button, and directly by `manage.py committee_report`.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from localstandards.analysis.aggregates import refresh_round
from localstandards.analysis.models import AggregateCell, ItemKind, Level, RoundAnalysis
from localstandards.analysis.services import framework_items, share
from localstandards.assessments.models import Assessment, AssessmentRound, Status
from localstandards.awards import services as awards
from localstandards.committee.models import CommitteeReport, ReportState
from localstandards.core.collation import thai_sort_key
from localstandards.core.pdf import thai_pdf_document
from localstandards.core.tables import Column, Table, display_rows, write_workbook
from localstandards.core.thaidate import format_date, format_datetime
from localstandards.notices.models import OutgoingEmail
from localstandards.notices.outbox import queue_email
from localstandards.registry.models import TYPE_SHORT_LABELS, LocalGovernmentType, Province, Region
from localstandards.subsidy import services as subsidy

CHART_SCRIPT = Path(__file__).resolve().parent / "charts" / "render.mjs"
TOP_BELOW_TARGET = 15
BAR_COLOUR = "#1d4e89"
# cividis: a sequential scale that readers with the common colour-vision deficiencies tell apart.
MAP_COLOURS = ["#00204d", "#414d6b", "#7c7b78", "#bcaf6f", "#ffea46"]
FONT = "Sarabun Thai, Sarabun Latin, sans-serif"


class ReportError(Exception):
    pass


@dataclass
class Chart:
    option: dict
    width: int = 640
    height: int = 320
    svg: str = ""
    uses_map: bool = False


@dataclass
class Section:
    anchor: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    workbook_only: list[Table] = field(default_factory=list)


@dataclass
class Report:
    round: AssessmentRound
    produced_on: str
    sections: list[Section]
    synthetic_fiscal_data: bool = False

    def tables(self) -> list[Table]:
        """Every table of the report, for the workbook: those printed, then those too long to print."""
        return [table for section in self.sections for table in (*section.tables, *section.workbook_only)]


# ---------------------------------------------------------------- the contents


def _percent_columns(*titles: str) -> list[Column]:
    return [Column(title, "percent", 12) for title in titles]


def participation(assessment_round: AssessmentRound) -> Section:
    rows = (
        # Unscoped: the committee's national report covers the whole country.
        Assessment.objects.unscoped()
        .filter(round=assessment_round)
        .values_list("local_government__province__region", "local_government__province__name_th")
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(first_submitted_at__isnull=False)),
            final=Count("pk", filter=Q(status__in=Status.FINAL)),
        )
    )
    by_region: dict[str, list[int]] = {value: [0, 0, 0] for value in Region.values}
    provinces = []
    for region, name, expected, submitted, final in rows:
        totals = by_region.setdefault(region, [0, 0, 0])
        for position, number in enumerate((expected, submitted, final)):
            totals[position] += number
        provinces.append([name, expected, submitted, final, share(submitted, expected), share(final, expected)])
    provinces.sort(key=lambda row: thai_sort_key(row[0]))
    national = [sum(t[i] for t in by_region.values()) for i in range(3)]
    columns = [
        Column(_("Unit"), "text", 28),
        Column(_("Expected returns"), "int", 12),
        Column(_("Submitted"), "int", 12),
        Column(_("Final (accepted)"), "int", 12),
        *_percent_columns(_("Reporting rate %"), _("Final %")),
    ]

    def line(name: str, counts: list[int]) -> list:
        return [name, *counts, share(counts[1], counts[0]), share(counts[2], counts[0])]

    regions = Table(
        key="participation-regions",
        title=_("Participation and reporting by region"),
        columns=columns,
        rows=[line(str(label), by_region[value]) for value, label in Region.choices if by_region[value][0]]
        + [line(_("Whole country"), national)],
        notes=[_("Reporting rate = returns submitted at least once ÷ expected returns × 100.")],
    )
    by_province = Table(
        key="participation-provinces", title=_("Participation by province"), columns=columns, rows=provinces
    )
    chart = _bar_chart(
        [row[0] for row in regions.rows[:-1]],
        [[_float(row[4]) for row in regions.rows[:-1]], [_float(row[5]) for row in regions.rows[:-1]]],
        [_("Reporting rate %"), _("Final %")],
    )
    return Section(
        "participation",
        _("Participation and reporting rates"),
        [
            _(
                "%(expected)s local governments were expected to report in this round; %(submitted)s submitted "
                "(%(rate)s%%) and %(final)s returns are final (accepted)."
            )
            % {
                "expected": f"{national[0]:,}",
                "submitted": f"{national[1]:,}",
                "rate": _one(share(national[1], national[0])),
                "final": f"{national[2]:,}",
            }
        ],
        [chart],
        [regions, by_province],
    )


def _cells(assessment_round, **lookup) -> list[AggregateCell]:
    return list(AggregateCell.objects.filter(round=assessment_round, **lookup))


def results_by_area_and_type(assessment_round: AssessmentRound) -> Section:
    areas = [item for item in framework_items(assessment_round) if item.kind == ItemKind.AREA]
    cells = {
        (cell.item_code, cell.lg_type): cell
        for cell in _cells(assessment_round, level=Level.NATION, code="", item_kind=ItemKind.AREA)
    }
    types = [value for value in LocalGovernmentType.values if any(key[1] == value for key in cells)]
    type_titles = [str(TYPE_SHORT_LABELS.get(value, value)) for value in types]
    table = Table(
        key="results-by-area-type",
        title=_("Meeting the target by area and type of local government (%)"),
        columns=[Column(_("Area"), "text", 44), *_percent_columns(_("All types"), *type_titles)],
        rows=[[area.name, *[_share_of(cells.get((area.code, lg_type))) for lg_type in ["", *types]]] for area in areas],
        notes=[
            _(
                "Meeting the target % = indicator results above or meeting the target ÷ results labelled above, "
                "meets, to develop or not done × 100, over the final returns."
            )
        ],
    )
    score_cells = {
        c.lg_type: c for c in _cells(assessment_round, level=Level.NATION, code="", item_kind=ItemKind.SCORE)
    }
    scores = Table(
        key="scores-by-type",
        title=_("Overall score by type of local government"),
        columns=[
            Column(_("Type"), "text", 24),
            Column(_("Final returns"), "int", 12),
            Column(_("Lower quartile"), "decimal", 12),
            Column(_("Median"), "decimal", 12),
            Column(_("Upper quartile"), "decimal", 12),
            Column(_("Passed %"), "percent", 12),
        ],
        rows=[
            [label, c.returns, c.q1, c.median, c.q3, share(c.met, c.scored)]
            for label, c in [(_("All types"), score_cells.get(""))]
            + [(title, score_cells.get(value)) for value, title in zip(types, type_titles, strict=True)]
            if c is not None
        ],
    )
    chart = _bar_chart(
        [_short(area.name) for area in areas],
        [[_float(row[1]) for row in table.rows]],
        [_("All types")],
        horizontal=True,
    )
    return Section("results", _("Results by area and type"), [], [chart], [table, scores])


def province_map(assessment_round: AssessmentRound) -> Section:
    cells = {c.code: c for c in _cells(assessment_round, level=Level.PROVINCE, lg_type="", item_kind=ItemKind.SCORE)}
    names = dict(Province.objects.values_list("code", "name_th"))
    table = Table(
        key="provinces",
        title=_("Overall score by province"),
        columns=[
            Column(_("Province"), "text", 24),
            Column(_("Final returns"), "int", 12),
            Column(_("Median"), "decimal", 12),
            Column(_("Passed %"), "percent", 12),
        ],
        rows=sorted(
            ([names.get(code, code), c.returns, c.median, share(c.met, c.scored)] for code, c in cells.items()),
            key=lambda row: thai_sort_key(row[0]),
        ),
    )
    values = [float(c.median) for c in cells.values() if c.median is not None]
    section = Section(
        "map",
        _("Results by province"),
        [
            _(
                "The map shows each province's median overall score over its final returns; grey provinces have "
                "no final return yet. Boundaries: Royal Thai Survey Department via OCHA/HDX (COD-AB), simplified "
                "by mapthai."
            )
        ],
        [],
        [table],
    )
    if values and _province_shapes() is not None:
        low, high = _floor5(min(values)), _ceil5(max(values))
        section.charts.append(
            Chart(
                {
                    "textStyle": {"fontFamily": FONT},
                    "visualMap": {
                        "min": low,
                        "max": high if high > low else low + 5,
                        "left": 10,
                        "bottom": 20,
                        "calculable": False,
                        "inRange": {"color": MAP_COLOURS},
                        "text": [f"{high:g}", f"{low:g}"],
                        "textStyle": {"fontSize": 11},
                    },
                    "series": [
                        {
                            "type": "map",
                            "map": "thailand",
                            "aspectScale": 0.95,
                            "itemStyle": {"areaColor": "#d9d9d9", "borderColor": "#ffffff", "borderWidth": 0.5},
                            "data": [
                                {"name": code, "value": float(c.median)}
                                for code, c in cells.items()
                                if c.median is not None
                            ],
                        }
                    ],
                },
                width=520,
                height=640,
                uses_map=True,
            )
        )
    return section


def below_target(assessment_round: AssessmentRound) -> Section:
    items = {item.code: item for item in framework_items(assessment_round) if item.kind == ItemKind.INDICATOR}
    cells = _cells(assessment_round, level=Level.NATION, code="", lg_type="", item_kind=ItemKind.INDICATOR)
    ranked = sorted(
        (c for c in cells if c.applicable > c.met),
        key=lambda c: (-(c.applicable - c.met), -(c.applicable - c.met) / c.applicable, c.item_code),
    )[:TOP_BELOW_TARGET]
    table = Table(
        key="below-target",
        title=_("The indicators most often below target"),
        columns=[
            Column(_("Indicator"), "text", 60),
            Column(_("Local governments assessed"), "int", 12),
            Column(_("Below the target"), "int", 12),
            Column(_("Below the target %"), "percent", 12),
            Column(_("Total shortfall"), "decimal", 14),
            Column(_("Unit"), "text", 12),
        ],
        rows=[
            [
                items[c.item_code].name if c.item_code in items else c.item_code,
                c.applicable,
                c.applicable - c.met,
                share(c.applicable - c.met, c.applicable),
                c.shortfall,
                items[c.item_code].unit if c.item_code in items else "",
            ]
            for c in ranked
        ],
        notes=[
            _(
                "Ranked by the number of local governments below the target, then by their share of those assessed "
                "(no such public service left out)."
            )
        ],
    )
    return Section("below-target", _("Indicators most often below target"), [], [], [table])


def subsidy_analysis(assessment_round: AssessmentRound) -> tuple[Section, bool]:
    fiscal = subsidy.fiscal_import_for(assessment_round)
    if fiscal is None:
        return Section(
            "subsidy",
            _("Subsidy analysis"),
            [
                _(
                    "No fiscal data has been imported for fiscal year %(year)s, so the subsidy analysis is left out. "
                    "A national administrator imports it on the subsidy page or with manage.py import_fiscal."
                )
                % {"year": assessment_round.fiscal_year}
            ],
        ), False
    paragraphs = [
        _("Fiscal data of fiscal year %(year)s (%(rows)s local governments).")
        % {"year": fiscal.fiscal_year, "rows": f"{fiscal.rows:,}"}
    ]
    if fiscal.synthetic:
        paragraphs.insert(0, _("SYNTHETIC SAMPLE: the fiscal data are generated for the demo, not real figures."))
    revenue, subsidies, shortfall, cost = subsidy.analysis_tables(assessment_round)
    section = Section(
        "subsidy", _("Subsidy analysis"), paragraphs, [], [revenue, subsidies, national_shortfall(shortfall), cost]
    )
    section.workbook_only.append(shortfall)  # by province and type: thousands of rows, in the workbook only
    return section, fiscal.synthetic


def national_shortfall(by_province: Table) -> Table:
    """The shortfall table of the subsidy analysis summed over provinces and types: one row per indicator (the
    report's page-sized version; the workbook keeps the table by province and type)."""
    columns = list(by_province.columns)
    indicator, wording, _province, _type, below, total, unit = range(7)
    sums: dict[tuple, list] = {}
    for row in by_province.rows:
        entry = sums.setdefault((row[indicator], row[wording], row[unit]), [0, Decimal(0)])
        entry[0] += row[below] or 0
        entry[1] += row[total] or 0
    return Table(
        key="shortfall-national",
        title=_("Total shortfall per indicator, whole country"),
        columns=[columns[indicator], columns[wording], columns[below], columns[total], columns[unit]],
        rows=[[code, text, count, amount, unit_name] for (code, text, unit_name), (count, amount) in sums.items()],
        notes=[*by_province.notes, _("The same figures by province and type are in the workbook (sheet shortfall).")],
    )


def award_distribution(assessment_round: AssessmentRound) -> Section:
    rows, frozen = awards.listed_rows(assessment_round)
    bands = awards.score_distribution(rows)
    table = Table(
        key="award-distribution",
        title=_("Distribution of the award score"),
        columns=[Column(_("Score band"), "text", 14), Column(_("Local governments"), "int", 14)],
        rows=[[band, count] for band, count in bands],
        notes=[
            _("%(n)s final returns with a score; the full ranked list is in the award-score export.")
            % {"n": f"{sum(count for _band, count in bands):,}"},
            *(
                [_("The award list was frozen on %(when)s.") % {"when": format_datetime(frozen.frozen_at)}]
                if frozen is not None
                else []
            ),
        ],
    )
    chart = _bar_chart([band for band, _count in bands], [[count for _band, count in bands]], [_("Local governments")])
    return Section("award", _("Award-score distribution"), [], [chart], [table])


def build(assessment_round: AssessmentRound) -> Report:
    """The report's contents, in Thai; the aggregates are rebuilt first when results changed since."""
    analysis = RoundAnalysis.objects.filter(round=assessment_round).first()
    if analysis is None or analysis.is_stale:
        refresh_round(assessment_round)
    with translation.override("th"):
        subsidy_section, synthetic = subsidy_analysis(assessment_round)
        sections = [
            participation(assessment_round),
            results_by_area_and_type(assessment_round),
            province_map(assessment_round),
            below_target(assessment_round),
            subsidy_section,
            award_distribution(assessment_round),
        ]
        report = Report(assessment_round, format_date(timezone.localdate(), "long"), sections, synthetic)
    render_charts([chart for section in report.sections for chart in section.charts])
    return report


# ---------------------------------------------------------------- charts (ECharts on the server)


def _float(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _one(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _share_of(cell: AggregateCell | None) -> Decimal | None:
    return None if cell is None else share(cell.met, cell.applicable)


def _short(text: str, length: int = 34) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _floor5(value: float) -> float:
    return float(int(value // 5) * 5)


def _ceil5(value: float) -> float:
    return float(-int(-value // 5) * 5)


def _bar_chart(labels: list[str], series: list[list], names: list[str], *, horizontal: bool = False) -> Chart:
    colours = [BAR_COLOUR, "#e69f00", "#009e73"]  # Okabe–Ito, after the house blue
    category = {"type": "category", "data": labels, "axisLabel": {"fontSize": 10, "interval": 0}}
    value = {"type": "value", "axisLabel": {"fontSize": 10}}
    if horizontal:
        category["inverse"] = True
    return Chart(
        {
            "textStyle": {"fontFamily": FONT},
            "legend": {"show": len(series) > 1, "bottom": 0, "textStyle": {"fontSize": 11}},
            "grid": {"left": 10, "right": 30, "top": 10, "bottom": 30 if len(series) > 1 else 10, "containLabel": True},
            "xAxis": value if horizontal else category,
            "yAxis": category if horizontal else value,
            "series": [
                {
                    "type": "bar",
                    "name": name,
                    "data": data,
                    "itemStyle": {"color": colours[index % len(colours)]},
                    "label": {"show": True, "position": "right" if horizontal else "top", "fontSize": 9},
                }
                for index, (name, data) in enumerate(zip(names, series, strict=True))
            ],
        },
        height=300 if horizontal else 260,
    )


def _province_shapes() -> dict | None:
    path = Path(settings.PROVINCES_GEOJSON or "")
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["properties"] = {"name": feature["properties"]["ADM1_PCODE"].removeprefix("TH")}
    return data


def render_charts(charts: list[Chart]) -> None:
    """Fill each chart's SVG with one run of Node (ECharts' server-side renderer)."""
    if not charts:
        return
    request = {
        "maps": {"thailand": _province_shapes()} if any(chart.uses_map for chart in charts) else {},
        "charts": [{"width": c.width, "height": c.height, "option": c.option} for c in charts],
    }
    try:
        finished = subprocess.run(  # noqa: S603 (a fixed script, input on stdin)
            [settings.NODE_BINARY, str(CHART_SCRIPT)],
            input=json.dumps(request, ensure_ascii=False),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise ReportError(_("The charts could not be drawn: %(error)s") % {"error": error}) from error
    for chart, svg in zip(charts, json.loads(finished.stdout), strict=True):
        chart.svg = svg


# ---------------------------------------------------------------- the files


def widths(table: Table) -> list[str]:
    """Each column's share of the page width, from the columns' widths in characters (text gets the room)."""
    total = sum(column.width for column in table.columns) or 1
    return [f"{column.width * 100 / total:.1f}%" for column in table.columns]


def pdf_bytes(report: Report) -> bytes:
    return thai_pdf_document(
        "committee/report_pdf.html",
        {
            "report": report,
            "round": report.round,
            "sections": [
                {
                    "section": s,
                    "tables": [{"table": t, "rows": display_rows(t), "widths": widths(t)} for t in s.tables],
                }
                for s in report.sections
            ],
        },
    ).write_pdf()


def xlsx_bytes(report: Report) -> bytes:
    import io

    buffer = io.BytesIO()
    with translation.override("th"):
        write_workbook(report.tables(), buffer)
    return buffer.getvalue()


def file_stem(assessment_round: AssessmentRound) -> str:
    return f"committee-report-{assessment_round.fiscal_year}-round-{assessment_round.pk}"


def write_files(assessment_round: AssessmentRound, directory: Path) -> tuple[Path, Path]:
    """The command's path: build, then write the PDF and the workbook into `directory`."""
    report = build(assessment_round)
    directory.mkdir(parents=True, exist_ok=True)
    stem = file_stem(assessment_round)
    pdf_path, xlsx_path = directory / f"{stem}.pdf", directory / f"{stem}.xlsx"
    pdf_path.write_bytes(pdf_bytes(report))
    xlsx_path.write_bytes(xlsx_bytes(report))
    return pdf_path, xlsx_path


# ---------------------------------------------------------------- requests from the page, the background task


def may_request(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active) and (
        user.is_national_admin or user.has_role("COMMITTEE_VIEWER")
    )


def request_report(assessment_round: AssessmentRound, user) -> CommitteeReport:
    """Queue a report; the task starts after commit. A report of the round already waiting is reused."""
    from localstandards.committee.tasks import produce_report

    with transaction.atomic():
        waiting = CommitteeReport.objects.filter(
            round=assessment_round, state__in=[ReportState.QUEUED, ReportState.RUNNING]
        ).first()
        if waiting is not None:
            return waiting
        report = CommitteeReport.objects.create(round=assessment_round, requested_by=user, requested_at=timezone.now())
        transaction.on_commit(partial(produce_report.enqueue, report.pk))
    return report


def produce(report: CommitteeReport) -> CommitteeReport:
    """Build the files of a requested report, store them, and tell the person who asked (by e-mail)."""
    claimed = CommitteeReport.objects.filter(pk=report.pk, state=ReportState.QUEUED).update(
        state=ReportState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return report
    report.refresh_from_db()
    try:
        contents = build(report.round)
        pdf, workbook = pdf_bytes(contents), xlsx_bytes(contents)
    except Exception as error:  # the list shows the failure; the person can ask again
        CommitteeReport.objects.filter(pk=report.pk).update(
            state=ReportState.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        report.refresh_from_db()
        return report
    with transaction.atomic():
        stem = file_stem(report.round)
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{stem}.xlsx", ContentFile(workbook), save=False)
        report.state = ReportState.DONE
        report.finished_at = timezone.now()
        report.save()
        if report.requested_by and report.requested_by.email:
            with translation.override("th"):
                queue_email(
                    OutgoingEmail.Kind.NOTICE,
                    _("The committee report of %(round)s is ready") % {"round": report.round.name},
                    _("The report you asked for on %(when)s is ready to download from the list of reports: %(url)s")
                    % {
                        "when": format_datetime(report.requested_at),
                        "url": settings.SITE_URL.rstrip("/") + f"/committee/{report.round_id}/",
                    },
                    [report.requested_by.email],
                )
    return report
