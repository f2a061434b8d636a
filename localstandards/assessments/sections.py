"""What the assessments layer adds to pages of the layers below it, through their signals."""

from __future__ import annotations

from django.template.loader import render_to_string

from localstandards.assessments.models import Assessment


def local_government_returns(sender, *, request, local_government, **kwargs) -> str:
    """The returns section of a local government's page (registry), scoped to the viewer like every read."""
    returns = (
        Assessment.objects.for_user(request.user)
        .filter(local_government=local_government)
        .select_related("round")
        .order_by("-round__fiscal_year", "-round__opens_on")
    )
    return render_to_string("assessments/includes/local_government_returns.html", {"returns": returns}, request=request)
