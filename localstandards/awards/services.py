"""The award score of a round: every final return's stored overall score, ranked within its type over the nation.

One list of `AwardRow`s (`award_rows`, or the frozen list once a national admin froze it: `listed_rows`) becomes
one `core.tables.Table` (`award_table`) that the page, the XLSX and CSV downloads and `manage.py award_scores` all
render, so the three can never disagree. See docs/awards.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments.models import Assessment, AssessmentRound, Status
from localstandards.awards.models import FrozenAwardEntry, FrozenAwardList
from localstandards.core.collation import thai_sort_key
from localstandards.core.tables import Column, Table
from localstandards.core.thaidate import format_datetime
from localstandards.frameworks.models import Framework
from localstandards.registry.models import LocalGovernmentType
from localstandards.registry.scoping import accessible_units

TABLE_KEY = "award-scores"
_TWO_PLACES = Decimal("0.01")
_TYPE_ORDER = {value: index for index, value in enumerate(LocalGovernmentType.values)}


class AwardError(Exception):
    """A refused award action, with a message for the person who tried it."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class NotAllowed(AwardError, PermissionDenied):
    """Only a national administrator may freeze (a PermissionDenied, so an unhandled one is a 403, not a 500)."""


class AlreadyFrozen(AwardError):
    pass


@dataclass(frozen=True)
class AwardRow:
    local_government_id: int
    dla_code: str
    name: str
    district: str
    province: str
    province_id: int
    district_id: int | None
    lg_type: str
    lg_type_label: str
    score: Decimal | None  # the stored value (6 places); ranks compare this, the table shows 2 places
    rank_in_type: int | None
    framework_id: int
    framework_label: str
    formula: str
    assessment_id: int


@dataclass(frozen=True)
class Difference:
    """One change since the list was frozen: "left" (no longer final), "changed" (score, rank or version) or "new"
    (final since); the frozen and current values side by side (None where there is none)."""

    kind: str
    local_government_id: int
    dla_code: str
    name: str
    province: str
    lg_type_label: str
    frozen_score: Decimal | None
    frozen_rank: int | None
    current_score: Decimal | None
    current_rank: int | None
    current_status: str  # the return's status now (an assessments Status value; "" when the return is gone)

    @property
    def status_label(self) -> str:
        return str(dict(Status.choices).get(self.current_status, ""))

    @property
    def label(self) -> str:
        return {
            "left": _("No longer final (reopened)"),
            "changed": _("Score or rank changed"),
            "new": _("Final since the list was frozen"),
        }[self.kind]


# ---------------------------------------------------------------------------------------------------------------
# The rows


def formula_text(score_formula: str, satisfaction_share: Decimal) -> str:
    """The formula a version scores with, for people: its own expression, or the default with its weights."""
    if score_formula.strip():
        return score_formula.strip()
    share = Decimal(satisfaction_share)
    return _("%(indicator)s × indicator score + %(share)s × satisfaction score") % {
        "indicator": _plain(Decimal(1) - share),
        "share": _plain(share),
    }


def _plain(value: Decimal) -> str:
    """0.200 → "0.2", 1.000 → "1" (no exponent)."""
    return format(value.normalize(), "f")


def rank_in_types(scores: Iterable[tuple[int, str, Decimal | None]]) -> dict[int, int | None]:
    """Competition ranking within each type: (key, type, score) → {key: rank}; equal scores share a rank and the
    next rank skips (1, 2, 2, 4); a missing score gets no rank."""
    by_type: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    ranks: dict[int, int | None] = {}
    for key, lg_type, score in scores:
        if score is None:
            ranks[key] = None
        else:
            by_type[lg_type].append((key, score))
    for entries in by_type.values():
        entries.sort(key=lambda entry: entry[1], reverse=True)
        previous, rank = None, 0
        for position, (key, score) in enumerate(entries, start=1):
            if score != previous:
                rank, previous = position, score
            ranks[key] = rank
    return ranks


def _order_key(row: AwardRow) -> tuple:
    # Type order, then rank (no rank last), then the Thai name.
    return (
        _TYPE_ORDER.get(row.lg_type, len(_TYPE_ORDER)),
        row.rank_in_type is None,
        row.rank_in_type or 0,
        thai_sort_key(row.name),
        row.local_government_id,
    )


# What a row shows of its อปท., read with the row (the current rows and the frozen ones alike).
LOCAL_GOVERNMENT_FIELDS = {
    "dla_code": F("local_government__dla_code"),
    "name": F("local_government__name_th"),
    "province_id": F("local_government__province_id"),
    "province": F("local_government__province__name_th"),
    "district_id": F("local_government__district_id"),
    "district": F("local_government__district__name_th"),
}


def award_rows(assessment_round: AssessmentRound, user=None) -> list[AwardRow]:
    """Every final return of the round with its stored score and its rank within its type over the whole nation;
    only the rows `user` may see (None: every row, for the command and the committee report). Two queries."""
    records = list(
        # Unscoped: ranks are national, so every final return counts; the rows returned are narrowed to `user` below.
        Assessment.objects.unscoped()
        .filter(round=assessment_round, status__in=Status.FINAL)
        .values(
            "pk",
            "framework_id",
            "local_government_id",
            score_value=F("score__score"),
            scored_framework_id=F("score__framework_id"),
            lg_type=F("local_government__type"),
            **LOCAL_GOVERNMENT_FIELDS,
        )
    )
    ranks = rank_in_types((record["pk"], record["lg_type"], record["score_value"]) for record in records)
    if user is not None and not accessible_units(user).nation:
        visible = set(
            Assessment.objects.for_user(user)
            .filter(round=assessment_round, status__in=Status.FINAL)
            .values_list("pk", flat=True)
        )
        records = [record for record in records if record["pk"] in visible]
    # The version the stored score was computed against; a final return not scored yet shows its own version.
    versions = _versions({record["scored_framework_id"] or record["framework_id"] for record in records})
    types = _type_labels()
    rows = [
        _row(
            record,
            types,
            versions,
            score=record["score_value"],
            rank=ranks[record["pk"]],
            framework_id=record["scored_framework_id"] or record["framework_id"],
            assessment_id=record["pk"],
        )
        for record in records
    ]
    rows.sort(key=_order_key)
    return rows


def _row(record: dict, types: dict, versions: dict, *, score, rank, framework_id: int, assessment_id: int) -> AwardRow:
    """One row of the table from a record read with LOCAL_GOVERNMENT_FIELDS (current or frozen alike)."""
    label, formula = versions[framework_id]
    return AwardRow(
        local_government_id=record["local_government_id"],
        dla_code=record["dla_code"] or "",
        name=record["name"],
        district=record["district"] or "",
        province=record["province"],
        province_id=record["province_id"],
        district_id=record["district_id"],
        lg_type=record["lg_type"],
        lg_type_label=types.get(record["lg_type"], record["lg_type"]),
        score=score,
        rank_in_type=rank,
        framework_id=framework_id,
        framework_label=label,
        formula=formula,
        assessment_id=assessment_id,
    )


def _versions(ids: set[int]) -> dict[int, tuple[str, str]]:
    """{framework id: (label, formula text)} for the few versions a round's returns use (one query)."""
    return {
        framework.pk: (str(framework), formula_text(framework.score_formula, framework.satisfaction_share))
        for framework in Framework.objects.filter(pk__in=ids).only(
            "name", "version", "score_formula", "satisfaction_share"
        )
    }


def _type_labels() -> dict[str, str]:
    # Looked up once, not per row (get_..._display rebuilds its choices each call).
    return {value: str(label) for value, label in LocalGovernmentType.choices}


def frozen_rows(award_list: FrozenAwardList, user=None) -> list[AwardRow]:
    """The frozen list as rows (names from the registry as they are now; score, rank and version as frozen)."""
    # Unscoped: ranks are national, so every final return counts; the rows returned are narrowed to `user` below.
    entries = FrozenAwardEntry.objects.unscoped().filter(award_list=award_list)
    if user is not None:
        entries = entries.for_user(user)
    records = list(
        entries.values(
            "assessment_id",
            "score",
            "rank_in_type",
            "lg_type",
            "framework_id",
            "local_government_id",
            **LOCAL_GOVERNMENT_FIELDS,
        )
    )
    versions = _versions({record["framework_id"] for record in records})
    types = _type_labels()
    rows = [
        _row(
            record,
            types,
            versions,
            score=record["score"],
            rank=record["rank_in_type"],
            framework_id=record["framework_id"],
            assessment_id=record["assessment_id"],
        )
        for record in records
    ]
    rows.sort(key=_order_key)
    return rows


def frozen_list(assessment_round: AssessmentRound) -> FrozenAwardList | None:
    return FrozenAwardList.objects.filter(round=assessment_round).select_related("frozen_by").first()


def listed_rows(assessment_round: AssessmentRound, user=None) -> tuple[list[AwardRow], FrozenAwardList | None]:
    """What the award table shows: the frozen list once there is one, else the current rows; and the frozen list."""
    award_list = frozen_list(assessment_round)
    if award_list is not None:
        return frozen_rows(award_list, user), award_list
    return award_rows(assessment_round, user), None


# ---------------------------------------------------------------------------------------------------------------
# The table every output renders


def shown_score(score: Decimal | None) -> Decimal | None:
    """The score as the table shows it: 2 places, half up (the rank was decided on the stored value)."""
    return None if score is None else score.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def award_table(rows: Iterable[AwardRow], assessment_round: AssessmentRound | None = None, award_list=None) -> Table:
    """The award table: one row per final return, in the order of `rows`."""
    title = _("Award scores")
    if assessment_round is not None:
        title = _("Award scores: %(round)s") % {"round": assessment_round.name}
    notes = [
        _("From final (accepted) returns only. Rank within the type over the whole country; equal scores share a rank.")
    ]
    if award_list is not None:
        notes.append(
            _("Frozen on %(when)s by %(who)s.")
            % {"when": format_datetime(award_list.frozen_at, digits=False), "who": _person(award_list.frozen_by)}
        )
    elif assessment_round is not None:
        notes.append(_("Not frozen: the list follows the returns as they change."))
    return Table(
        key=TABLE_KEY,
        title=title,
        columns=[
            Column(_("Rank in type"), "int", 8),
            Column(_("DLA code"), "text", 10),
            Column(_("Local government"), "text", 30),
            Column(_("Type"), "text", 24),
            Column(_("District"), "text", 18),
            Column(_("Province"), "text", 16),
            Column(_("Score"), "decimal", 9),
            Column(_("Framework version"), "text", 30),
            Column(_("Formula"), "text", 50),
        ],
        rows=[
            [
                row.rank_in_type,
                row.dla_code,
                row.name,
                row.lg_type_label,
                row.district,
                row.province,
                shown_score(row.score),
                row.framework_label,
                row.formula,
            ]
            for row in rows
        ],
        notes=notes,
    )


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "—"


def score_distribution(rows: Iterable[AwardRow], width: int = 10) -> list[tuple[str, int]]:
    """How many scores fall in each band of `width` points: "0–10", …, "90–100" (a band holds its lower bound; 100
    falls in the last band). Rows without a score are not counted."""
    if width <= 0 or 100 % width:
        raise ValueError("width must divide 100")
    bands = 100 // width
    counts = [0] * bands
    for row in rows:
        if row.score is None:
            continue
        index = min(int(row.score // width), bands - 1)
        counts[max(index, 0)] += 1
    return [(f"{i * width}–{(i + 1) * width}", counts[i]) for i in range(bands)]


# ---------------------------------------------------------------------------------------------------------------
# Freezing and the differences since


def freeze(assessment_round: AssessmentRound, user) -> FrozenAwardList:
    """A national admin freezes the round's award list (once): the current rows and ranks, over the nation.

    Audited: the list keeps its history (django-simple-history) with who froze it and when."""
    if user is None or not user.is_national_admin:
        raise NotAllowed(_("Only a national administrator can freeze the award list."))
    try:
        with transaction.atomic():
            # One freeze at a time per round: the second waits here, then finds the list (PostgreSQL).
            AssessmentRound.objects.select_for_update().filter(pk=assessment_round.pk).first()
            if FrozenAwardList.objects.filter(round=assessment_round).exists():
                raise AlreadyFrozen(_("The award list of this round is already frozen."))
            rows = award_rows(assessment_round)
            if not rows:
                raise AwardError(_("There are no final returns in this round yet: there is nothing to freeze."))
            award_list = FrozenAwardList(
                round=assessment_round, frozen_by=user, frozen_at=timezone.now(), entries_count=len(rows)
            )
            award_list._history_user = user
            award_list.save()
            FrozenAwardEntry.objects.bulk_create(
                [
                    FrozenAwardEntry(
                        award_list=award_list,
                        local_government_id=row.local_government_id,
                        assessment_id=row.assessment_id,
                        framework_id=row.framework_id,
                        lg_type=row.lg_type,
                        score=row.score,
                        rank_in_type=row.rank_in_type,
                    )
                    for row in rows
                ],
                batch_size=2000,
            )
    except IntegrityError as error:  # another admin froze it between the check and the insert
        raise AlreadyFrozen(_("The award list of this round is already frozen.")) from error
    return award_list


def differences(assessment_round: AssessmentRound, user=None) -> list[Difference]:
    """The frozen list compared with the current rows (only those `user` may see): entries no longer final, entries
    whose score, rank or framework version changed, and final returns that are not in the frozen list. Empty when
    the list is not frozen."""
    award_list = frozen_list(assessment_round)
    if award_list is None:
        return []
    frozen = {row.local_government_id: row for row in frozen_rows(award_list, user)}
    current = {row.local_government_id: row for row in award_rows(assessment_round, user)}
    statuses = dict(
        # Unscoped: ranks are national, so every final return counts; the rows returned are narrowed to `user` below.
        Assessment.objects.unscoped()
        .filter(round=assessment_round, local_government_id__in=frozen.keys() - current.keys())
        .values_list("local_government_id", "status")
    )
    found: list[tuple[AwardRow, Difference]] = []
    for lg_id, old in frozen.items():
        new = current.get(lg_id)
        if new is None:
            found.append((old, _difference("left", old, None, statuses.get(lg_id, ""))))
        elif (old.score, old.rank_in_type, old.framework_id) != (new.score, new.rank_in_type, new.framework_id):
            found.append((old, _difference("changed", old, new, Status.ACCEPTED)))
    for lg_id, new in current.items():
        if lg_id not in frozen:
            found.append((new, _difference("new", None, new, Status.ACCEPTED)))
    found.sort(key=lambda pair: _order_key(pair[0]))
    return [difference for _row, difference in found]


def _difference(kind: str, old: AwardRow | None, new: AwardRow | None, status: str) -> Difference:
    row = old or new
    assert row is not None
    return Difference(
        kind=kind,
        local_government_id=row.local_government_id,
        dla_code=row.dla_code,
        name=row.name,
        province=row.province,
        lg_type_label=row.lg_type_label,
        frozen_score=old.score if old else None,
        frozen_rank=old.rank_in_type if old else None,
        current_score=new.score if new else None,
        current_rank=new.rank_in_type if new else None,
        current_status=status,
    )
