"""Data-quality checks on the base (1) of ratio indicators; the rules are documented in docs/data-quality.md.

- previous_round: the base changed by more than 50 % from the same อปท.'s latest earlier return that reported
  the same indicator code (any submitted return).
- peer_outlier: base per km² of the อปท.'s area (registry) far from the other returns of the same round and the
  same type: robust z-score 0.6745 × (x − median) ÷ MAD beyond ±3.5, computed only with at least 5 peers and a
  MAD above zero; areas missing or implausible in the registry are left out.
Flags are recomputed on submission and by `manage.py check_quality ROUND`; a reviewer marks a flag checked with
a comment, and a checked flag keeps its mark while the value it was raised for stays the same.
"""

from __future__ import annotations

from decimal import Decimal
from statistics import median

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments import workflow
from localstandards.assessments.models import Answer, Assessment, QualityFlag, Status
from localstandards.frameworks.models import Kind
from localstandards.registry.models import MAX_PLAUSIBLE_AREA_KM2

CHANGE_LIMIT = Decimal("0.5")
Z_LIMIT = Decimal("3.5")
MIN_PEERS = 5
SUBMITTED_STATES = tuple(status for status in Status.values if status != Status.DRAFT)  # submitted at least once


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


def expected_flags(assessment: Assessment) -> dict[tuple[int, str], tuple[Decimal, Decimal, Decimal]]:
    """{(indicator id, kind): (value, reference, score)} for one return, from the current data."""
    lg = assessment.local_government
    answers = {
        a.indicator_id: a
        for a in Answer.objects.filter(
            assessment=assessment, indicator__kind=Kind.RATIO, base__isnull=False
        ).select_related("indicator")
    }
    flags: dict[tuple[int, str], tuple[Decimal, Decimal, Decimal]] = {}
    if not answers:
        return flags
    codes = {a.indicator.code: a for a in answers.values()}
    # The same local government's latest earlier submitted return, indicator by code.
    previous = (
        Assessment.objects.filter(local_government=lg, round__opens_on__lt=assessment.round.opens_on)
        .filter(status__in=SUBMITTED_STATES)
        .order_by("-round__opens_on")
        .first()
    )
    if previous is not None:
        for old in Answer.objects.filter(
            assessment=previous, indicator__code__in=list(codes), base__gt=0
        ).select_related("indicator"):
            new = codes[old.indicator.code]
            change = abs(new.base - old.base) / old.base
            if change > CHANGE_LIMIT:
                flags[(new.indicator_id, QualityFlag.Kind.PREVIOUS_ROUND)] = (new.base, old.base, change)
    # Peers: other submitted returns of the round, same type, same indicator, base per km².
    own_density = {pk: _density(a.base, lg.area_km2) for pk, a in answers.items()}
    wanted = [pk for pk, density in own_density.items() if density is not None]
    if wanted:
        peers: dict[int, list[Decimal]] = {pk: [] for pk in wanted}
        for indicator_id, base, area in (
            Answer.objects.filter(
                assessment__round=assessment.round,
                assessment__local_government__type=lg.type,
                assessment__status__in=SUBMITTED_STATES,
                indicator_id__in=wanted,
                base__isnull=False,
            )
            .exclude(assessment=assessment)
            .values_list("indicator_id", "base", "assessment__local_government__area_km2")
        ):
            density = _density(base, area)
            if density is not None:
                peers[indicator_id].append(density)
        for pk in wanted:
            z = robust_z(own_density[pk], peers[pk])
            if z is not None and abs(z) > Z_LIMIT:
                flags[(pk, QualityFlag.Kind.PEER_OUTLIER)] = (own_density[pk], median(peers[pk]), z)
    return flags


def refresh_flags(assessment: Assessment) -> list[QualityFlag]:
    """Bring one return's flags up to date; a checked flag keeps its mark if its value did not change."""
    wanted = expected_flags(assessment)
    with transaction.atomic():
        current = {(f.indicator_id, f.kind): f for f in QualityFlag.objects.filter(assessment=assessment)}
        for key, flag in current.items():
            if key not in wanted:
                flag.delete()
        for (indicator_id, kind), (value, reference, score) in wanted.items():
            value, reference, score = (round(value, 6), round(reference, 6), round(score, 3))
            flag = current.get((indicator_id, kind))
            if flag is None:
                QualityFlag.objects.create(
                    assessment=assessment,
                    indicator_id=indicator_id,
                    kind=kind,
                    value=value,
                    reference=reference,
                    score=score,
                )
            elif flag.value != value:
                flag.value, flag.reference, flag.score = value, reference, score
                flag.checked_by, flag.checked_at, flag.comment = None, None, ""
                flag.save()
            elif flag.reference != reference or flag.score != score:
                flag.reference, flag.score = reference, score
                flag.save(update_fields=["reference", "score", "updated_at"])
    return list(QualityFlag.objects.filter(assessment=assessment))


def refresh_round(assessment_round) -> int:
    count = 0
    for assessment in Assessment.objects.filter(round=assessment_round, status__in=SUBMITTED_STATES).select_related(
        "round", "local_government"
    ):
        count += len(refresh_flags(assessment))
    return count


class NotAllowed(Exception):
    pass


def mark_checked(flag: QualityFlag, user, comment: str) -> QualityFlag:
    """A reviewer of the return (district, province or national) confirms the value with a comment."""
    if not any(workflow.actor_matches(actor, user, flag.assessment) for actor in ("district", "province")):
        raise NotAllowed(_("Only the reviewers of this return can mark its flags as checked."))
    if not comment.strip():
        raise ValueError(_("Say what you checked."))
    flag.checked_by, flag.checked_at, flag.comment = user, timezone.now(), comment.strip()[:2000]
    flag.save()
    return flag
