"""National results: aggregates of a round's final returns at every level, read by the dashboards and the report.

`refresh_round` rebuilds every `AggregateCell` of a round in one pass over the stored results of its final
(accepted) returns: for each unit (the nation, a region, a province, a district) and each type ("" = all types),
one cell per indicator, mission and area, and one for the overall score. Only final returns count: a return
reopened after acceptance leaves the totals at the next refresh. An indicator that does not apply to a type has
no stored result there, so it is simply absent from that type's cells. The method is in docs/national-results.md.

Cells are read, never computed, by pages (a national page is a handful of indexed lookups); a GET never writes.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import batched

from django.db import transaction
from django.utils import timezone

from localstandards.analysis.models import AggregateCell, ItemKind, Level, RoundAnalysis
from localstandards.assessments.models import Assessment, AssessmentRound, Status
from localstandards.frameworks.rules import ABOVE, DEVELOP, MEETS, NO_SERVICE, NOT_DONE
from localstandards.scoring.models import AreaScore, IndicatorResultRecord, ReturnScore

_SIX = Decimal("0.000001")
_INSERT_BATCH = 2000

# Counter positions in an accumulator: what every cell counts, whatever its item.
RETURNS, SCORED, APPLICABLE, MET, ABOVE_, MEETS_, DEVELOP_, NO_SERVICE_, NOT_DONE_ = range(9)
_LABEL_POSITION = {ABOVE: ABOVE_, MEETS: MEETS_, DEVELOP: DEVELOP_, NO_SERVICE: NO_SERVICE_, NOT_DONE: NOT_DONE_}


def percentile(ordered: Sequence[Decimal], share: Decimal) -> Decimal | None:
    """The `share` (0–1) percentile of sorted values by linear interpolation between the closest ranks, as
    PostgreSQL's percentile_cont and Excel's QUARTILE.INC compute it; None for no values."""
    if not ordered:
        return None
    position = Decimal(len(ordered) - 1) * share
    low = int(position)
    fraction = position - low
    if low + 1 >= len(ordered) or not fraction:
        return Decimal(ordered[low])
    return Decimal(ordered[low]) + (Decimal(ordered[low + 1]) - Decimal(ordered[low])) * fraction


def _stored(value: Decimal | None, places: Decimal = _SIX) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass
class _Bucket:
    """What one item adds up to over some returns: counters, the values for the quartiles, the total shortfall."""

    counts: list[int]
    values: list[Decimal]
    shortfall: Decimal | None

    @classmethod
    def empty(cls) -> _Bucket:
        return cls([0] * 9, [], None)

    def merge(self, other: _Bucket) -> None:
        for position, number in enumerate(other.counts):
            self.counts[position] += number
        self.values.extend(other.values)
        if other.shortfall is not None:
            self.shortfall = other.shortfall if self.shortfall is None else self.shortfall + other.shortfall


def _final_returns(assessment_round: AssessmentRound) -> dict[int, tuple[str, str, str, str]]:
    """Final return id → (type, region, province code, district code or "") of its อปท."""
    rows = (
        # Unscoped: aggregates count every final return; pages showing them check the unit against the scope.
        Assessment.objects.unscoped()
        .filter(round=assessment_round, status__in=Status.FINAL)
        .values_list(
            "pk",
            "local_government__type",
            "local_government__province__region",
            "local_government__province__code",
            "local_government__district__code",
        )
    )
    return {pk: (lg_type, region, province, district or "") for pk, lg_type, region, province, district in rows}


def _base_buckets(returns: dict[int, tuple[str, str, str, str]]) -> dict[tuple, _Bucket]:
    """(type, region, province, district, item kind, item code) → bucket, from the stored results of `returns`.

    Each stored row goes to exactly one bucket; the units above are unions of these (see _cells). An indicator's
    values are its achieved values; a mission's and an area's are each return's compliance there (met ÷
    applicable × 100); the score's are the overall scores, and its "met" counts the returns that passed."""
    buckets: dict[tuple, _Bucket] = defaultdict(_Bucket.empty)
    missions: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])  # (return, mission) → [met, applicable]
    for chunk in batched(sorted(returns), 2000):
        records = (
            # Unscoped: aggregates count every final return; pages showing them check the unit against the scope.
            IndicatorResultRecord.objects.unscoped()
            .filter(assessment_id__in=chunk)
            .values_list("assessment_id", "indicator__code", "indicator__mission__code", "label", "value", "shortfall")
        )
        for assessment_id, code, mission_code, label, value, shortfall in records:
            where = returns[assessment_id]
            indicator = buckets[(*where, ItemKind.INDICATOR, code)]
            mission = buckets[(*where, ItemKind.MISSION, mission_code)]
            tally = missions[(assessment_id, mission_code)]
            indicator.counts[RETURNS] += 1
            if label:
                for counts in (indicator.counts, mission.counts):
                    counts[SCORED] += 1
                    counts[_LABEL_POSITION[label]] += 1
                if label != NO_SERVICE:
                    indicator.counts[APPLICABLE] += 1
                    mission.counts[APPLICABLE] += 1
                    tally[1] += 1
                    if label in (ABOVE, MEETS):
                        indicator.counts[MET] += 1
                        mission.counts[MET] += 1
                        tally[0] += 1
            if value is not None:
                indicator.values.append(value)
            if shortfall is not None:
                indicator.shortfall = shortfall if indicator.shortfall is None else indicator.shortfall + shortfall
        areas = (
            # Unscoped: aggregates count every final return; pages showing them check the unit against the scope.
            AreaScore.objects.unscoped()
            .filter(assessment_id__in=chunk)
            .values_list("assessment_id", "area__code", *_AREA_COUNTS, "compliance")
        )
        for assessment_id, area_code, *numbers, value in areas:
            bucket = buckets[(*returns[assessment_id], ItemKind.AREA, area_code)]
            bucket.counts[RETURNS] += 1
            for position, number in zip(_AREA_POSITIONS, numbers, strict=True):
                bucket.counts[position] += number
            if value is not None:
                bucket.values.append(value)
        scores = (
            # Unscoped: aggregates count every final return; pages showing them check the unit against the scope.
            ReturnScore.objects.unscoped()
            .filter(assessment_id__in=chunk)
            .values_list("assessment_id", "score", "passed")
        )
        for assessment_id, score, passed in scores:
            bucket = buckets[(*returns[assessment_id], ItemKind.SCORE, "")]
            bucket.counts[RETURNS] += 1
            if score is not None:
                bucket.counts[SCORED] += 1
                bucket.counts[APPLICABLE] += 1
                bucket.values.append(score)
            if passed:
                bucket.counts[MET] += 1
    for (assessment_id, mission_code), (met, applicable) in missions.items():
        bucket = buckets[(*returns[assessment_id], ItemKind.MISSION, mission_code)]
        bucket.counts[RETURNS] += 1
        if applicable:
            bucket.values.append(Decimal(met) / Decimal(applicable) * 100)
    return buckets


_AREA_COUNTS = ("scored", "applicable", "met", "above", "meets", "develop", "no_service", "not_done")
_AREA_POSITIONS = (SCORED, APPLICABLE, MET, ABOVE_, MEETS_, DEVELOP_, NO_SERVICE_, NOT_DONE_)


def _unit_keys(lg_type: str, region: str, province: str, district: str) -> list[tuple[str, str, str]]:
    """The (level, code, type) cells one อปท. counts in: each unit above it, for all types and for its type."""
    units = [(Level.NATION, ""), (Level.REGION, region), (Level.PROVINCE, province)]
    if district:
        units.append((Level.DISTRICT, district))
    return [(level, code, chosen) for level, code in units for chosen in ("", lg_type)]


def _cells(assessment_round: AssessmentRound, buckets: dict[tuple, _Bucket]) -> Iterable[AggregateCell]:
    merged: dict[tuple, _Bucket] = defaultdict(_Bucket.empty)
    for (lg_type, region, province, district, kind, code), bucket in buckets.items():
        for level, unit_code, chosen_type in _unit_keys(lg_type, region, province, district):
            merged[(level, unit_code, chosen_type, kind, code)].merge(bucket)
    for (level, unit_code, chosen_type, kind, code), bucket in merged.items():
        counts = bucket.counts
        ordered = sorted(bucket.values)
        yield AggregateCell(
            round=assessment_round,
            level=level,
            code=unit_code,
            lg_type=chosen_type,
            item_kind=kind,
            item_code=code,
            returns=counts[RETURNS],
            scored=counts[SCORED],
            applicable=counts[APPLICABLE],
            met=counts[MET],
            above=counts[ABOVE_],
            meets=counts[MEETS_],
            develop=counts[DEVELOP_],
            no_service=counts[NO_SERVICE_],
            not_done=counts[NOT_DONE_],
            values=len(ordered),
            q1=_stored(percentile(ordered, Decimal("0.25"))),
            median=_stored(percentile(ordered, Decimal("0.5"))),
            q3=_stored(percentile(ordered, Decimal("0.75"))),
            mean=_stored(sum(ordered, Decimal(0)) / len(ordered)) if ordered else None,
            shortfall=None if bucket.shortfall is None else bucket.shortfall.quantize(Decimal("0.0000001")),
        )


def refresh_round(assessment_round: AssessmentRound) -> RoundAnalysis:
    """Rebuild every aggregate of the round from the stored results of its final returns (idempotent)."""
    started = timezone.now()
    clock = time.perf_counter()
    returns = _final_returns(assessment_round)
    cells = list(_cells(assessment_round, _base_buckets(returns)))
    with transaction.atomic():
        analysis, _created = RoundAnalysis.objects.select_for_update().get_or_create(round=assessment_round)
        AggregateCell.objects.filter(round=assessment_round).delete()
        for batch in batched(cells, _INSERT_BATCH):
            AggregateCell.objects.bulk_create(batch)
        analysis.computed_at = timezone.now()
        analysis.computed_from = started
        analysis.final_returns = len(returns)
        # Unscoped: aggregates count every final return; pages showing them check the unit against the scope.
        analysis.returns = Assessment.objects.unscoped().filter(round=assessment_round).count()
        analysis.seconds = time.perf_counter() - clock
        analysis.save()
    return analysis


def mark_changed(round_id: int) -> None:
    """Results of the round changed: its aggregates are stale until the next refresh."""
    now = timezone.now()
    updated = RoundAnalysis.objects.filter(round_id=round_id).update(changed_at=now)
    if not updated:
        RoundAnalysis.objects.get_or_create(round_id=round_id, defaults={"changed_at": now})


def refresh_if_stale(round_id: int) -> bool:
    """Refresh unless a build that started after the last change already ran (many queued refreshes, one build)."""
    analysis = RoundAnalysis.objects.filter(round_id=round_id).first()
    if analysis is not None and not analysis.is_stale:
        return False
    assessment_round = AssessmentRound.objects.filter(pk=round_id).first()
    if assessment_round is None:
        return False
    refresh_round(assessment_round)
    return True
