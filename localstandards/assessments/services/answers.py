"""Saving answers and satisfaction counts: number parsing, validation and the versioned write (no lost update)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments.forms import AnswerForm
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
from localstandards.frameworks.services import frozen_tree

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


MAX_VALUE = Decimal("99999999999")
# Counts are kept in integer columns (PositiveIntegerField): PostgreSQL refuses more than this (a 500 before).
MAX_COUNT = 2_147_483_647


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
        if value > MAX_COUNT:
            raise ValueError(_("The number is too large."))
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
    unchecked: list[str] | None = None,
) -> tuple[dict, dict, list[str]]:
    """(values, errors by field, soft warnings) from what the officer typed; rules that fail to run go to
    `failures` (see frameworks.evaluation), and what the officer is told about them to `unchecked`."""
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
        if unchecked is not None:
            unchecked.extend(checked.unchecked)
        if checked.hard:
            errors["rule"] = checked.hard
    return values, errors, warnings


@dataclass
class SaveResult:
    answer: Answer
    warnings: list[str]
    outcome: IndicatorOutcome
    unchecked: list[str] = field(default_factory=list)  # rules that failed to run (the national office is told)


# "Last activity" is shown to the minute; a burst of saves touches the return's row once a minute, not every time.
LAST_ACTIVITY_RESOLUTION = dt.timedelta(minutes=1)


class _StaleVersion(Exception):
    """The row is no longer at the version the user edited (raised inside the transaction, to roll it back)."""


def _versioned_write(model, assessment: Assessment, keys: dict, values: dict, expected_version: int, user):
    """Write `values` to the row identified by `keys` only if it is still at `expected_version`.

    The version check and the write are one UPDATE, so of two concurrent saves of the same version exactly one
    wins; the other raises VersionConflict with the saved row. A first save (version 0) inserts the row, and the
    unique key makes the second of two concurrent first saves fail the same way. Every column the user writes is
    set, so the new row is known without reading it back. History is one INSERT … SELECT of the written row
    (a queryset update sends no signal). The deadline-day hot path: two or three statements in one transaction.
    """
    now = timezone.now()
    version = expected_version + 1
    written = {"version": version, "updated_by": user, "updated_at": now, **values}
    try:
        with transaction.atomic():
            # Unscoped: one return's row, after check_can_write allowed this user to write to it.
            updated = model.objects.unscoped().filter(**keys, version=expected_version).update(**written)
            if not updated:
                if expected_version != 0:
                    raise _StaleVersion
                # bulk_create sends no signal, so simple-history adds no row of its own; the unique key refuses the
                # second of two concurrent first saves.
                model.objects.bulk_create([model(**keys, **written)])
            pk = _record_history(model, keys, now, "~" if version > 1 else "+", user)
            if assessment.last_activity_at is None or now - assessment.last_activity_at >= LAST_ACTIVITY_RESOLUTION:
                # Unscoped: one return's row, after check_can_write allowed this user to write to it.
                Assessment.objects.unscoped().filter(pk=assessment.pk).update(last_activity_at=now)
                assessment.last_activity_at = now
    except (_StaleVersion, IntegrityError):
        # Unscoped: one return's row, after check_can_write allowed this user to write to it.
        current = model.objects.unscoped().select_related("updated_by").filter(**keys).first()
        raise VersionConflict(current or model(**keys)) from None
    return model(pk=pk, **keys, **written)


def _record_history(model, keys: dict, when, history_type: str, user) -> int:
    """Copy the row just written into its history table (django-simple-history's layout); returns the row's id."""
    sql, slots, date_field = _history_sql(model, tuple(keys))
    given = {
        "history_date": date_field.get_db_prep_save(when, connection),
        "history_type": history_type,
        "history_user_id": user.pk if user else None,
    }
    params = [given[slot] for slot in slots]
    params.extend(value.pk if hasattr(value, "pk") else value for value in keys.values())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


_HISTORY_SQL: dict[tuple, tuple] = {}


def _history_sql(model, key_names: tuple[str, ...]) -> tuple:
    """The INSERT … SELECT for `model`'s history, its value slots and the history date's field, built once per
    model and key: simple-history's manager is costly to reach on every save. Only names from the models'
    metadata, quoted, go into the text; every value is a parameter."""
    cache_key = (model._meta.label, key_names, connection.vendor)
    if cache_key in _HISTORY_SQL:
        return _HISTORY_SQL[cache_key]
    history = model.history.model
    row_columns = {column.attname: column.column for column in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    targets, sources, slots = [], [], []
    for column in history._meta.concrete_fields:
        if column.attname == "history_id":
            continue
        targets.append(quote(column.column))
        if column.attname in row_columns:
            sources.append(quote(row_columns[column.attname]))
        elif column.attname in ("history_date", "history_type", "history_user_id"):
            sources.append("%s")
            slots.append(column.attname)
        else:
            sources.append("NULL")  # history_change_reason
    where = " AND ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in key_names)
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(targets)}) "  # noqa: S608
        f"SELECT {', '.join(sources)} FROM {quote(model._meta.db_table)} WHERE {where} RETURNING {quote('id')}"
    )
    _HISTORY_SQL[cache_key] = (sql, slots, history._meta.get_field("history_date"))
    return _HISTORY_SQL[cache_key]


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
    unchecked: list[str] = []
    values, errors, warnings = clean_answer(
        indicator, raw, lg.type, target, local_government_id=lg.pk, failures=failures, unchecked=unchecked
    )
    record_failures(failures)  # a write path: the national office sees broken expressions on its page
    if errors:
        raise InvalidAnswer(errors)
    # Every input of the answer is written: the kind's own, and the others emptied (they never hold anything).
    values = {**dict.fromkeys(AnswerForm.INPUTS), **values}
    answer = _versioned_write(
        Answer, assessment, {"assessment": assessment, "indicator": indicator}, values, expected_version, user
    )
    thresholds = label_thresholds(frozen_tree(assessment.framework))
    return SaveResult(answer, warnings, outcome_of(indicator, answer, target, thresholds), unchecked)


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
        SatisfactionAnswer, assessment, {"assessment": assessment, "question": question}, values, expected_version, user
    )
    return answer
