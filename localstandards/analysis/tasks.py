"""Background tasks of the national results (Django's tasks framework)."""

from __future__ import annotations

from django.tasks import task

from localstandards.analysis import aggregates


@task
def refresh_round_analysis(round_id: int) -> bool:
    """Rebuild the round's aggregates unless a build started after the last change (idempotent)."""
    return aggregates.refresh_if_stale(round_id)


def on_results_changed(sender, *, round_id: int, assessment_ids: tuple[int, ...], **kwargs) -> None:
    """Receiver of scoring.signals.results_changed: mark the round's aggregates stale, then rebuild them as a task.
    A burst of acceptances queues many tasks; the first rebuilds, the others find the cells fresh and stop."""
    aggregates.mark_changed(round_id)
    refresh_round_analysis.enqueue(round_id)
