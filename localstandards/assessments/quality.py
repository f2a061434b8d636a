"""Data-quality checks on the base (1) of ratio indicators; the rules are documented in docs/data-quality.md.

- previous_round: the base changed by more than 50 % from the same อปท.'s latest earlier return that reported
  the same indicator code (any submitted return).
- peer_outlier: base per km² of the อปท.'s area (registry) far from the other returns of the same round and the
  same type: robust z-score 0.6745 × (x − median) ÷ MAD beyond ±3.5, computed only with at least 5 peers and a
  MAD above zero; areas missing or implausible in the registry are left out.
Flags are recomputed on submission and by `manage.py check_quality ROUND`; a reviewer marks a flag checked with
a comment, and a checked flag keeps its mark while the value it was raised for stays the same.

At national scale a type has thousands of returns (5,300 SAOs × 28 ratio indicators), so the peers are not
reloaded on each submission: `PeerStatistics` keeps, per round, type and indicator, the few order statistics that
give the median and the MAD of the peers with any one return left out (`PeerSummary`), exactly the numbers the
whole list would give. `refresh_round` (the command) rebuilds them and every flag of the round from a few bulk
queries; a submission reads them in one query (types with few returns are computed from the data instead).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import batched
from statistics import median

from django.db import transaction
from django.db.models import Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments.models import (
    Answer,
    Assessment,
    AssessmentRound,
    PeerStatistics,
    QualityFlag,
    Status,
)
from localstandards.assessments.permissions import Action, may
from localstandards.frameworks.models import Kind
from localstandards.registry.models import MAX_PLAUSIBLE_AREA_KM2

CHANGE_LIMIT = Decimal("0.5")
Z_LIMIT = Decimal("3.5")
MIN_PEERS = 5
SUBMITTED_STATES = tuple(status for status in Status.values if status != Status.DRAFT)  # submitted at least once
# Peers of a type with at most this many submitted returns are read from the data on each submission (a few
# thousand numbers); above it, from the snapshot (PeerStatistics).
INLINE_LIMIT = 100
# A snapshot is refreshed (in the background) once it is older than this; one taken when the type was small is also
# refreshed once the number of its submitted returns has moved by more than DRIFT (one more peer in thousands
# barely moves a median, so a large type's submissions do not count their peers).
MAX_AGE = dt.timedelta(minutes=15)
DRIFT = Decimal("0.02")
_IN_BATCH = 500  # ids per IN (…) in the bulk queries (SQLite's variable limit)

FlagKey = tuple[int, str]  # (indicator id, kind)
FlagValues = tuple[Decimal, Decimal, Decimal]  # (value, reference, score)


def robust_z(value: Decimal, others: list[Decimal]) -> Decimal | None:
    """0.6745 × (value − median) ÷ MAD over `others` (Iglewicz & Hoaglin); None without enough spread."""
    if len(others) < MIN_PEERS:
        return None
    middle = median(others)
    mad = median([abs(x - middle) for x in others])
    if mad == 0:
        return None
    return Decimal("0.6745") * (value - middle) / mad


def _density(answer_base: Decimal, area) -> Decimal | None:
    if area is None or area <= 0 or area > MAX_PLAUSIBLE_AREA_KM2:
        return None
    return answer_base / area


# ---------------------------------------------------------------- order statistics with one member left out


@dataclass(frozen=True)
class Window:
    """The middle of a sorted list of n numbers: values[i] is item start + i. Enough for the median of the list
    and of the list with any one item left out (items (n − 2) // 2 … (n − 1) // 2 + 1)."""

    n: int
    start: int
    values: tuple[Decimal, ...]

    @classmethod
    def of(cls, ordered: list[Decimal]) -> Window:
        n = len(ordered)
        start = max(0, (n - 2) // 2)
        return cls(n, start, tuple(ordered[start : (n - 1) // 2 + 2]))

    def __getitem__(self, index: int) -> Decimal:
        if not 0 <= index - self.start < len(self.values):
            raise IndexError(index)
        return self.values[index - self.start]

    def median(self, without: Decimal | None = None) -> Decimal:
        """statistics.median of the list, or of the list with one item equal to `without` left out.

        Left out, item j of the shorter list is item j of the whole one while `without` sorts after it, else
        item j + 1 (for an item equal to `without`, either reading gives the same number)."""
        if without is None:
            return _median_of_sorted(self.__getitem__, self.n)
        return _median_of_sorted(lambda j: self[j] if without > self[j] else self[j + 1], self.n - 1)

    def to_json(self) -> dict:
        return {"start": self.start, "values": [str(v) for v in self.values]}

    @classmethod
    def from_json(cls, n: int, data: dict) -> Window:
        return cls(n, data["start"], tuple(Decimal(v) for v in data["values"]))


def _median_of_sorted(item: Callable[[int], Decimal], n: int) -> Decimal:
    """statistics.median over a sorted sequence given by `item`, the same arithmetic (so the same Decimal)."""
    if n % 2 == 1:
        return item(n // 2)
    i = n // 2
    return (item(i - 1) + item(i)) / 2


@dataclass(frozen=True)
class PeerSummary:
    """The densities of one group (round, type, indicator): the middle of their sorted list, and for each median
    the group can have with at most one member left out, the middle of the sorted |density − median|."""

    values: Window
    deviations: dict[Decimal, Window]

    @classmethod
    def of(cls, densities: Iterable[Decimal]) -> PeerSummary:
        ordered = sorted(densities)
        values = Window.of(ordered)
        medians = {values.median()} if ordered else set()
        if len(ordered) > 1:
            # Which median a member's absence gives depends only on where it sorts against the two middle items:
            # the smallest, the upper middle and the largest item cover every case.
            medians |= {values.median(v) for v in (ordered[0], ordered[(len(ordered) - 1) // 2], ordered[-1])}
        return cls(values, {m: Window.of(sorted(abs(x - m) for x in ordered)) for m in medians})

    def peers(self, member: Decimal | None) -> tuple[Decimal, Decimal] | None:
        """(median, MAD) of the group without `member` (the return's own density in it, None if not in it), as
        robust_z computes them over the list; None with fewer than MIN_PEERS peers."""
        if self.values.n - (member is not None) < MIN_PEERS:
            return None
        middle = self.values.median(member)
        mad = self.deviations[middle].median(None if member is None else abs(member - middle))
        return middle, mad

    def to_json(self) -> dict:
        return {
            "n": self.values.n,
            "values": self.values.to_json(),
            "deviations": {str(m): w.to_json() for m, w in self.deviations.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> PeerSummary:
        n = data["n"]
        return cls(
            Window.from_json(n, data["values"]),
            {Decimal(m): Window.from_json(n, w) for m, w in data["deviations"].items()},
        )


EMPTY = PeerSummary.of([])
PeersOf = Callable[[int], tuple[Decimal, Decimal] | None]  # indicator id → (median, MAD) of the return's peers


def _member_key(assessment_id: int) -> str:
    return f"a{assessment_id}"  # not a bare number: JSON paths read a number as an array index


# ---------------------------------------------------------------- the rules, for one return


@dataclass(frozen=True)
class RatioBase:
    indicator_id: int
    code: str
    base: Decimal


def flags_for(
    answers: Iterable[RatioBase], area, previous: dict[str, Decimal] | None, peers_of: PeersOf
) -> dict[FlagKey, FlagValues]:
    """The flags of one return from its ratio bases, its area, the previous return's bases by code (> 0 only;
    None without a previous return) and its peers. Shared by the one-return and the whole-round paths."""
    answers = list(answers)
    flags: dict[FlagKey, FlagValues] = {}
    codes = {a.code: a for a in answers}
    for code, old_base in (previous or {}).items():
        new = codes.get(code)
        if new is None:
            continue
        change = abs(new.base - old_base) / old_base
        if change > CHANGE_LIMIT:
            flags[(new.indicator_id, QualityFlag.Kind.PREVIOUS_ROUND)] = (new.base, old_base, change)
    for answer in answers:
        density = _density(answer.base, area)
        if density is None:
            continue
        stats = peers_of(answer.indicator_id)
        if stats is None:
            continue
        middle, mad = stats
        if mad == 0:
            continue
        z = Decimal("0.6745") * (density - middle) / mad
        if abs(z) > Z_LIMIT:
            flags[(answer.indicator_id, QualityFlag.Kind.PEER_OUTLIER)] = (density, middle, z)
    return flags


def _ratio_bases(filters: Q):
    # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
    return Answer.objects.unscoped().filter(filters, indicator__kind=Kind.RATIO, base__isnull=False)


def _submitted_of_type(assessment_round: AssessmentRound, lg_type: str):
    # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
    return Assessment.objects.unscoped().filter(
        round=assessment_round, local_government__type=lg_type, status__in=SUBMITTED_STATES
    )


def _previous_return(assessment: Assessment) -> Assessment | None:
    """The same local government's latest earlier submitted return (the latest opened round; ties by id)."""
    return (
        # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
        Assessment.objects.unscoped()
        .filter(
            local_government_id=assessment.local_government_id,
            round__opens_on__lt=assessment.round.opens_on,
            status__in=SUBMITTED_STATES,
        )
        .order_by("-round__opens_on", "-pk")
        .only("pk")
        .first()
    )


def _group_densities(assessment_round: AssessmentRound, lg_type: str, indicator_ids=None) -> dict[int, dict]:
    """{indicator id: {assessment id: density}} over the submitted returns of a type, from the data (one query)."""
    rows = _ratio_bases(Q(assessment__in=_submitted_of_type(assessment_round, lg_type)))
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=list(indicator_ids))
    groups: dict[int, dict] = defaultdict(dict)
    for assessment_id, indicator_id, base, area in rows.values_list(
        "assessment_id", "indicator_id", "base", "assessment__local_government__area_km2"
    ):
        density = _density(base, area)
        if density is not None:
            groups[indicator_id][assessment_id] = density
    return groups


def _peers_of_one(assessment: Assessment, indicator_ids: list[int]) -> PeersOf:
    """The peers of one return's indicators: from the snapshot of a large type (one query, the return's own
    densities in it read in the same query), from the data for a small one (a count and one query)."""
    lg_type = assessment.local_government.type
    rows = list(
        PeerStatistics.objects.filter(round=assessment.round, lg_type=lg_type, indicator_id__in=indicator_ids)
        .defer("members")
        .annotate(own=KT(f"members__{_member_key(assessment.pk)}"))
    )
    returns = None
    if not rows or rows[0].returns <= INLINE_LIMIT:
        # No snapshot, or one of a small type: count (a large type never pays for this count).
        returns = _submitted_of_type(assessment.round, lg_type).count()
        if returns <= INLINE_LIMIT:
            groups = _group_densities(assessment.round, lg_type, indicator_ids)
            summaries = {pk: PeerSummary.of(members.values()) for pk, members in groups.items()}
            own = {pk: members.get(assessment.pk) for pk, members in groups.items()}
            return lambda pk: summaries.get(pk, EMPTY).peers(own.get(pk))
        if not rows:
            if PeerStatistics.objects.filter(round=assessment.round, lg_type=lg_type).exists():
                return lambda pk: None  # a snapshot without these indicators: no peers had them then
            summaries, own = _store_snapshot(assessment.round, lg_type, assessment.pk)
            return lambda pk: summaries.get(pk, EMPTY).peers(own.get(pk))
    summaries = {row.indicator_id: PeerSummary.from_json(row.summary) for row in rows}
    own = {row.indicator_id: Decimal(row.own) if row.own is not None else None for row in rows}
    _refresh_if_stale(assessment.round, lg_type, rows[0], returns)
    return lambda pk: summaries.get(pk, EMPTY).peers(own.get(pk))


def _is_stale(row: PeerStatistics, returns: int | None, now: dt.datetime) -> bool:
    """Older than MAX_AGE, or (when the returns were counted) taken with more than DRIFT fewer or more of them."""
    if now - row.computed_at > MAX_AGE:
        return True
    return returns is not None and abs(returns - row.returns) > DRIFT * returns


def _refresh_if_stale(
    assessment_round: AssessmentRound, lg_type: str, row: PeerStatistics, returns: int | None
) -> None:
    """Ask the worker to rebuild a stale snapshot (the submission goes on with this one). After the commit, in its
    own statement: the submission holds no lock on the snapshot rows the worker rewrites, and a failure here is
    logged, never the user's error."""
    now = timezone.now()
    if _is_stale(row, returns, now):
        transaction.on_commit(partial(_request_refresh, assessment_round.pk, lg_type, now), robust=True)


def _request_refresh(round_id: int, lg_type: str, now: dt.datetime) -> None:
    """Enqueue the rebuild at most once per MAX_AGE and type, whatever the number of submissions asking."""
    asked = (
        PeerStatistics.objects.filter(round_id=round_id, lg_type=lg_type)
        .filter(Q(refresh_requested_at__isnull=True) | Q(refresh_requested_at__lt=now - MAX_AGE))
        .update(refresh_requested_at=now)
    )
    if asked:
        from localstandards.assessments.tasks import refresh_peer_statistics

        refresh_peer_statistics.enqueue(round_id, lg_type)


def _store_snapshot(
    assessment_round: AssessmentRound, lg_type: str, assessment_id: int | None = None
) -> tuple[dict[int, PeerSummary], dict[int, Decimal | None]]:
    """Rebuild one type's snapshot from the data; the summaries, and `assessment_id`'s own densities in them."""
    groups = _group_densities(assessment_round, lg_type)
    returns = _submitted_of_type(assessment_round, lg_type).count()
    summaries = _write_snapshots(
        assessment_round, {(lg_type, pk): members for pk, members in groups.items()}, {lg_type: returns}, [lg_type]
    )
    own = {pk: members.get(assessment_id) for pk, members in groups.items()}
    return {pk: summaries[(lg_type, pk)] for pk in groups}, own


def _write_snapshots(
    assessment_round: AssessmentRound,
    groups: dict[tuple[str, int], dict[int, Decimal]],
    returns: dict[str, int],
    types: Iterable[str],
) -> dict[tuple[str, int], PeerSummary]:
    """Replace the snapshots of these types in the round; {(type, indicator id): summary}."""
    now = timezone.now()
    summaries = {key: PeerSummary.of(members.values()) for key, members in groups.items()}
    with transaction.atomic():
        # An upsert in key order: two rebuilds of the same type at once (two first submissions) both succeed,
        # the later one's rows win; rows this rebuild did not write (an indicator without peers now) go.
        PeerStatistics.objects.bulk_create(
            [
                PeerStatistics(
                    round=assessment_round,
                    lg_type=lg_type,
                    indicator_id=indicator_id,
                    returns=returns.get(lg_type, 0),
                    summary=summaries[(lg_type, indicator_id)].to_json(),
                    members={_member_key(pk): str(d) for pk, d in groups[(lg_type, indicator_id)].items()},
                    computed_at=now,
                )
                for lg_type, indicator_id in sorted(groups)
            ],
            batch_size=50,
            update_conflicts=True,
            unique_fields=["round", "lg_type", "indicator"],
            update_fields=["returns", "summary", "members", "computed_at", "refresh_requested_at"],
        )
        PeerStatistics.objects.filter(round=assessment_round, lg_type__in=list(types), computed_at__lt=now).delete()
    return summaries


def refresh_peer_statistics(assessment_round: AssessmentRound, lg_type: str) -> None:
    """Rebuild one type's snapshot of a round (the background task a stale snapshot asks for)."""
    _store_snapshot(assessment_round, lg_type)


def expected_flags(assessment: Assessment) -> dict[FlagKey, FlagValues]:
    """{(indicator id, kind): (value, reference, score)} for one return, from the current data."""
    answers = [
        RatioBase(indicator_id, code, base)
        for indicator_id, code, base in _ratio_bases(Q(assessment=assessment)).values_list(
            "indicator_id", "indicator__code", "base"
        )
    ]
    if not answers:
        return {}
    previous_bases = None
    previous = _previous_return(assessment)
    if previous is not None:
        previous_bases = dict(
            # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
            Answer.objects.unscoped()
            .filter(assessment=previous, indicator__code__in=[a.code for a in answers], base__gt=0)
            .values_list("indicator__code", "base")
        )
    area = assessment.local_government.area_km2
    wanted = [a.indicator_id for a in answers if _density(a.base, area) is not None]
    peers_of = _peers_of_one(assessment, wanted) if wanted else (lambda pk: None)
    return flags_for(answers, area, previous_bases, peers_of)


# ---------------------------------------------------------------- writing the flags


def _rounded(values: FlagValues) -> FlagValues:
    value, reference, score = values
    return round(value, 6), round(reference, 6), round(score, 3)


@dataclass
class FlagChanges:
    """What bringing flags up to date takes: rows to delete, to create and to update (fields per row)."""

    delete: list[QualityFlag]
    create: list[QualityFlag]
    reset: list[QualityFlag]  # value changed: new numbers, the check mark dropped
    moved: list[QualityFlag]  # same value, another reference or score: the mark is kept


def plan_changes(
    assessment_id: int, current: dict[FlagKey, QualityFlag], wanted: dict[FlagKey, FlagValues]
) -> FlagChanges:
    changes = FlagChanges([], [], [], [])
    for key, flag in current.items():
        if key not in wanted:
            changes.delete.append(flag)
    for (indicator_id, kind), values in wanted.items():
        value, reference, score = _rounded(values)
        flag = current.get((indicator_id, kind))
        if flag is None:
            changes.create.append(
                QualityFlag(
                    assessment_id=assessment_id,
                    indicator_id=indicator_id,
                    kind=kind,
                    value=value,
                    reference=reference,
                    score=score,
                )
            )
        elif flag.value != value:
            flag.value, flag.reference, flag.score = value, reference, score
            flag.checked_by, flag.checked_at, flag.comment = None, None, ""
            changes.reset.append(flag)
        elif flag.reference != reference or flag.score != score:
            flag.reference, flag.score = reference, score
            changes.moved.append(flag)
    return changes


def refresh_flags(assessment: Assessment) -> list[QualityFlag]:
    """Bring one return's flags up to date; a checked flag keeps its mark if its value did not change."""
    wanted = expected_flags(assessment)
    with transaction.atomic():
        # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
        current = {(f.indicator_id, f.kind): f for f in QualityFlag.objects.unscoped().filter(assessment=assessment)}
        changes = plan_changes(assessment.pk, current, wanted)
        for flag in changes.delete:
            flag.delete()
        QualityFlag.objects.bulk_create(changes.create)
        for flag in changes.reset:
            flag.save()
        for flag in changes.moved:
            flag.save(update_fields=["reference", "score", "updated_at"])
    # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
    return list(QualityFlag.objects.unscoped().filter(assessment=assessment))


# ---------------------------------------------------------------- a whole round


def refresh_round(assessment_round: AssessmentRound) -> int:
    """Rebuild the peer snapshots and the flags of every submitted return of a round; returns how many flags
    the submitted returns have.

    The same rules as refresh_flags, from a few bulk queries: the round's ratio bases (one query), the previous
    returns and their bases (one query per 500 local governments), the current flags (one query), then the
    changes in bulk. A national round takes seconds instead of a quarter of a second per return.
    """
    submitted = list(
        # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
        Assessment.objects.unscoped()
        .filter(round=assessment_round, status__in=SUBMITTED_STATES)
        .order_by("pk")
        .values_list("pk", "local_government_id", "local_government__type", "local_government__area_km2")
    )
    bases: dict[int, list[RatioBase]] = defaultdict(list)
    for assessment_id, indicator_id, code, base in _ratio_bases(
        Q(assessment__round=assessment_round, assessment__status__in=SUBMITTED_STATES)
    ).values_list("assessment_id", "indicator_id", "indicator__code", "base"):
        bases[assessment_id].append(RatioBase(indicator_id, code, base))

    returns: dict[str, int] = defaultdict(int)
    groups: dict[tuple[str, int], dict[int, Decimal]] = defaultdict(dict)
    for assessment_id, _lg, lg_type, area in submitted:
        returns[lg_type] += 1
        for answer in bases.get(assessment_id, ()):
            density = _density(answer.base, area)
            if density is not None:
                groups[(lg_type, answer.indicator_id)][assessment_id] = density
    all_types = {lg_type for lg_type, _pk in groups} | set(returns)
    summaries = _write_snapshots(assessment_round, groups, returns, all_types)

    previous = _previous_bases(assessment_round, [lg for pk, lg, _t, _a in submitted if pk in bases])

    def peers_of(lg_type: str, assessment_id: int, indicator_id: int):
        summary = summaries.get((lg_type, indicator_id), EMPTY)
        return summary.peers(groups.get((lg_type, indicator_id), {}).get(assessment_id))

    wanted: dict[int, dict[FlagKey, FlagValues]] = {}
    for assessment_id, lg, lg_type, area in submitted:
        answers = bases.get(assessment_id)
        wanted[assessment_id] = (
            flags_for(answers, area, previous.get(lg), partial(peers_of, lg_type, assessment_id)) if answers else {}
        )
    return _write_flags(assessment_round, wanted)


def _previous_bases(assessment_round: AssessmentRound, local_government_ids: list[int]) -> dict[int, dict]:
    """{local government id: {code: base > 0}} of each one's latest earlier submitted return (as _previous_return
    picks it); a local government without one is left out."""
    result: dict[int, dict] = {}
    for chunk in batched(local_government_ids, _IN_BATCH):
        latest: dict[int, int] = {}
        for pk, lg in (
            # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
            Assessment.objects.unscoped()
            .filter(
                local_government_id__in=chunk,
                round__opens_on__lt=assessment_round.opens_on,
                status__in=SUBMITTED_STATES,
            )
            .order_by("local_government_id", "-round__opens_on", "-pk")
            .values_list("pk", "local_government_id")
        ):
            latest.setdefault(lg, pk)
        owner = {pk: lg for lg, pk in latest.items()}
        for lg in latest:
            result[lg] = {}
        for assessment_id, code, base in (
            # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
            Answer.objects.unscoped()
            .filter(assessment_id__in=list(owner), base__gt=0)
            .values_list("assessment_id", "indicator__code", "base")
        ):
            result[owner[assessment_id]][code] = base
    return result


def _write_flags(assessment_round: AssessmentRound, wanted: dict[int, dict[FlagKey, FlagValues]]) -> int:
    """Apply the wanted flags of these returns in bulk (the same changes refresh_flags makes one by one)."""
    now = timezone.now()
    with transaction.atomic():
        current: dict[int, dict[FlagKey, QualityFlag]] = defaultdict(dict)
        for flag in (
            # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
            QualityFlag.objects.unscoped()
            .filter(assessment__round=assessment_round, assessment__status__in=SUBMITTED_STATES)
            .order_by()
        ):
            current[flag.assessment_id][(flag.indicator_id, flag.kind)] = flag
        delete, create, reset, moved = [], [], [], []
        for assessment_id, flags in wanted.items():
            changes = plan_changes(assessment_id, current.get(assessment_id, {}), flags)
            delete += changes.delete
            create += changes.create
            reset += changes.reset
            moved += changes.moved
        for chunk in batched([f.pk for f in delete], _IN_BATCH):
            # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
            QualityFlag.objects.unscoped().filter(pk__in=chunk).delete()
        QualityFlag.objects.bulk_create(create, batch_size=_IN_BATCH)
        for flag in reset + moved:
            flag.updated_at = now  # bulk_update does not apply auto_now
        # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
        QualityFlag.objects.unscoped().bulk_update(
            reset,
            ["value", "reference", "score", "checked_by", "checked_at", "comment", "updated_at"],
            batch_size=_IN_BATCH,
        )
        # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
        QualityFlag.objects.unscoped().bulk_update(moved, ["reference", "score", "updated_at"], batch_size=_IN_BATCH)
    return (
        # Unscoped: quality rules compare a return with its peers (figures only; no peer row is shown).
        QualityFlag.objects.unscoped()
        .filter(assessment__round=assessment_round, assessment__status__in=SUBMITTED_STATES)
        .count()
    )


class NotAllowed(Exception):
    pass


def mark_checked(flag: QualityFlag, user, comment: str) -> QualityFlag:
    """A reviewer of the return (district, province or national) confirms the value with a comment."""
    if not may(user, Action.REVIEW, flag.assessment):
        raise NotAllowed(_("Only the reviewers of this return can mark its flags as checked."))
    if not comment.strip():
        raise ValueError(_("Say what you checked."))
    flag.checked_by, flag.checked_at, flag.comment = user, timezone.now(), comment.strip()[:2000]
    flag.save()
    return flag
