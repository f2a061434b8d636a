"""Background tasks of the assessments app (Django's tasks framework)."""

from __future__ import annotations

from django.tasks import task

from localstandards.assessments import quality
from localstandards.assessments.models import AssessmentRound


@task
def refresh_peer_statistics(round_id: int, lg_type: str) -> None:
    """Rebuild a type's peer snapshot of a round, asked for by a submission that found it stale (idempotent)."""
    assessment_round = AssessmentRound.objects.filter(pk=round_id).first()
    if assessment_round is not None:
        quality.refresh_peer_statistics(assessment_round, lg_type)
