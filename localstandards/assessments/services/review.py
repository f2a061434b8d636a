"""Comments, certification and submission, review (accept / return) and reopening: the status changes.

Every status change is one versioned UPDATE in a transaction; after commit the return sends `status_changed`
(assessments.signals), to which scoring, progress and notices subscribe, so this module never imports them."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments import workflow
from localstandards.assessments.models import (
    Assessment,
    Comment,
    ReviewLevel,
    Status,
)
from localstandards.assessments.permissions import Action, may
from localstandards.assessments.quality import refresh_flags
from localstandards.assessments.services.access import check_can_write
from localstandards.assessments.services.entries import build_entries, submission_blockers
from localstandards.assessments.services.errors import AssessmentError, EntryClosed, InvalidAnswer, NotAllowed
from localstandards.assessments.signals import send_status_changed_on_commit
from localstandards.core.thaidate import format_date, format_datetime
from localstandards.frameworks.evaluation import EvaluationFailure, record_failures
from localstandards.frameworks.models import Indicator


def add_comment(assessment: Assessment, user, indicator: Indicator | None, body: str) -> Comment:
    body = (body or "").strip()
    if not body:
        raise AssessmentError(_("Write a comment first."))
    # A comment is a write like any other: the local government's people comment while they may enter data (the
    # window, its extension, a draft or returned return); reviewers while the return is not final and the review
    # period lasts.
    if may(user, Action.ENTER_DATA, assessment):
        check_can_write(assessment, user)
    elif may(user, Action.REVIEW, assessment):
        if assessment.is_final:
            raise EntryClosed(_("This return is final; it can no longer be commented on."))
        if timezone.now() >= assessment.round.review_closes_at:
            raise EntryClosed(
                _("The review period ended on %(day)s.") % {"day": format_date(assessment.round.review_deadline)}
            )
    else:
        raise NotAllowed(_("You may not comment on this return."))
    return Comment.objects.create(assessment=assessment, indicator=indicator, author=user, body=body[:4000])


def answers_checksum(assessment: Assessment) -> str:
    """SHA-256 over the submitted answers, satisfaction counts and evidence hashes (shown on the receipt)."""
    payload = {
        "return": assessment.pk,
        "framework": assessment.framework_id,
        "answers": sorted(
            [a.indicator.code, str(a.base), str(a.delivered), a.count, a.answer, a.note]
            for a in assessment.answers.select_related("indicator")
        ),
        "satisfaction": sorted(
            [s.question.code, s.satisfied, s.needs_improvement]
            for s in assessment.satisfaction_answers.select_related("question")
        ),
        "evidence": sorted([e.indicator.code, e.sha256] for e in assessment.evidence.select_related("indicator")),
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _change_status(assessment: Assessment, user, transition: str, new_status: str, **fields) -> None:
    """Move the return with a version check so two reviewers cannot both act on the same state.

    Must run inside the caller's transaction: the layers above hear of the change only once it is committed.
    """
    old_status = assessment.status
    updated = (
        # Unscoped: the return being moved, after workflow.can allowed this user the transition.
        Assessment.objects.unscoped()
        .filter(pk=assessment.pk, version=assessment.version, status=assessment.status)
        .update(status=new_status, version=F("version") + 1, last_activity_at=timezone.now(), **fields)
    )
    if not updated:
        raise AssessmentError(_("Someone else changed this return a moment ago. Reload the page."))
    assessment.refresh_from_db()
    assessment._history_user = user
    assessment.save(update_fields=["status"])  # records one history row with the new state
    send_status_changed_on_commit(
        assessment_id=assessment.pk,
        transition=transition,
        old_status=old_status,
        new_status=new_status,
        user_id=getattr(user, "pk", None),
    )


def submit(assessment: Assessment, user, *, certifier_name: str, certifier_position: str, confirmed: bool, now=None):
    if not assessment.is_awaiting_submission and assessment.submitted_at:
        raise NotAllowed(
            _("This return was already certified and submitted on %(when)s.")
            % {"when": format_datetime(assessment.submitted_at)}
        )
    transition = "resubmit" if assessment.status == Status.RETURNED else "submit"
    if not workflow.can(transition, user, assessment):
        raise NotAllowed(_("Only the head of this local government can certify and submit its return."))
    check_can_write(assessment, user, None, now)
    errors = {}
    if not certifier_name.strip():
        errors["certifier_name"] = _("Enter the certifier's name.")
    if not certifier_position.strip():
        errors["certifier_position"] = _("Enter the certifier's position.")
    if not confirmed:
        errors["confirmed"] = _("Tick the box to certify that the data are correct.")
    if errors:
        raise InvalidAnswer(errors)
    failures: list[EvaluationFailure] = []
    blockers = submission_blockers(assessment, build_entries(assessment, failures=failures))
    record_failures(failures)
    if blockers:
        raise AssessmentError(
            _("The return is not complete yet: %(count)s items are missing.") % {"count": len(blockers)}
        )
    with transaction.atomic():
        new_status = workflow.target_status(transition, assessment)
        _change_status(
            assessment,
            user,
            transition,
            new_status,
            submitted_at=timezone.now(),
            first_submitted_at=assessment.first_submitted_at or timezone.now(),
            certified_by=user,
            certifier_name=certifier_name.strip()[:200],
            certifier_position=certifier_position.strip()[:200],
            receipt_checksum=answers_checksum(assessment),
            returned_level="",
            accepted_at=timezone.now() if new_status == Status.ACCEPTED else None,
        )
        assessment.reopened_indicators.clear()
        # The reviewers read the flags together with the submission, so they are written in the same transaction.
        refresh_flags(assessment)
    return assessment


def accept(assessment: Assessment, user, level: str) -> Assessment:
    transition = f"{level}_accept"
    if transition not in workflow.TRANSITIONS or not workflow.can(transition, user, assessment):
        raise NotAllowed(_("You cannot accept this return now."))
    new_status = workflow.target_status(transition, assessment)
    with transaction.atomic():
        _change_status(
            assessment,
            user,
            transition,
            new_status,
            accepted_at=timezone.now() if new_status == Status.ACCEPTED else None,
        )
    return assessment


def return_for_correction(
    assessment: Assessment, user, level: str, *, reasons: dict[int, str], reopen_all: bool, general_reason: str = ""
) -> Assessment:
    transition = f"{level}_return"
    if transition not in workflow.TRANSITIONS or not workflow.can(transition, user, assessment):
        raise NotAllowed(_("You cannot return this return now."))
    reasons = {pk: text.strip() for pk, text in reasons.items() if text and text.strip()}
    if not reasons and not general_reason.strip():
        raise AssessmentError(_("Give a reason for at least one indicator."))
    if not reasons and not reopen_all:
        raise AssessmentError(_("Choose the indicators to correct, or reopen the whole return."))
    indicators = {i.pk: i for i in Indicator.objects.filter(framework=assessment.framework, pk__in=list(reasons))}
    with transaction.atomic():
        _change_status(assessment, user, transition, Status.RETURNED, returned_level=level, reopened_all=reopen_all)
        assessment.reopened_indicators.set(list(indicators.values()))
        for pk, text in reasons.items():
            if pk in indicators:
                Comment.objects.create(
                    assessment=assessment,
                    indicator=indicators[pk],
                    author=user,
                    body=text,
                    kind=Comment.Kind.RETURN_REASON,
                )
        if general_reason.strip():
            Comment.objects.create(
                assessment=assessment, author=user, body=general_reason.strip(), kind=Comment.Kind.RETURN_REASON
            )
    return assessment


def reopen(assessment: Assessment, user, reason: str) -> Assessment:
    if not workflow.can("reopen", user, assessment):
        raise NotAllowed(_("Only a national administrator can reopen an accepted return."))
    if not reason.strip():
        raise AssessmentError(_("Give a reason for reopening."))
    with transaction.atomic():
        _change_status(
            assessment,
            user,
            "reopen",
            Status.RETURNED,
            returned_level=ReviewLevel.NATIONAL,
            reopened_all=True,
            accepted_at=None,
        )
        assessment.reopened_indicators.clear()
        Comment.objects.create(assessment=assessment, author=user, body=reason.strip(), kind=Comment.Kind.REOPEN_REASON)
    return assessment
