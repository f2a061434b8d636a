"""Background tasks of the national results."""

from __future__ import annotations


def on_results_changed(sender, *, round_id: int, assessment_ids: tuple[int, ...], **kwargs) -> None:
    """Receiver of scoring.signals.results_changed (filled in with the aggregates)."""
