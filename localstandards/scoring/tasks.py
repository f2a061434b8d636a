"""Background tasks of the scoring app (Django's tasks framework)."""

from __future__ import annotations

from django.tasks import task

from localstandards.assessments.models import Assessment
from localstandards.scoring import services


@task
def rescore_return(assessment_id: int) -> None:
    """Rebuild one return's stored results after a status change (idempotent: running it twice is harmless)."""
    # Unscoped: a background task scores the return it is given.
    assessment = Assessment.objects.unscoped().filter(pk=assessment_id).first()
    if assessment is not None:
        services.rescore_assessment(assessment)


def on_status_changed(sender, *, assessment_id: int, **kwargs) -> None:
    """Receiver of assessments.signals.status_changed: results follow every status change, as a task."""
    rescore_return.enqueue(assessment_id)
