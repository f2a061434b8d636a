"""What the scoring layer tells the layers above it, after commit (imports point down only).

`results_changed` is sent once a return's or a round's stored results have been rebuilt and committed, with
`round_id`, `assessment_ids` (the returns rebuilt) and `final_changed` (whether a final return is among them, or
was final when its results were last stored: only then can figures built from final returns move). The national
results (analysis) subscribe to refresh their aggregates; this app never imports them. A rolled-back rebuild
sends nothing; a failing receiver is logged.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

results_changed = Signal()


def _send(**kwargs) -> None:
    for receiver, result in results_changed.send_robust(sender="scoring", **kwargs):
        if isinstance(result, Exception):
            logger.error("results_changed receiver %r failed", receiver, exc_info=result)


def send_results_changed_on_commit(*, round_id: int, assessment_ids: tuple[int, ...], final_changed: bool) -> None:
    transaction.on_commit(partial(_send, round_id=round_id, assessment_ids=assessment_ids, final_changed=final_changed))
