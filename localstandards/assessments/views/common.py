"""What every return page shares: the scoped getter, the page context, and the one mapping of service refusals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from localstandards.assessments import services, workflow
from localstandards.assessments.models import Assessment
from localstandards.assessments.permissions import Action, may
from localstandards.core.request_input import id_from
from localstandards.frameworks.models import Indicator
from localstandards.frameworks.services import frozen_indicator


def get_assessment(request: HttpRequest, pk: int) -> Assessment:
    """The return, if the user may see it (else 404), with what every return page reads."""
    queryset = Assessment.objects.for_user(request.user).select_related(
        "round", "framework", "local_government__province", "local_government__district", "certified_by"
    )
    # The last day (extensions counted) comes with the row: the autosave reads nothing else about the return.
    return get_object_or_404(queryset.with_last_day(), pk=pk)


def get_indicator(assessment: Assessment, pk: int | str) -> Indicator:
    """An indicator of the return's framework version, else 404 (also for a posted id that is not a number).

    From the version's tree kept in memory (frozen_tree): shared, so read it and never change it."""
    indicator_id = id_from(str(pk))
    if indicator_id is None:
        raise Http404
    indicator = frozen_indicator(assessment.framework, indicator_id)
    if indicator is None:
        raise Http404
    return indicator


def page_context(request: HttpRequest, assessment: Assessment) -> dict:
    window = services.entry_window(assessment)
    return {
        "assessment": assessment,
        "window": window,
        "can_write": window.is_open
        and assessment.is_awaiting_submission
        and may(request.user, Action.ENTER_DATA, assessment),
        "transitions": workflow.allowed_transitions(request.user, assessment),
        # Committee viewers read results, not the files behind them (their names included).
        "may_see_evidence": may(request.user, Action.VIEW_EVIDENCE, assessment),
    }


def indicator_url(assessment: Assessment, indicator: Indicator) -> str:
    area_code = indicator.mission.area.code
    return reverse("assessments:area", args=[assessment.pk, area_code]) + f"#i{indicator.pk}"


@dataclass
class Outcome:
    """A service call's result as the pages show it: saved, or refused with field errors, a conflict or a message.

    `status` is the HTTP status an HTMX answer carries: 200 saved, 409 someone else saved first, 422 refused.
    """

    value: Any = None
    saved: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    conflict: services.VersionConflict | None = None
    error: str = ""

    @property
    def status(self) -> int:
        return 200 if self.saved else 409 if self.conflict else 422

    def as_result(self, raw: dict[str, str] | None = None) -> dict:
        """The `result` dict the entry templates read (saved / errors / conflict / error, and what was typed)."""
        result: dict[str, Any] = {} if self.saved else {"raw": raw or {}}
        if self.saved:
            result["saved"] = True
            result["warnings"] = getattr(self.value, "warnings", [])
        if self.errors:
            result["errors"] = self.errors
        if self.conflict:
            result["conflict"] = self.conflict
        if self.error and not (self.errors or self.conflict):
            result["error"] = self.error
        return result


def attempt(call: Callable[..., Any], *args, **kwargs) -> Outcome:
    """Run a service function; its refusals become an Outcome instead of an exception (one mapping for all views)."""
    try:
        return Outcome(value=call(*args, **kwargs), saved=True)
    except services.InvalidAnswer as error:
        return Outcome(errors=error.errors, error=error.message)
    except services.VersionConflict as error:
        return Outcome(conflict=error, error=error.message)
    except services.AssessmentError as error:
        return Outcome(error=error.message)
