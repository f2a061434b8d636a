"""The citizen-survey section of a local government's registry page (through registry.signals)."""

from __future__ import annotations

from django.template.loader import render_to_string

from localstandards.assessments.models import Assessment


def local_government_surveys(sender, *, request, local_government, **kwargs) -> str:
    """Links to the survey of each return the viewer may see (scoped like every read), and the public page."""
    returns = list(
        Assessment.objects.for_user(request.user)
        .filter(local_government=local_government)
        .select_related("round")
        .order_by("-round__fiscal_year", "-round__opens_on")
    )
    return render_to_string(
        "public/includes/local_government_surveys.html", {"returns": returns, "lg": local_government}, request=request
    )
