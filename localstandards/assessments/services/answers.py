"""Saving answers and satisfaction counts: number parsing, validation and the versioned write (no lost update)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments.models import (
    Answer,
    Assessment,
    SatisfactionAnswer,
    Status,
)
from localstandards.assessments.services.access import check_can_write
from localstandards.assessments.services.entries import outcome_of
from localstandards.assessments.services.errors import EntryClosed, InvalidAnswer, NotAllowed, VersionConflict
from localstandards.frameworks.evaluation import EvaluationFailure, check_rules, indicator_applies, record_failures
from localstandards.frameworks.models import Indicator, Kind
from localstandards.frameworks.rules import IndicatorOutcome, label_thresholds

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


MAX_VALUE = Decimal("99999999999")


def parse_number(text: str | None, *, integer: bool = False) -> Decimal | int | None:
    """Read a number as officers type it: Thai or Arabic digits, thousands commas, spaces. Blank → None."""
    if text is None:
        return None
    cleaned = unicodedata.normalize("NFKC", str(text)).translate(_THAI_DIGITS).replace(",", "").replace(" ", "")
    if cleaned == "":
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None
    if not value.is_finite():
        raise ValueError(_("Enter a number."))
    if value < 0:
        raise ValueError(_("The number cannot be negative."))
    if value > MAX_VALUE:
        raise ValueError(_("The number is too large."))
    if integer:
        if value != value.to_integral_value():
            raise ValueError(_("Enter a whole number."))
        return int(value)
    if value.as_tuple().exponent < -3:
        raise ValueError(_("Use at most 3 decimals."))
    return value


def clean_answer(
    indicator: Indicator,
    raw: dict[str, str],
    lg_type: str,
    target,
    *,
    local_government_id: int | None = None,
    failures: list[EvaluationFailure] | None = None,
) -> tuple[dict, dict, list[str]]:
    """(values, errors by field, soft warnings) from what the officer typed; rules that fail to run go to
    `failures` (see frameworks.evaluation)."""
    values: dict = {"note": (raw.get("note") or "").strip()[:2000]}
    errors: dict[str, str] = {}
    if indicator.kind == Kind.RATIO:
        for name in ("base", "delivered"):
            try:
                values[name] = parse_number(raw.get(name))
            except ValueError as error:
                errors[name] = str(error)
        if not errors and values.get("base") == 0 and values.get("delivered"):
            errors["delivered"] = _("With a base of 0 (no such service) nothing can be delivered; leave (2) empty.")
        elif (
            not errors
            and values["base"] is not None
            and values["delivered"] is not None
            and values["delivered"] > values["base"]
        ):
            errors["delivered"] = _("What was delivered (2) cannot be more than the base (1).")
    elif indicator.kind == Kind.COUNT:
        try:
            values["count"] = parse_number(raw.get("count"), integer=True)
        except ValueError as error:
            errors["count"] = str(error)
    else:
        choice = (raw.get("answer") or "").strip()
        if choice not in ("", "yes", "no"):
            errors["answer"] = _("Choose yes or no.")
        values["answer"] = {"yes": True, "no": False}.get(choice)
    warnings: list[str] = []
    if not errors:
        checked = check_rules(
            indicator, values, lg_type, target, local_government_id=local_government_id, failures=failures
        )
        warnings = checked.warnings
        if checked.hard:
            errors["rule"] = checked.hard
    return values, errors, warnings


@dataclass
class SaveResult:
    answer: Answer
    warnings: list[str]
    outcome: IndicatorOutcome


def _versioned_write(model, keys: dict, values: dict, expected_version: int, user):
    """Write `values` to the row identified by `keys` only if it is still at `expected_version`.

    The version check and the write are one UPDATE, so of two concurrent saves of the same version exactly one
    wins; the other raises VersionConflict with the saved row. History is recorded explicitly because a queryset
    update sends no signal, and the empty row created to version against is made without one either.
    """
    with transaction.atomic():
        model.objects.bulk_create([model(**keys)], ignore_conflicts=True)
        row = model.objects.get(**keys)
        updated = model.objects.filter(pk=row.pk, version=expected_version).update(
            version=F("version") + 1, updated_by=user, updated_at=timezone.now(), **values
        )
        if not updated:
            raise VersionConflict(model.objects.select_related("updated_by").get(pk=row.pk))
        row.refresh_from_db()
        model.history.model.objects.create(
            **{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields},
            history_date=timezone.now(),
            history_type="~" if row.version > 1 else "+",
            history_user=user,
        )
        Assessment.objects.filter(pk=row.assessment_id).update(last_activity_at=timezone.now())
    return row


def save_answer(
    assessment: Assessment, indicator: Indicator, user, raw: dict[str, str], expected_version: int, now=None
) -> SaveResult:
    """Save one indicator's answer if nobody saved it since `expected_version`; otherwise VersionConflict."""
    if indicator.framework_id != assessment.framework_id:
        raise NotAllowed(_("This indicator is not part of this return."))
    check_can_write(assessment, user, indicator.pk, now)
    lg = assessment.local_government
    failures: list[EvaluationFailure] = []
    applies, _conditional = indicator_applies(indicator, lg.type, lg, failures)
    if not applies:
        raise NotAllowed(_("This indicator does not apply to this local government."))
    target = indicator.target_for(lg.type)
    values, errors, warnings = clean_answer(
        indicator, raw, lg.type, target, local_government_id=lg.pk, failures=failures
    )
    record_failures(failures)  # a write path: the national office sees broken expressions on its page
    if errors:
        raise InvalidAnswer(errors)
    answer = _versioned_write(
        Answer, {"assessment": assessment, "indicator": indicator}, values, expected_version, user
    )
    thresholds = label_thresholds(assessment.framework)
    return SaveResult(answer, warnings, outcome_of(indicator, answer, target, thresholds))


def save_satisfaction(assessment: Assessment, question, user, raw: dict[str, str], expected_version: int, now=None):
    if question.framework_id != assessment.framework_id:
        raise NotAllowed(_("This question is not part of this return."))
    check_can_write(assessment, user, None, now)
    if assessment.status == Status.RETURNED and not assessment.reopened_all:
        raise EntryClosed(_("The satisfaction counts were not returned for correction; they are read-only."))
    values, errors = {}, {}
    for name in ("satisfied", "needs_improvement"):
        try:
            values[name] = parse_number(raw.get(name), integer=True)
        except ValueError as error:
            errors[name] = str(error)
    if errors:
        raise InvalidAnswer(errors)
    answer = _versioned_write(
        SatisfactionAnswer, {"assessment": assessment, "question": question}, values, expected_version, user
    )
    return answer
