"""Background tasks of the committee report (Django's tasks framework)."""

from __future__ import annotations

from django.tasks import task

from localstandards.committee import services
from localstandards.committee.models import CommitteeReport


@task
def produce_report(report_id: int) -> str:
    """Produce a requested report's PDF and workbook (a report already claimed by a worker is left alone)."""
    report = CommitteeReport.objects.filter(pk=report_id).select_related("round", "requested_by").first()
    if report is None:
        return "missing"
    return services.produce(report).state
