"""The return's state machine: every status change and who may make it, in one table.

    DRAFT ──submit──▶ AWAITING_DISTRICT ──district_accept──▶ AWAITING_PROVINCE ──province_accept──▶ ACCEPTED
                          │                                        │                                   │
                    district_return                          province_return                         reopen
                          ▼                                        ▼                                   ▼
                       RETURNED ◀──────────────────────────────────┴───────────────────────────────────┘
                          │
                      resubmit ──▶ back to the level that returned it (the first enabled level after a reopen)

A level switched off for the round is skipped: submit goes to the first enabled level, an accept to the next one,
and with no level at all a submission is accepted at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from localstandards.assessments.models import Assessment, ReviewLevel, Status
from localstandards.assessments.permissions import Action, may


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    actor: str  # "head", "district", "province", "national"


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", _("Certify and submit"), frozenset({Status.DRAFT}), "head"),
        Transition("resubmit", _("Certify and resubmit"), frozenset({Status.RETURNED}), "head"),
        Transition("district_accept", _("Accept (district)"), frozenset({Status.AWAITING_DISTRICT}), "district"),
        Transition("district_return", _("Return for correction"), frozenset({Status.AWAITING_DISTRICT}), "district"),
        Transition("province_accept", _("Accept (province)"), frozenset({Status.AWAITING_PROVINCE}), "province"),
        Transition("province_return", _("Return for correction"), frozenset({Status.AWAITING_PROVINCE}), "province"),
        Transition("reopen", _("Reopen"), frozenset({Status.ACCEPTED}), "national"),
    ]
}

STATUS_OF_LEVEL = {ReviewLevel.DISTRICT: Status.AWAITING_DISTRICT, ReviewLevel.PROVINCE: Status.AWAITING_PROVINCE}


# Who plays each part in the table above: the permissions module's answer (national administrators may act at any
# review level).
ACTION_OF_ACTOR = {
    "head": Action.CERTIFY,
    "district": Action.REVIEW_DISTRICT,
    "province": Action.REVIEW_PROVINCE,
    "national": Action.REOPEN,
}


def target_status(transition: str, assessment: Assessment) -> str:
    """Where a transition leads for this round's review levels."""
    levels = assessment.round.review_levels_for(assessment.local_government.type)
    if transition == "submit" or (transition == "resubmit" and assessment.returned_level in ("", ReviewLevel.NATIONAL)):
        return STATUS_OF_LEVEL[levels[0]] if levels else Status.ACCEPTED
    if transition == "resubmit":
        return STATUS_OF_LEVEL.get(assessment.returned_level, Status.ACCEPTED)
    if transition == "district_accept":
        return Status.AWAITING_PROVINCE if ReviewLevel.PROVINCE in levels else Status.ACCEPTED
    if transition == "province_accept":
        return Status.ACCEPTED
    if transition in ("district_return", "province_return", "reopen"):
        return Status.RETURNED
    raise ValueError(transition)


def can(transition: str, user, assessment: Assessment) -> bool:
    rule = TRANSITIONS[transition]
    return assessment.status in rule.sources and may(user, ACTION_OF_ACTOR[rule.actor], assessment)


def allowed_transitions(user, assessment: Assessment) -> list[Transition]:
    return [rule for name, rule in TRANSITIONS.items() if can(name, user, assessment)]
