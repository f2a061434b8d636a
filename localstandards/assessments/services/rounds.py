"""Rounds and the entry window: opening a round, each return's last day (extensions counted), extensions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.accounts.models import Role
from localstandards.assessments.models import (
    Assessment,
    AssessmentRound,
    Extension,
    Status,
    last_day_of_entry,
    last_day_to_write,
)
from localstandards.assessments.services.errors import AssessmentError, NotAllowed
from localstandards.core.clock import end_of_day
from localstandards.frameworks.models import Framework
from localstandards.frameworks.models import Status as FrameworkStatus
from localstandards.registry.models import LocalGovernment


def open_round(
    *,
    framework: Framework,
    name: str,
    fiscal_year: int,
    opens_on: dt.date,
    closes_on: dt.date,
    review_deadline: dt.date,
    district_review: bool = True,
    province_review: bool = True,
    province_may_extend: bool = False,
    excluded_codes: list[str] | None = None,
    user=None,
) -> AssessmentRound:
    """Open a round: one return per expected (active, not excluded) local government, stamped with the version."""
    if framework.status != FrameworkStatus.PUBLISHED:
        raise AssessmentError(_("Only a published framework version can be used for a round."))
    if not opens_on <= closes_on <= review_deadline:
        raise AssessmentError(_("The dates must follow each other: opening ≤ last day of entry ≤ review deadline."))
    excluded = set(excluded_codes or [])
    with transaction.atomic():
        assessment_round = AssessmentRound.objects.create(
            fiscal_year=fiscal_year,
            name=name,
            framework=framework,
            opens_on=opens_on,
            closes_on=closes_on,
            review_deadline=review_deadline,
            district_review=district_review,
            province_review=province_review,
            province_may_extend=province_may_extend,
            created_by=user,
        )
        expected = LocalGovernment.objects.active().exclude(dla_code__in=excluded).values_list("pk", flat=True)
        Assessment.objects.bulk_create(
            [Assessment(round=assessment_round, local_government_id=pk, framework=framework) for pk in expected],
            batch_size=2000,
        )
    return assessment_round


def _last_day_of_entry(assessment: Assessment) -> dt.date:
    annotated = getattr(assessment, "last_day", None)  # read with AssessmentQuerySet.with_last_day(): no query
    if annotated is not None:
        return annotated
    return last_day_of_entry(assessment.round.closes_on, (extension.until for extension in assessment.extensions.all()))


def effective_deadline(assessment: Assessment) -> dt.datetime:
    """The end of the last day of entry for this return: the round's, or a later extension."""
    return end_of_day(_last_day_of_entry(assessment))


@dataclass(frozen=True)
class Window:
    state: str  # "not_open", "open", "correction", "closed"
    deadline: dt.datetime
    days_left: int | None

    @property
    def is_open(self) -> bool:
        return self.state in ("open", "correction")

    @property
    def last_day(self) -> dt.date:
        """The deadline is the end of this day (Bangkok time)."""
        return timezone.localtime(self.deadline - dt.timedelta(microseconds=1)).date()


def entry_deadline(assessment: Assessment) -> dt.datetime:
    """When the local government's writes stop: its last day (extensions counted); a returned return may be
    corrected until the review deadline."""
    last_day = last_day_to_write(_last_day_of_entry(assessment), assessment.status, assessment.round.review_deadline)
    return end_of_day(last_day)


def entry_window(assessment: Assessment, now: dt.datetime | None = None) -> Window:
    """Whether the local government may write now (see entry_deadline)."""
    now = now or timezone.now()
    deadline = entry_deadline(assessment)
    if now < assessment.round.opens_at:
        return Window("not_open", deadline, None)
    if now >= deadline:
        return Window("closed", deadline, 0)
    days_left = (timezone.localtime(deadline).date() - timezone.localtime(now).date()).days - 1
    state = "correction" if assessment.status == Status.RETURNED else "open"
    return Window(state, deadline, max(days_left, 0))


def may_grant_extension(user, assessment: Assessment) -> bool:
    """National administrators always; the province's officer only when the round allows it."""
    return user.is_national_admin or (
        assessment.round.province_may_extend
        and any(
            m.role == Role.PROVINCE_OFFICER and m.province_id == assessment.local_government.province_id
            for m in user.cached_memberships
        )
    )


def grant_extension(assessment: Assessment, user, until: dt.date, reason: str) -> Extension:
    if not may_grant_extension(user, assessment):
        raise NotAllowed(_("You may not grant extensions for this local government."))
    if not reason.strip():
        raise AssessmentError(_("Give a reason for the extension."))
    if until <= assessment.round.closes_on:
        raise AssessmentError(_("The new last day must be after the round's last day."))
    extension = Extension(assessment=assessment, until=until, reason=reason.strip(), granted_by=user)
    extension._history_user = user
    extension.save()
    return extension
