"""Rounds and the entry window: opening a round, each return's last day (extensions counted), extensions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments.models import (
    Assessment,
    AssessmentRound,
    Extension,
    Status,
    default_province_level_types,
    last_day_of_entry,
    last_day_to_write,
)
from localstandards.assessments.permissions import Action, may
from localstandards.assessments.services.errors import AssessmentError, NotAllowed
from localstandards.core.clock import end_of_day
from localstandards.core.thaidate import BE_OFFSET, format_date
from localstandards.frameworks.models import Framework
from localstandards.frameworks.models import Status as FrameworkStatus
from localstandards.registry.models import LocalGovernment, LocalGovernmentType


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
    province_level_types: list[str] | None = None,
    excluded_codes: list[str] | None = None,
    user=None,
) -> AssessmentRound:
    """Open a round: one return per expected (active, not excluded) local government, stamped with the version."""
    if framework.status != FrameworkStatus.PUBLISHED:
        raise AssessmentError(_("Only a published framework version can be used for a round."))
    check_window(opens_on, closes_on, review_deadline)
    excluded = set(excluded_codes or [])
    with transaction.atomic():
        assessment_round = AssessmentRound(
            fiscal_year=fiscal_year,
            name=name,
            framework=framework,
            opens_on=opens_on,
            closes_on=closes_on,
            review_deadline=review_deadline,
            district_review=district_review,
            province_review=province_review,
            province_may_extend=province_may_extend,
            province_level_types=(
                default_province_level_types() if province_level_types is None else list(province_level_types)
            ),
            created_by=user,
        )
        assessment_round._history_user = user
        assessment_round.save()
        expected = LocalGovernment.objects.active().exclude(dla_code__in=excluded).values_list("pk", flat=True)
        Assessment.objects.bulk_create(
            [Assessment(round=assessment_round, local_government_id=pk, framework=framework) for pk in expected],
            batch_size=2000,
        )
    return assessment_round


# ---------------------------------------------------------------------------------------------------------------
# The window of a round: checks and a summary before it opens, changed dates, cancelling a round opened by mistake


def fiscal_year_bounds(fiscal_year_be: int) -> tuple[dt.date, dt.date]:
    """Thai government fiscal year N (B.E.): 1 October of N − 1 to 30 September of N."""
    year = fiscal_year_be - BE_OFFSET
    return dt.date(year - 1, 10, 1), dt.date(year, 9, 30)


# Data about a fiscal year is entered during it or in the year after; a window beyond that is most likely a typo.
FISCAL_YEAR_LEEWAY_BEFORE = dt.timedelta(days=92)
FISCAL_YEAR_LEEWAY_AFTER = dt.timedelta(days=366)
# A window starting this far from today is refused outright: nobody plans a round two years ahead.
FARTHEST_OPENING = dt.timedelta(days=2 * 366)
# A round's entry window and its review period each last at most a year, and an extension moves a return's last
# day at most 180 days past the round's: every date a page shows stays within a few years of today.
LONGEST_PERIOD = dt.timedelta(days=366)
MAX_EXTENSION = dt.timedelta(days=180)


def window_near_fiscal_year(fiscal_year_be: int, opens_on: dt.date, review_deadline: dt.date) -> bool:
    """Whether the window lies within the fiscal year, or from three months before it to a year after it."""
    start, end = fiscal_year_bounds(fiscal_year_be)
    return opens_on >= start - FISCAL_YEAR_LEEWAY_BEFORE and review_deadline <= end + FISCAL_YEAR_LEEWAY_AFTER


def check_window(opens_on: dt.date, closes_on: dt.date, review_deadline: dt.date) -> None:
    if not opens_on <= closes_on <= review_deadline:
        raise AssessmentError(_("The dates must follow each other: opening ≤ last day of entry ≤ review deadline."))
    if closes_on - opens_on > LONGEST_PERIOD or review_deadline - closes_on > LONGEST_PERIOD:
        raise AssessmentError(
            _("The entry window and the review period may each last at most a year: check the years (B.E.).")
        )


def check_opening_near_today(opens_on: dt.date, today: dt.date | None = None) -> None:
    """Refuse an opening day typed on a page that is absurdly far from today (a year typed in the wrong era).
    Commands that load past rounds (the demo, the generator) do not call it."""
    today = today or timezone.localdate()
    if abs(opens_on - today) > FARTHEST_OPENING:
        raise AssessmentError(
            _("The opening day %(day)s is more than two years from today: check the year (B.E.).")
            % {"day": format_date(opens_on)}
        )


@dataclass(frozen=True)
class RoundSummary:
    """What opening a round will do, shown to the administrator before it is done."""

    expected: int  # returns to be created: active local governments not excluded
    excluded: int  # excluded codes that name an active local government
    unknown_codes: list[str]  # excluded codes that name none
    entry_days: int
    review_days: int
    fiscal_year_start: dt.date
    fiscal_year_end: dt.date
    near_fiscal_year: bool
    province_only: list[str]  # the types whose returns skip the district, by name


def round_summary(
    *,
    fiscal_year: int,
    opens_on: dt.date,
    closes_on: dt.date,
    review_deadline: dt.date,
    excluded_codes=(),
    province_level_types=(),
    **_rest,
) -> RoundSummary:
    active = LocalGovernment.objects.active()
    codes = set(excluded_codes or [])
    known = set(active.filter(dla_code__in=codes).values_list("dla_code", flat=True)) if codes else set()
    start, end = fiscal_year_bounds(fiscal_year)
    return RoundSummary(
        expected=active.count() - len(known),
        excluded=len(known),
        unknown_codes=sorted(codes - known),
        entry_days=(closes_on - opens_on).days + 1,
        review_days=(review_deadline - closes_on).days,
        fiscal_year_start=start,
        fiscal_year_end=end,
        near_fiscal_year=window_near_fiscal_year(fiscal_year, opens_on, review_deadline),
        province_only=[str(LocalGovernmentType(code).label) for code in province_level_types or []],
    )


def change_round_dates(
    assessment_round: AssessmentRound,
    *,
    opens_on: dt.date,
    closes_on: dt.date,
    review_deadline: dt.date,
    reason: str,
    user,
) -> AssessmentRound:
    """A national administrator moves a round's dates; the reason and the old dates stay in its history."""
    if not user.is_national_admin:
        raise NotAllowed(_("Only national administrators can change a round's dates."))
    if not reason.strip():
        raise AssessmentError(_("Give a reason for the change."))
    check_window(opens_on, closes_on, review_deadline)
    if opens_on != assessment_round.opens_on:
        check_opening_near_today(opens_on)
    assessment_round.opens_on, assessment_round.closes_on = opens_on, closes_on
    assessment_round.review_deadline = review_deadline
    assessment_round._change_reason = reason.strip()[:100]
    assessment_round._history_user = user
    assessment_round.save(update_fields=["opens_on", "closes_on", "review_deadline"])
    return assessment_round


def round_holds_data(assessment_round: AssessmentRound) -> int:
    """How many of the round's returns hold anything an officer did: answers, counts, evidence, a submission."""
    return (
        # Unscoped: a national administrator's change to a whole round.
        Assessment.objects.unscoped()
        .filter(round=assessment_round)
        .filter(
            Q(answers__isnull=False)
            | Q(satisfaction_answers__isnull=False)
            | Q(evidence__isnull=False)
            | ~Q(status=Status.DRAFT)
            | Q(first_submitted_at__isnull=False)
        )
        .distinct()
        .count()
    )


def cancel_round(assessment_round: AssessmentRound, *, reason: str, user) -> int:
    """Remove a round opened by mistake, with its empty returns; returns how many returns went.

    Refused once any local government has entered anything: then the dates are changed instead. The round's
    history keeps a row for the removal with who, when and the reason.
    """
    if not user.is_national_admin:
        raise NotAllowed(_("Only national administrators can cancel a round."))
    if not reason.strip():
        raise AssessmentError(_("Give a reason for cancelling the round."))
    with transaction.atomic():
        locked = AssessmentRound.objects.select_for_update().get(pk=assessment_round.pk)
        holding = round_holds_data(locked)
        if holding:
            raise AssessmentError(
                _(
                    "%(count)s local governments have already entered data in this round, so it cannot be "
                    "cancelled. Change its dates instead."
                )
                % {"count": holding}
            )
        # Unscoped: a national administrator's change to a whole round.
        _total, removed = Assessment.objects.unscoped().filter(round=locked).delete()
        locked._change_reason = reason.strip()[:100]
        locked._history_user = user
        locked.delete()
    return removed.get(Assessment._meta.label, 0)


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


def grant_extension(assessment: Assessment, user, until: dt.date, reason: str) -> Extension:
    if not may(user, Action.GRANT_EXTENSION, assessment):
        raise NotAllowed(_("You may not grant extensions for this local government."))
    if not reason.strip():
        raise AssessmentError(_("Give a reason for the extension."))
    if until <= assessment.round.closes_on:
        raise AssessmentError(_("The new last day must be after the round's last day."))
    if until - assessment.round.closes_on > MAX_EXTENSION:
        raise AssessmentError(
            _("An extension may move the last day at most %(days)s days past the round's last day (%(day)s).")
            % {"days": MAX_EXTENSION.days, "day": format_date(assessment.round.closes_on)}
        )
    extension = Extension(assessment=assessment, until=until, reason=reason.strip(), granted_by=user)
    extension._history_user = user
    extension.save()
    return extension


def cancel_extension(extension: Extension, user, reason: str) -> None:
    """Take back an extension (granted by mistake, or to the wrong date), with the reason kept in its history."""
    if not may(user, Action.GRANT_EXTENSION, extension.assessment):
        raise NotAllowed(_("You may not grant extensions for this local government."))
    if not reason.strip():
        raise AssessmentError(_("Give a reason for cancelling the extension."))
    extension._history_user = user
    extension._change_reason = reason.strip()[:100]
    extension.delete()
