"""What an อปท. sees of its results: the published table, where it stands, its previous round, the plan.

Everything is read from the stored results (scoring.models, a cache of the scoring functions). A return that has
no stored results yet is scored once here; a provisional return whose answers changed after its results were
stored is scored again, so the provisional view never shows older numbers than the data-entry page.
See docs/results.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from localstandards.assessments.models import Assessment, Status
from localstandards.core.pdf import thai_pdf_document
from localstandards.core.tables import XLSX_DATE_FORMAT, neutralise
from localstandards.core.thaidate import use_thai_digits
from localstandards.frameworks.models import Area, Kind, LabelKey, SatisfactionQuestion
from localstandards.frameworks.rules import label_texts
from localstandards.reports.models import PublicLink
from localstandards.scoring.models import AreaScore, IndicatorResultRecord, ReturnScore
from localstandards.scoring.services import current_results, extra_satisfaction

logger = logging.getLogger(__name__)

MIN_PEERS = 5
_CENT = Decimal("0.01")

BETTER, SAME, WORSE = "better", "same", "worse"


# ---------------------------------------------------------------- the stored results


@dataclass
class Row:
    """One indicator line of the published table."""

    record: IndicatorResultRecord
    code: str
    wording: str
    guidance: str
    kind: str
    unit: str
    label_text: str
    change: str = ""  # better / same / worse against the previous round ("" = not comparable or none)
    previous_value: Decimal | None = None
    answer_words: tuple[str, str] = ("", "")  # (yes, no) as the framework version words them (Framework.answer_text)

    @property
    def answer_text(self) -> str:
        """A yes/no answer in the framework's words (มี / ไม่มี by default); "" without an answer."""
        if self.record.answer is None:
            return ""
        return self.answer_words[0] if self.record.answer else self.answer_words[1]

    @property
    def previous_answer_text(self) -> str:
        if self.previous_value is None:
            return ""
        return self.answer_words[0] if self.previous_value else self.answer_words[1]

    @property
    def is_ratio(self) -> bool:
        return self.kind == Kind.RATIO

    @property
    def is_count(self) -> bool:
        return self.kind == Kind.COUNT

    @property
    def is_yesno(self) -> bool:
        return self.kind == Kind.YESNO

    @property
    def places(self) -> int:
        """Decimals to print a value or shortfall with: counts are whole numbers."""
        return 0 if self.kind == Kind.COUNT else 2

    @property
    def no_service(self) -> bool:
        return self.record.label == LabelKey.NO_SERVICE

    @property
    def below_target(self) -> bool:
        """Applicable and not met, or met with a shortfall (a MEETS threshold below the target)."""
        record = self.record
        if not record.label or not record.applicable:
            return False
        return not record.met or (record.shortfall is not None and record.shortfall > 0)


@dataclass
class MissionBlock:
    name: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class SatisfactionRow:
    wording: str
    satisfied: int | None
    needs_improvement: int | None

    @property
    def respondents(self) -> int:
        return (self.satisfied or 0) + (self.needs_improvement or 0)

    def _share(self, part: int | None) -> Decimal | None:
        if part is None or not self.respondents or self.satisfied is None or self.needs_improvement is None:
            return None
        return Decimal(part) * 100 / self.respondents

    @property
    def satisfied_pct(self) -> Decimal | None:
        return self._share(self.satisfied)

    @property
    def needs_improvement_pct(self) -> Decimal | None:
        return self._share(self.needs_improvement)


@dataclass
class Standing:
    """A percentile among peers (see docs/results.md); `shown` is False below MIN_PEERS peers."""

    peers: int
    below: int = 0
    equal: int = 0

    @property
    def shown(self) -> bool:
        return self.peers >= MIN_PEERS

    @property
    def percentile(self) -> Decimal | None:
        if not self.shown:
            return None
        value = (Decimal(self.below) + Decimal(self.equal) / 2) * 100 / self.peers
        return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass
class AreaBlock:
    code: str
    name: str
    summary: AreaScore | None
    missions: list[MissionBlock] = field(default_factory=list)
    satisfaction: list[SatisfactionRow] = field(default_factory=list)
    national: Standing | None = None
    provincial: Standing | None = None

    @property
    def rows(self) -> list[Row]:
        return [row for mission in self.missions for row in mission.rows]


@dataclass
class Results:
    assessment: Assessment
    score: ReturnScore
    final: bool
    areas: list[AreaBlock]
    national: Standing | None = None
    provincial: Standing | None = None
    previous: Assessment | None = None

    @property
    def rows(self) -> list[Row]:
        return [row for area in self.areas for row in area.rows]

    @property
    def below_target(self) -> list[Row]:
        return [row for row in self.rows if row.below_target]

    @property
    def satisfaction(self) -> list[SatisfactionRow]:
        return [item for area in self.areas for item in area.satisfaction]

    @property
    def needs_improvement_pct(self) -> Decimal | None:
        respondents = self.score.respondents
        return Decimal(self.score.needs_improvement) * 100 / respondents if respondents else None

    @property
    def changes(self) -> dict[str, int]:
        counts = {BETTER: 0, SAME: 0, WORSE: 0}
        for row in self.rows:
            if row.change:
                counts[row.change] += 1
        return counts


def build_results(assessment: Assessment, *, standing: bool = True, previous: bool = True) -> Results:
    """The results of one return, grouped area → mission → indicator, with summaries and satisfaction."""
    current = current_results(assessment)
    score = current.score
    lg = assessment.local_government
    texts = label_texts(assessment.framework)
    answer_words = (assessment.framework.yes_word, assessment.framework.no_word)
    area_scores = {item.area_id: item for item in current.areas}
    blocks: dict[int, AreaBlock] = {}
    for area in Area.objects.filter(framework_id=assessment.framework_id).order_by("order", "pk"):
        blocks[area.pk] = AreaBlock(code=area.code, name=area.name, summary=area_scores.get(area.pk))
    for record in current.records:
        indicator = record.indicator
        block = blocks[record.area_id]
        mission_name = indicator.mission.name
        if not block.missions or block.missions[-1].name != mission_name:
            block.missions.append(MissionBlock(mission_name))
        block.missions[-1].rows.append(
            Row(
                record=record,
                code=indicator.code,
                wording=indicator.wording_for(lg.type),
                guidance=indicator.guidance_for(lg.type),
                kind=record.kind,
                unit=indicator.result_unit,
                label_text=texts.get(record.label, "") if record.label else "",
                answer_words=answer_words,
            )
        )
    answers = {item.question_id: item for item in assessment.satisfaction_answers.all()}
    # The online survey's counts (a satisfaction source, see scoring.services) are added to the paper counts, as
    # the score adds them, so each question's row and the total row agree.
    online = {row.question_id: row for row in extra_satisfaction([assessment.pk]).get(assessment.pk, [])}
    for question in SatisfactionQuestion.objects.filter(framework_id=assessment.framework_id).order_by(
        "area__order", "order", "pk"
    ):
        answer, extra = answers.get(question.pk), online.get(question.pk)
        satisfied = answer.satisfied if answer else None
        needs_improvement = answer.needs_improvement if answer else None
        if extra is not None:
            satisfied = (satisfied or 0) + extra.satisfied
            needs_improvement = (needs_improvement or 0) + extra.needs_improvement
        blocks[question.area_id].satisfaction.append(
            SatisfactionRow(
                wording=question.wording_for(lg.type), satisfied=satisfied, needs_improvement=needs_improvement
            )
        )
    results = Results(assessment=assessment, score=score, final=assessment.is_final, areas=list(blocks.values()))
    if standing:
        add_standing(results)
    if previous:
        add_previous(results)
    return results


# ---------------------------------------------------------------- where it stands


def _final_peers(assessment: Assessment, path: str = "assessment__") -> Q:
    """Final returns of the same round and type of local government, the return itself excluded."""
    lg = assessment.local_government
    return Q(
        **{
            f"{path}round_id": assessment.round_id,
            f"{path}status__in": Status.FINAL,
            f"{path}local_government__type": lg.type,
        }
    ) & ~Q(**{f"{path}pk": assessment.pk})


def _standing(queryset, field_name: str, value: Decimal | None) -> Standing | None:
    if value is None:
        return None
    counts = queryset.exclude(**{f"{field_name}__isnull": True}).aggregate(
        peers=Count("pk"),
        below=Count("pk", filter=Q(**{f"{field_name}__lt": value})),
        equal=Count("pk", filter=Q(**{field_name: value})),
    )
    return Standing(peers=counts["peers"], below=counts["below"], equal=counts["equal"])


def add_standing(results: Results) -> None:
    """Percentiles nationally and in the province, overall (score) and per area (compliance %)."""
    assessment = results.assessment
    province = Q(assessment__local_government__province_id=assessment.local_government.province_id)
    # Unscoped: peer percentiles of final results, or the public permalink of a final return.
    returns = ReturnScore.objects.unscoped().filter(_final_peers(assessment))
    results.national = _standing(returns, "score", results.score.score)
    results.provincial = _standing(returns.filter(province), "score", results.score.score)
    for block in results.areas:
        if block.summary is None:
            continue
        # Unscoped: peer percentiles of final results, or the public permalink of a final return.
        areas = AreaScore.objects.unscoped().filter(_final_peers(assessment), area__code=block.code)
        block.national = _standing(areas, "compliance", block.summary.compliance)
        block.provincial = _standing(areas.filter(province), "compliance", block.summary.compliance)


# ---------------------------------------------------------------- against the previous round


def previous_final(assessment: Assessment) -> Assessment | None:
    """The same อปท.'s latest final return in a round that opened before this one."""
    return (
        # Unscoped: peer percentiles of final results, or the public permalink of a final return.
        Assessment.objects.unscoped()
        .final()
        .filter(local_government_id=assessment.local_government_id, round__opens_on__lt=assessment.round.opens_on)
        .exclude(pk=assessment.pk)
        .select_related("round", "framework", "local_government")
        .order_by("-round__opens_on", "-pk")
        .first()
    )


def compare(current: Decimal | None, earlier: Decimal | None) -> str:
    """better / same / worse on the achieved value at 2 places; "" when either side has no value."""
    if current is None or earlier is None:
        return ""
    now, then = current.quantize(_CENT, ROUND_HALF_UP), earlier.quantize(_CENT, ROUND_HALF_UP)
    return BETTER if now > then else WORSE if now < then else SAME


def add_previous(results: Results) -> None:
    earlier = previous_final(results.assessment)
    if earlier is None:
        return
    values = {record.indicator.code: (record.kind, record.value) for record in current_results(earlier).records}
    results.previous = earlier
    for row in results.rows:
        kind, value = values.get(row.code, (None, None))
        if kind == row.kind:
            row.previous_value = value
            row.change = compare(row.record.value, value)


# ---------------------------------------------------------------- the public link


def public_link(assessment: Assessment) -> PublicLink | None:
    """The return's permalink (made when the return is accepted); none while results are provisional."""
    if not assessment.is_final:
        return None
    # Unscoped: peer percentiles of final results, or the public permalink of a final return.
    return PublicLink.objects.unscoped().filter(assessment=assessment).first()


def publish_link(assessment_id: int) -> PublicLink:
    """Make the permalink of an accepted return (kept across reopening, so a link once shared keeps working)."""
    # Unscoped: peer percentiles of final results, or the public permalink of a final return.
    link, _created = PublicLink.objects.unscoped().get_or_create(assessment_id=assessment_id)
    return link


def on_status_changed(sender, *, assessment_id: int, new_status: str, **kwargs) -> None:
    """Receiver of assessments.signals.status_changed (connected in ReportsConfig.ready)."""
    if new_status == Status.ACCEPTED:
        publish_link(assessment_id)


def public_assessment(slug: str) -> Assessment | None:
    """The final return behind a permalink, or None (unknown slug, or the return is not final any more)."""
    link = (
        # Unscoped: peer percentiles of final results, or the public permalink of a final return.
        PublicLink.objects.unscoped()
        .select_related("assessment__round", "assessment__framework", "assessment__local_government__province")
        .filter(slug=slug)
        .first()
    )
    if link is None or not link.assessment.is_final:
        return None
    return link.assessment


# ---------------------------------------------------------------- PDF


def results_pdf(results: Results) -> bytes:
    """The published table as an A4 PDF in Thai, with page numbers, the อปท.'s name, the round and the date."""
    return results_pdf_document(results).write_pdf()


def results_pdf_document(results: Results):
    """The laid-out pages (a weasyprint Document) of results_pdf: tests read its pages and their text."""
    from localstandards.core.thaidate import format_date

    return thai_pdf_document(
        "reports/results_pdf.html",
        {
            "results": results,
            "assessment": results.assessment,
            "printed_on": format_date(timezone.localdate(), "long"),
            "thai_digits": use_thai_digits(),  # the page numbers too (CSS counters in the thai style)
        },
    )


# ---------------------------------------------------------------- the PDF, cached

PDF_CACHE_SECONDS = 7 * 24 * 3600  # the key changes with the content, so a long life serves no stale PDF
PDF_TEMPLATES = ("reports/results_pdf.html", "reports/includes/value_cells.html")


@functools.cache
def _pdf_layout() -> str:
    """A digest of the PDF's templates: a release that changes the layout does not serve the old PDFs."""
    digest = hashlib.sha256()
    for name in PDF_TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:16]


def pdf_cache_key(assessment: Assessment) -> str:
    """The cache key of a return's results PDF: a digest of everything the PDF shows, so that any change makes a
    new key (nothing needs deleting, and no reader ever gets a stale or wrong-language PDF).

    - the results: the stored results' time of computation, and the last save and number of the answers and
      satisfaction answers (a provisional return whose answers moved is scored in memory: a new key too);
    - the return: its status and version (every status change), acceptance date, framework version (wording and
      labels are frozen with it), the local government's names and type, the round's name and year;
    - how it is printed: the language (the PDF is always Thai), Thai or Arabic digits (the visitor's cookie or
      the site default), the day printed on (dates are Buddhist-era, always), and the templates.
    - the online survey's counts (added to the paper counts).
    Four small queries: `assessment` comes with its round, framework, local government and province.
    """
    # Unscoped: peer percentiles of final results, or the public permalink of a final return.
    score = ReturnScore.objects.unscoped().filter(assessment=assessment).values_list("pk", "computed_at").first()
    answers = assessment.answers.aggregate(last=Max("updated_at"), count=Count("pk"))
    satisfaction = assessment.satisfaction_answers.aggregate(last=Max("updated_at"), count=Count("pk"))
    online = extra_satisfaction([assessment.pk]).get(assessment.pk, [])  # the online survey's counts
    lg = assessment.local_government
    with translation.override("th"):
        digits = use_thai_digits()
    shown = (
        assessment.pk,
        assessment.status,
        assessment.version,
        assessment.accepted_at,
        assessment.framework_id,
        assessment.round.name,
        assessment.round.fiscal_year,
        lg.full_name_th,
        lg.type,
        lg.province.name_th if lg.province_id else "",
        score,
        sorted(answers.items()),
        sorted(satisfaction.items()),
        online,
        "th",
        digits,
        timezone.localdate(),
        _pdf_layout(),
    )
    return "reports:pdf:" + hashlib.sha256(repr(shown).encode()).hexdigest()


def cached_results_pdf(assessment: Assessment) -> bytes:
    """The results PDF of a return, rendered once per content (see pdf_cache_key) and then read from the cache.

    The cache is Django's (Redis when several app servers run), never the database: a GET stays a read. When
    the cache does not answer, the PDF is rendered as before.
    """
    key = pdf_cache_key(assessment)
    try:
        data = cache.get(key)
    except Exception:  # a cache outage must not take the PDF down with it
        logger.warning("PDF cache unavailable", exc_info=True)
        data = None
    if data is None:
        data = results_pdf(build_results(assessment, standing=False, previous=False))
        try:
            cache.set(key, data, PDF_CACHE_SECONDS)
        except Exception:
            logger.warning("PDF cache unavailable", exc_info=True)
    return data


# ---------------------------------------------------------------- improvement plan (XLSX)


def _plain(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(_CENT, ROUND_HALF_UP))


# Column widths (characters) of the plan: at least the header's, at most these; long text wraps within them.
PLAN_WIDTH_CAPS = {"wording": 60, "guidance": 70, "text": 30}


def _display_length(value: object) -> int:
    """Characters a value takes across a cell: Thai vowel and tone marks above or below a letter take none."""
    text = str(value)
    longest = max((line for line in text.splitlines() or [""]), key=len)
    return sum(1 for char in longest if unicodedata.category(char) != "Mn")


def improvement_plan_xlsx(results: Results) -> bytes:
    """Every indicator below target with its shortfall and guidance, headers in Thai, and two columns for the
    อปท. to fill in (who is responsible, by when). Dates are real date cells shown in the Buddhist era; the
    columns are sized to their content; the header row is bold, filtered and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    assessment = results.assessment
    workbook = Workbook()
    sheet = workbook.active
    with translation.override("th"):
        sheet.title = _("Improvement plan")[:31]
        sheet.append([neutralise(_("Improvement plan: %(name)s") % {"name": assessment.local_government.full_name_th})])
        sheet.append([neutralise(str(assessment.round))])
        sheet.append([_("Made on"), timezone.localdate()])
        if results.final and assessment.accepted_at:
            sheet.append([_("Results accepted on"), timezone.localdate(assessment.accepted_at)])
        else:
            sheet.append([_("Results"), _("Provisional: not yet accepted")])
        sheet.append([])
        # (header, kind, width cap): kind says how the cells are written and how wide the column may grow.
        columns = [
            (pgettext("assessment area", "Area"), "text", 30),
            (_("Public service"), "text", 30),
            (_("Code"), "code", 10),
            (_("Indicator"), "text", PLAN_WIDTH_CAPS["wording"]),
            (_("Target"), "number", 12),
            (_("Assessment frame (1)"), "number", 14),
            (_("Public service delivered (2)"), "number", 14),
            (_("Achieved"), "number", 12),
            (_("Result"), "text", 24),
            (_("Shortfall"), "number", 12),
            (_("Unit"), "text", 14),
            (_("Guidance"), "text", PLAN_WIDTH_CAPS["guidance"]),
            (_("Responsible"), "text", 24),
            (_("Due date"), "date", 16),
        ]
        sheet.append([title for title, _kind, _cap in columns])
    header_row = sheet.max_row
    sheet["A1"].font = Font(bold=True, size=14)
    for row_number in (3, 4):
        sheet.cell(row=row_number, column=1).font = Font(bold=True)
    made_on = sheet.cell(row=3, column=2)
    made_on.number_format = XLSX_DATE_FORMAT
    if isinstance(sheet.cell(row=4, column=2).value, dt.date):
        sheet.cell(row=4, column=2).number_format = XLSX_DATE_FORMAT
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E3ECF8")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for area in results.areas:
        for mission in area.missions:
            for row in mission.rows:
                if not row.below_target:
                    continue
                record = row.record
                if row.is_yesno:
                    with translation.override("th"):  # the plan is in Thai: the framework's words
                        delivered = assessment.framework.answer_text(record.answer)
                    achieved = delivered
                else:
                    delivered = _plain(record.delivered) if row.is_ratio else record.count
                    achieved = _plain(record.percentage if row.is_ratio else record.value)
                sheet.append(
                    [
                        neutralise(area.name),
                        neutralise(mission.name),
                        neutralise(row.code),
                        neutralise(row.wording),
                        _plain(record.target),
                        _plain(record.base) if row.is_ratio else None,
                        delivered,
                        achieved,
                        neutralise(row.label_text),
                        _plain(record.shortfall),
                        neutralise(row.unit),
                        neutralise(row.guidance),
                        None,
                        None,
                    ]
                )
    last_row = sheet.max_row
    for index, (title, kind, cap) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        values = [sheet.cell(row=r, column=index).value for r in range(header_row + 1, last_row + 1)]
        longest = max([_display_length(v) for v in values if v is not None] + [0])
        header_width = max(_display_length(word) for word in str(title).split())
        sheet.column_dimensions[letter].width = min(max(longest, header_width, 8) + 2, cap)
        for r in range(header_row + 1, last_row + 1):
            cell = sheet.cell(row=r, column=index)
            cell.alignment = Alignment(wrap_text=kind == "text", vertical="top")
            if kind == "number" and isinstance(cell.value, int | float):
                # Whole numbers (counts) without decimals, as on the page; the rest with two.
                cell.number_format = "#,##0" if float(cell.value).is_integer() else "#,##0.00"
            elif kind == "date":
                cell.number_format = XLSX_DATE_FORMAT  # a date typed into it shows in the Buddhist era
    sheet.column_dimensions["A"].width = max(sheet.column_dimensions["A"].width, 20)  # the "Made on" labels
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(last_row, header_row)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
