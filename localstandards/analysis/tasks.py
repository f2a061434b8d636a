"""Background tasks of the national results (Django's tasks framework)."""

from __future__ import annotations

from django.tasks import task

from localstandards.analysis import aggregates


@task
def refresh_round_analysis(round_id: int) -> bool:
    """Rebuild the round's aggregates unless a build started after the last change (idempotent)."""
    return aggregates.refresh_if_stale(round_id)


def on_results_changed(
    sender, *, round_id: int, assessment_ids: tuple[int, ...], final_changed: bool = True, **kwargs
) -> None:
    """Receiver of scoring.signals.results_changed: mark the round's aggregates stale, then rebuild them as a task.
    Only final returns count, so a submission or a return for correction (no final return involved) changes
    nothing here. A burst of acceptances queues many tasks; the first rebuilds, the others find the cells fresh."""
    if not final_changed:
        return
    aggregates.mark_changed(round_id)
    refresh_round_analysis.enqueue(round_id)
