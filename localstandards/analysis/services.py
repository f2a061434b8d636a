"""National results as pages, exports and the committee report read them: scoped, from the stored aggregates.

Who sees what (docs/national-results.md): a unit's aggregate page opens for users whose scope covers the unit, and
the national totals open for every officer who follows progress (a provincial or district officer compares with
the nation). The breakdown of a unit into its children (regions, provinces, districts, อปท.) lists only children
in the viewer's scope, so a provincial officer never sees another province's figures; the map needs the nation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from localstandards.analysis.models import AggregateCell, ItemKind, Level, RoundAnalysis
from localstandards.assessments.models import Assessment, AssessmentRound, Status
from localstandards.core.collation import thai_sort_key
from localstandards.core.tables import Column, Table
from localstandards.frameworks.models import LabelKey, fill_wording
from localstandards.frameworks.services import frozen_tree
from localstandards.registry.models import (
    TYPE_SHORT_LABELS,
    District,
    LocalGovernmentType,
    Province,
    Region,
)
from localstandards.registry.scoping import UnitScope, accessible_units
from localstandards.scoring.models import AreaScore, IndicatorResultRecord, ReturnScore

HUNDRED = Decimal(100)
CHILD_LEVEL = {Level.NATION: Level.REGION, Level.REGION: Level.PROVINCE, Level.PROVINCE: Level.DISTRICT}


def share(part: int, whole: int) -> Decimal | None:
    return None if not whole else Decimal(part) * HUNDRED / Decimal(whole)


# ---------------------------------------------------------------- units and who may open them


@dataclass(frozen=True)
class Unit:
    level: str
    code: str  # "" for the nation
    name: str
    province: Province | None = None
    district: District | None = None

    @property
    def url_code(self) -> str:
        return self.code or "all"


def may_follow(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.follows_progress)


def unit_for(user, level: str, code: str) -> Unit:
    """The unit an analysis page is about, or 404 when it does not exist or is outside the viewer's scope."""
    if not may_follow(user) or level not in Level.values:
        raise Http404
    scope = accessible_units(user)
    if level == Level.NATION:
        return Unit(Level.NATION, "", _("Whole country"))
    if level == Level.REGION:
        if code not in Region.values or not scope.nation:
            raise Http404
        return Unit(Level.REGION, code, str(Region(code).label))
    if level == Level.PROVINCE:
        province = Province.objects.for_user(user).filter(code=code).first()
        if province is None:
            raise Http404
        return Unit(Level.PROVINCE, code, _("Province %(name)s") % {"name": province.name_th}, province=province)
    district = District.objects.for_user(user).select_related("province").filter(code=code).first()
    if district is None:
        raise Http404
    return Unit(
        Level.DISTRICT,
        code,
        _("District %(name)s") % {"name": district.name_th},
        province=district.province,
        district=district,
    )


def top_unit(user) -> tuple[str, str] | None:
    """Where the analysis opens for a user: the nation for everyone who follows progress (their own unit is one
    click away, in the breakdown or the breadcrumbs)."""
    return (Level.NATION, "all") if may_follow(user) else None


def own_units(user) -> list[Unit]:
    """The user's own provinces and districts, for the links from the national page."""
    scope = accessible_units(user)
    if scope.nation:
        return []
    units = [
        Unit(Level.PROVINCE, p.code, _("Province %(name)s") % {"name": p.name_th})
        for p in Province.objects.filter(pk__in=scope.province_ids)
    ]
    units += [
        Unit(Level.DISTRICT, d.code, _("District %(name)s") % {"name": d.name_th})
        for d in District.objects.filter(pk__in=scope.district_ids)
    ]
    return units


def breadcrumbs(unit: Unit, scope: UnitScope) -> list[tuple[str, str, str]]:
    """(label, level, code) from the nation down to the parent of the unit, only through units the user may open."""
    crumbs = [(str(_("Whole country")), Level.NATION, "all")]
    province = unit.province
    if province is not None:
        if scope.nation:
            crumbs.append((str(Region(province.region).label), Level.REGION, province.region))
        if unit.level == Level.DISTRICT and scope.covers_province(province.pk):
            crumbs.append((province.name_th, Level.PROVINCE, province.code))
    return crumbs


# ---------------------------------------------------------------- the framework's items


@dataclass(frozen=True)
class Item:
    kind: str
    code: str
    name: str
    depth: int  # 0 area, 1 mission, 2 indicator
    unit: str = ""
    indicator_kind: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code}"


def framework_items(assessment_round: AssessmentRound) -> list[Item]:
    """Areas, their missions and indicators in the framework's order (the round's version names them)."""
    tree = frozen_tree(assessment_round.framework)
    items: list[Item] = []
    for area in tree.areas.all():
        items.append(Item(ItemKind.AREA, area.code, f"{area.code} {area.name}", 0))
        for mission in area.missions.all():
            items.append(Item(ItemKind.MISSION, mission.code, f"{mission.code} {mission.name}", 1))
            for indicator in mission.indicators.all():
                items.append(
                    Item(
                        ItemKind.INDICATOR,
                        indicator.code,
                        f"{indicator.code} {fill_wording(indicator.wording, None)}",
                        2,
                        unit=indicator.result_unit,
                        indicator_kind=indicator.kind,
                    )
                )
    return items


SCORE_ITEM = Item(ItemKind.SCORE, "", "", 0)


def chosen_item(assessment_round: AssessmentRound, key: str | None) -> Item:
    """The item a breakdown and map show (`?item=kind:code`); the overall score when absent or unknown."""
    if key:
        for item in framework_items(assessment_round):
            if item.key == key:
                return item
    return SCORE_ITEM


# ---------------------------------------------------------------- figures of one unit


@dataclass
class Figures:
    """One cell as a page shows it (all zero / None when no final return counts there)."""

    cell: AggregateCell | None

    def __getattr__(self, name: str):
        if name.startswith("_") or name == "cell":
            raise AttributeError(name)
        return getattr(self.cell, name) if self.cell is not None else (None if name in _NULLABLE else 0)

    @property
    def share_met(self) -> Decimal | None:
        return None if self.cell is None else share(self.cell.met, self.cell.applicable)

    @property
    def has_values(self) -> bool:
        return self.cell is not None and self.cell.values > 0


_NULLABLE = {"q1", "median", "q3", "mean", "shortfall"}


@dataclass
class ItemFigures:
    item: Item
    figures: Figures


@dataclass
class ChildRow:
    level: str
    code: str
    name: str
    figures: Figures
    url_level: str | None  # the page it drills down to (None: a local government's results, by assessment_id)
    assessment_id: int | None = None


@dataclass
class Dashboard:
    round: AssessmentRound
    unit: Unit
    lg_type: str
    item: Item
    analysis: RoundAnalysis | None
    final_returns: int
    not_final_returns: int
    score: Figures
    items: list[ItemFigures]
    by_type: list[tuple[str, str, Figures]]  # (type code, label, figures of the chosen item)
    children: list[ChildRow] = field(default_factory=list)
    child_level: str | None = None
    map_values: dict[str, Decimal | None] = field(default_factory=dict)  # province code → share met (nation only)

    @property
    def breakdown_labels(self) -> bool:
        """Counts per label mean something in the breakdown for an item, and for the อปท. of a district (their
        indicators by label); not for the overall score of units."""
        return bool(self.item.code) or self.child_level is None


def _cells(assessment_round, level, code, lg_type) -> dict[tuple[str, str], AggregateCell]:
    rows = AggregateCell.objects.filter(round=assessment_round, level=level, code=code, lg_type=lg_type)
    return {(cell.item_kind, cell.item_code): cell for cell in rows}


def _returns_in(assessment_round, unit: Unit, lg_type: str):
    # Unscoped: counts of a unit the view has checked against the user's scope.
    returns = Assessment.objects.unscoped().filter(round=assessment_round)
    if unit.level == Level.REGION:
        returns = returns.filter(local_government__province__region=unit.code)
    elif unit.level == Level.PROVINCE:
        returns = returns.filter(local_government__province__code=unit.code)
    elif unit.level == Level.DISTRICT:
        returns = returns.filter(local_government__district__code=unit.code)
    if lg_type:
        returns = returns.filter(local_government__type=lg_type)
    return returns


def _children(user, assessment_round, unit: Unit, lg_type: str, item: Item) -> tuple[str | None, list[ChildRow]]:
    scope = accessible_units(user)
    child_level = CHILD_LEVEL.get(unit.level)
    if child_level is None:
        return None, _local_governments(user, assessment_round, unit, lg_type)
    if child_level == Level.REGION:
        if not scope.nation:
            return child_level, []
        units = [(value, str(label)) for value, label in Region.choices]
    elif child_level == Level.PROVINCE:
        units = list(Province.objects.for_user(user).filter(region=unit.code).values_list("code", "name_th"))
    else:
        units = list(District.objects.for_user(user).filter(province__code=unit.code).values_list("code", "name_th"))
    cells = {
        cell.code: cell
        for cell in AggregateCell.objects.filter(
            round=assessment_round,
            level=child_level,
            code__in=[code for code, _name in units],
            lg_type=lg_type,
            item_kind=item.kind,
            item_code=item.code,
        )
    }
    if child_level != Level.REGION:
        units.sort(key=lambda pair: thai_sort_key(pair[1]))
    rows = [ChildRow(child_level, code, name, Figures(cells.get(code)), child_level) for code, name in units]
    return child_level, rows


class _LocalGovernmentCell:
    """One อปท.'s figures for the chosen item, shaped like a cell (one return: counts of 0 or 1)."""

    def __init__(self, **values) -> None:
        self.__dict__.update(values)


def _local_governments(user, assessment_round, unit: Unit, lg_type: str) -> list[ChildRow]:
    """The final returns of a district with their overall score (the district page's breakdown)."""
    scores = (
        ReturnScore.objects.for_user(user)
        .filter(
            assessment__round=assessment_round,
            assessment__status__in=Status.FINAL,
            assessment__local_government__district__code=unit.code,
        )
        .select_related("assessment__local_government")
    )
    if lg_type:
        scores = scores.filter(assessment__local_government__type=lg_type)
    rows = []
    for score in scores:
        lg = score.assessment.local_government
        cell = _LocalGovernmentCell(
            returns=1,
            scored=score.scored,
            applicable=score.applicable,
            met=score.met,
            above=score.above,
            meets=score.meets,
            develop=score.develop,
            no_service=score.no_service,
            not_done=score.not_done,
            values=1 if score.score is not None else 0,
            q1=score.score,
            median=score.score,
            q3=score.score,
            mean=score.score,
            shortfall=None,
        )
        rows.append(ChildRow("lg", lg.dla_code or "", lg.full_name_th, Figures(cell), None, score.assessment_id))
    rows.sort(key=lambda row: thai_sort_key(row.name))
    return rows


def dashboard(user, assessment_round: AssessmentRound, unit: Unit, lg_type: str, item_key: str | None) -> Dashboard:
    lg_type = lg_type if lg_type in LocalGovernmentType.values else ""
    item = chosen_item(assessment_round, item_key)
    cells = _cells(assessment_round, unit.level, unit.code, lg_type)
    items = [ItemFigures(i, Figures(cells.get((i.kind, i.code)))) for i in framework_items(assessment_round)]
    counts = _returns_in(assessment_round, unit, lg_type).aggregate(
        final=Count("pk", filter=Q(status__in=Status.FINAL)), total=Count("pk")
    )
    by_type_cells = {
        cell.lg_type: cell
        for cell in AggregateCell.objects.filter(
            round=assessment_round, level=unit.level, code=unit.code, item_kind=item.kind, item_code=item.code
        ).exclude(lg_type="")
    }
    by_type = [
        (value, str(TYPE_SHORT_LABELS.get(value, label)), Figures(by_type_cells[value]))
        for value, label in LocalGovernmentType.choices
        if value in by_type_cells
    ]
    child_level, children = _children(user, assessment_round, unit, lg_type, item)
    map_values = {}
    if unit.level in (Level.NATION, Level.REGION) and accessible_units(user).nation:
        for cell in AggregateCell.objects.filter(
            round=assessment_round, level=Level.PROVINCE, lg_type=lg_type, item_kind=item.kind, item_code=item.code
        ):
            map_values[cell.code] = share(cell.met, cell.applicable)
    return Dashboard(
        round=assessment_round,
        unit=unit,
        lg_type=lg_type,
        item=item,
        analysis=RoundAnalysis.objects.filter(round=assessment_round).first(),
        final_returns=counts["final"],
        not_final_returns=counts["total"] - counts["final"],
        score=Figures(cells.get((ItemKind.SCORE, ""))),
        items=items,
        by_type=by_type,
        children=children,
        child_level=child_level,
        map_values=map_values,
    )


# ---------------------------------------------------------------- the same figures as tables (XLSX, the report)


def _figure_columns() -> list[Column]:
    return [
        Column(_("Final returns"), "int", 10),
        Column(_("Meeting the target %"), "percent", 12),
        Column(_("Above the target"), "int", 10),
        Column(_("Meets the minimum target"), "int", 10),
        Column(_("To develop"), "int", 10),
        Column(_("No such public service"), "int", 10),
        Column(_("Not done in the fiscal year"), "int", 10),
        Column(_("Lower quartile"), "decimal", 10),
        Column(_("Median"), "decimal", 10),
        Column(_("Upper quartile"), "decimal", 10),
        Column(_("Total shortfall"), "decimal", 12),
        Column(_("Unit"), "text", 12),
    ]


def _figure_values(figures: Figures, unit: str = "") -> list:
    return [
        figures.returns,
        figures.share_met,
        figures.above,
        figures.meets,
        figures.develop,
        figures.no_service,
        figures.not_done,
        figures.q1,
        figures.median,
        figures.q3,
        figures.shortfall,
        unit,
    ]


def items_table(board: Dashboard) -> Table:
    return Table(
        key="items",
        title=_("Results by area, mission and indicator: %(unit)s") % {"unit": board.unit.name},
        columns=[Column(_("Item"), "text", 60), *_figure_columns()],
        rows=[[row.item.name, *_figure_values(row.figures, row.item.unit)] for row in board.items],
        notes=notes(board),
    )


def by_type_table(board: Dashboard) -> Table:
    return Table(
        key="by-type",
        title=_("By type of local government: %(item)s") % {"item": item_name(board.item)},
        columns=[Column(_("Type"), "text", 20), *_figure_columns()],
        rows=[[label, *_figure_values(figures, board.item.unit)] for _code, label, figures in board.by_type],
        notes=notes(board),
    )


def children_table(board: Dashboard) -> Table:
    return Table(
        key="breakdown",
        title=_("Breakdown: %(item)s") % {"item": item_name(board.item)},
        columns=[Column(_("Unit"), "text", 30), *_figure_columns()],
        rows=[[row.name, *_figure_values(row.figures, board.item.unit)] for row in board.children],
        notes=notes(board),
    )


def item_name(item: Item) -> str:
    return item.name or str(_("Overall score"))


def notes(board: Dashboard) -> list[str]:
    lines = [
        _("Only final (accepted) returns are counted: %(final)s final, %(other)s not yet counted.")
        % {"final": board.final_returns, "other": board.not_final_returns},
        _(
            "Meeting the target % = results above or meeting the target ÷ results labelled above, meets, to develop "
            "or not done × 100. Quartiles: linear interpolation (Excel QUARTILE.INC)."
        ),
    ]
    if board.lg_type:
        lines.append(_("Type: %(type)s") % {"type": LocalGovernmentType(board.lg_type).label})
    return lines


def dashboard_tables(board: Dashboard) -> list[Table]:
    return [items_table(board), by_type_table(board), children_table(board)]


# ---------------------------------------------------------------- round over round


@dataclass
class Change:
    item: Item
    before_met: int
    before_applicable: int
    after_met: int
    after_applicable: int

    @property
    def before(self) -> Decimal | None:
        return share(self.before_met, self.before_applicable)

    @property
    def after(self) -> Decimal | None:
        return share(self.after_met, self.after_applicable)

    @property
    def change(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class Comparison:
    before: AssessmentRound
    after: AssessmentRound
    unit: Unit
    cohort: int  # อปท. with a final return in both rounds, in the unit and the viewer's scope
    changes: list[Change]


def comparable_rounds(assessment_round: AssessmentRound) -> list[AssessmentRound]:
    return list(AssessmentRound.objects.exclude(pk=assessment_round.pk).order_by("-fiscal_year", "-opens_on"))


def _unit_filter(unit: Unit, path: str) -> Q:
    if unit.level == Level.REGION:
        return Q(**{f"{path}province__region": unit.code})
    if unit.level == Level.PROVINCE:
        return Q(**{f"{path}province__code": unit.code})
    if unit.level == Level.DISTRICT:
        return Q(**{f"{path}district__code": unit.code})
    return Q()


def compare(user, after: AssessmentRound, before: AssessmentRound, unit: Unit, lg_type: str = "") -> Comparison:
    """Per area and indicator (matched by code), the share meeting the target in both rounds, over the อปท. with a
    final return in both, in the unit and in the viewer's scope (a provincial officer's nation is their province's
    cohort only when they open their province: the national page compares the national cohort, in aggregate)."""
    lg_path = "assessment__local_government__"
    final_before = Assessment.objects.filter(round=before, status__in=Status.FINAL).values("local_government_id")
    cohort = (
        # Unscoped: counts of a unit the view has checked against the user's scope.
        Assessment.objects.unscoped()
        .filter(round=after, status__in=Status.FINAL, local_government_id__in=final_before)
        .filter(_unit_filter(unit, "local_government__"))
        .filter(Q(local_government__type=lg_type) if lg_type else Q())
    )
    cohort_lgs = cohort.values("local_government_id")
    counted: dict[tuple[str, str, int], list[int]] = {}
    # An indicator result counts once (met / applicable are booleans); an area score carries its counts.
    sums = {
        IndicatorResultRecord: {
            "met_count": Count("pk", filter=Q(met=True)),
            "applicable_count": Count("pk", filter=Q(applicable=True)),
        },
        AreaScore: {"met_count": Sum("met"), "applicable_count": Sum("applicable")},
    }
    for model, kind, code_field in (
        (IndicatorResultRecord, ItemKind.INDICATOR, "indicator__code"),
        (AreaScore, ItemKind.AREA, "area__code"),
    ):
        for round_obj in (before, after):
            rows = (
                # Unscoped: counts of a unit the view has checked against the user's scope.
                model.objects.unscoped()
                .filter(
                    assessment__round=round_obj,
                    assessment__status__in=Status.FINAL,
                    **{f"{lg_path}id__in": cohort_lgs},
                )
                .values(code_field)
                .annotate(**sums[model])
            )
            for row in rows:
                counted[(kind, row[code_field], round_obj.pk)] = [row["met_count"] or 0, row["applicable_count"] or 0]
    changes = []
    for item in framework_items(after):
        if item.kind == ItemKind.MISSION:
            continue
        before_counts = counted.get((item.kind, item.code, before.pk), [0, 0])
        after_counts = counted.get((item.kind, item.code, after.pk), [0, 0])
        changes.append(Change(item, *before_counts, *after_counts))
    return Comparison(before, after, unit, cohort.count(), changes)


def comparison_table(comparison: Comparison) -> Table:
    return Table(
        key="round-over-round",
        title=_("%(after)s compared with %(before)s: %(unit)s")
        % {"after": comparison.after.name, "before": comparison.before.name, "unit": comparison.unit.name},
        columns=[
            Column(_("Item"), "text", 60),
            Column(_("Meeting the target % (before)"), "percent", 14),
            Column(_("Meeting the target % (after)"), "percent", 14),
            Column(_("Change (points)"), "percent", 12),
        ],
        rows=[[c.item.name, c.before, c.after, c.change] for c in comparison.changes],
        notes=[
            _("Counted: %(n)s local governments with a final return in both rounds; items matched by code.")
            % {"n": comparison.cohort}
        ],
    )


def local_government_changes(before_id: int, after_id: int) -> list[tuple[str, str, str, str]]:
    """One อปท.'s indicators in two rounds: (code, wording, label before, label after), matched by code."""
    labels: dict[str, dict[int, str]] = {}
    names: dict[str, str] = {}
    for assessment_id, code, wording, label in (
        # Unscoped: counts of a unit the view has checked against the user's scope.
        IndicatorResultRecord.objects.unscoped()
        .filter(assessment_id__in=[before_id, after_id])
        .values_list("assessment_id", "indicator__code", "indicator__wording", "label")
    ):
        labels.setdefault(code, {})[assessment_id] = label
        names.setdefault(code, wording)

    def text(label: str | None) -> str:
        return str(LabelKey(label).label) if label else ""

    return [
        (code, fill_wording(names[code], None), text(labels[code].get(before_id)), text(labels[code].get(after_id)))
        for code in sorted(labels)
    ]
