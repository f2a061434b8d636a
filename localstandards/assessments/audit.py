"""The audit trail read back for people: a return's status timeline and one indicator's history of changes.

The rows come from django-simple-history (answers, evidence, returns); this module turns them into what the
overview and the history page show, so the views stay thin.
"""

from __future__ import annotations

from localstandards.assessments.forms import AnswerForm
from localstandards.assessments.models import Answer, Assessment, Evidence, Status

EVIDENCE_CHANGES = {"+": "evidence_added", "-": "evidence_removed", "~": "evidence_changed"}


def status_timeline(assessment: Assessment) -> list[dict]:
    """Each status change of the return (who, when, from, to), oldest first, from its audit history."""
    rows = assessment.history.select_related("history_user").order_by("history_date", "history_id")
    labels = dict(Status.choices)
    timeline, previous = [], Status.DRAFT  # every return starts as a draft (created in bulk when the round opens)
    for row in rows:
        if row.status != previous:
            timeline.append(
                {"when": row.history_date, "who": row.history_user, "old": labels[previous], "new": labels[row.status]}
            )
            previous = row.status
    return timeline


def indicator_changes(assessment: Assessment, indicator_id: int, *, file_names: bool = True) -> list[dict]:
    """Every change to one indicator of a return: each answer field that changed, and each evidence file added or
    removed, oldest first. Without `file_names` (a reader who may not see the evidence) a file is only counted."""
    answer_rows = (
        # Narrowed to one return, which the caller read through for_user.
        Answer.history.unscoped()
        .filter(assessment_id=assessment.pk, indicator_id=indicator_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    changes = []
    previous = None
    for row in answer_rows:
        for name in AnswerForm.FIELDS:
            old = getattr(previous, name) if previous else None
            new = getattr(row, name)
            if old != new and not (old in (None, "") and new in (None, "")):
                changes.append(
                    {"when": row.history_date, "who": row.history_user, "what": name, "old": old, "new": new}
                )
        previous = row
    for row in (
        # Narrowed to one return, which the caller read through for_user.
        Evidence.history.unscoped()
        .filter(assessment_id=assessment.pk, indicator_id=indicator_id)
        .select_related("history_user")
    ):
        changes.append(
            {
                "when": row.history_date,
                "who": row.history_user,
                "what": EVIDENCE_CHANGES[row.history_type],
                "old": None,
                "new": row.original_name if file_names else None,
            }
        )
    changes.sort(key=lambda change: change["when"])
    return changes
