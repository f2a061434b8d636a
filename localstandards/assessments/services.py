"""Business rules for rounds and returns. Views, commands and (later) the API all call these functions.

Every write checks, on the server: the user's role for the local government, the workflow state, the entry
window (with extensions), and, for answers, the version the user edited (no silent overwrite).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from localstandards.accounts.models import Role, RoleMembership
from localstandards.assessments import workflow
from localstandards.assessments.models import (
    Answer,
    Assessment,
    AssessmentRound,
    Comment,
    Evidence,
    Extension,
    Notice,
    ReviewLevel,
    SatisfactionAnswer,
    Status,
    end_of_day,
)
from localstandards.core.thaidate import format_date
from localstandards.frameworks import expressions
from localstandards.frameworks.models import Framework, Indicator, Kind, Severity
from localstandards.frameworks.models import Status as FrameworkStatus
from localstandards.frameworks.services import indicator_applies, load_tree
from localstandards.scoring.rules import IndicatorOutcome, indicator_outcome

logger = logging.getLogger(__name__)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
MAX_VALUE = Decimal("99999999999")


class AssessmentError(Exception):
    """A refused action, with a message for the person who tried it."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class EntryClosed(AssessmentError):
    pass


class NotAllowed(AssessmentError):
    pass


class InvalidAnswer(AssessmentError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class VersionConflict(AssessmentError):
    """Someone saved this answer after the version the user edited; `current` holds their values."""

    def __init__(self, current):
        self.current = current
        who = current.updated_by.get_full_name() or current.updated_by.username if current.updated_by else "—"
        super().__init__(
            _("%(who)s saved this indicator while you were editing it. Your change was not saved.") % {"who": who}
        )


# ---------------------------------------------------------------- rounds


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
    from localstandards.registry.models import LocalGovernment

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


def effective_deadline(assessment: Assessment) -> dt.datetime:
    """The end of the last day of entry for this return: the round's, or a later extension."""
    deadline = assessment.round.closes_at
    for extension in assessment.extensions.all():
        deadline = max(deadline, end_of_day(extension.until))
    return deadline


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
    deadline = effective_deadline(assessment)
    if assessment.status == Status.RETURNED:
        deadline = max(deadline, assessment.round.review_closes_at)
    return deadline


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


# ---------------------------------------------------------------- what the return holds


@dataclass
class IndicatorEntry:
    indicator: Indicator
    wording: str
    target: Decimal | None
    answer: Answer | None
    evidence: list[Evidence]
    outcome: IndicatorOutcome
    editable: bool
    missing: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    label_text: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.answer.version if self.answer else 0

    @property
    def prefix(self) -> str:
        return f"i{self.indicator.pk}"


@dataclass
class AreaEntry:
    area: object
    missions: list[tuple[object, list[IndicatorEntry]]]
    questions: list[tuple[object, str, SatisfactionAnswer | None]]

    @property
    def indicators(self) -> list[IndicatorEntry]:
        return [entry for _mission, entries in self.missions for entry in entries]

    @property
    def required(self) -> int:
        return len(self.indicators) + len(self.questions)

    @property
    def answered(self) -> int:
        done = sum(1 for e in self.indicators if not any(m not in ("evidence", "explanation") for m in e.missing))
        return done + sum(1 for _q, _w, a in self.questions if _satisfaction_complete(a))

    @property
    def evidence_missing(self) -> int:
        return sum(1 for e in self.indicators if "evidence" in e.missing)

    @property
    def complete(self) -> bool:
        return self.answered == self.required and not any(e.missing for e in self.indicators)


def _satisfaction_complete(answer: SatisfactionAnswer | None) -> bool:
    return answer is not None and answer.satisfied is not None and answer.needs_improvement is not None


def label_thresholds(framework: Framework) -> dict[str, Decimal | None]:
    return {label.key: label.min_gap for label in framework.labels.all() if label.key in ("ABOVE", "MEETS")}


def label_texts(framework: Framework) -> dict[str, str]:
    """The version's label wording in the current language (Thai, or English when it is given)."""
    english = not (translation.get_language() or "th").startswith("th")
    return {
        label.key: (label.text_en if english and label.text_en else label.text_th) for label in framework.labels.all()
    }


def outcome_of(indicator: Indicator, answer: Answer | None, target, thresholds) -> IndicatorOutcome:
    if answer is None:
        return IndicatorOutcome(None)
    return indicator_outcome(
        indicator.kind,
        base=answer.base,
        delivered=answer.delivered,
        count=answer.count,
        answer=answer.answer,
        target=target,
        thresholds=thresholds,
    )


def missing_parts(indicator: Indicator, answer: Answer | None, evidence_count: int) -> list[str]:
    """What is still needed before submission: input fields, then 'evidence'."""
    missing = []
    if indicator.kind == Kind.RATIO:
        if answer is None or answer.base is None:
            missing.append("base")
        elif answer.base > 0 and answer.delivered is None:
            missing.append("delivered")
    elif indicator.kind == Kind.COUNT:
        if answer is None or answer.count is None:
            missing.append("count")
    elif answer is None or answer.answer is None:
        missing.append("answer")
    no_service = indicator.kind == Kind.RATIO and answer is not None and answer.base == 0
    if indicator.evidence_required and evidence_count == 0 and not no_service:
        missing.append("evidence")
    return missing


def indicator_is_editable(assessment: Assessment, indicator_id: int, reopened: set[int] | None = None) -> bool:
    if assessment.status == Status.DRAFT:
        return True
    if assessment.status != Status.RETURNED:
        return False
    if assessment.reopened_all:
        return True
    if reopened is None:
        reopened = set(assessment.reopened_indicators.values_list("pk", flat=True))
    return indicator_id in reopened


def build_entries(assessment: Assessment, *, area_code: str | None = None) -> list[AreaEntry]:
    """The return as the officer sees it: applicable indicators with answers, evidence, outcome and gaps."""
    framework = load_tree(assessment.framework)
    lg = assessment.local_government
    thresholds = label_thresholds(framework)
    answers = {a.indicator_id: a for a in assessment.answers.select_related("updated_by")}
    evidence: dict[int, list[Evidence]] = {}
    for item in assessment.evidence.all():
        evidence.setdefault(item.indicator_id, []).append(item)
    comments: dict[int, list[Comment]] = {}
    for comment in assessment.comments.select_related("author").exclude(indicator=None):
        comments.setdefault(comment.indicator_id, []).append(comment)
    satisfaction = {s.question_id: s for s in assessment.satisfaction_answers.all()}
    reopened = set(assessment.reopened_indicators.values_list("pk", flat=True))
    texts = label_texts(framework)
    areas = []
    for area in framework.areas.all():
        if area_code and area.code != area_code:
            continue
        missions = []
        for mission in area.missions.all():
            entries = []
            for indicator in mission.indicators.all():
                applies, _conditional = indicator_applies(indicator, lg.type, lg)
                if not applies:
                    continue
                answer = answers.get(indicator.pk)
                target = indicator.target_for(lg.type)
                files = evidence.get(indicator.pk, [])
                entries.append(
                    IndicatorEntry(
                        indicator=indicator,
                        wording=indicator.wording_for(lg.type),
                        target=target,
                        answer=answer,
                        evidence=files,
                        outcome=outcome_of(indicator, answer, target, thresholds),
                        editable=indicator_is_editable(assessment, indicator.pk, reopened),
                        missing=missing_parts(indicator, answer, len(files)),
                        comments=comments.get(indicator.pk, []),
                    )
                )
                entry = entries[-1]
                entry.label_text = texts.get(entry.outcome.label, "")
                if answer is not None:
                    values = {f: getattr(answer, f) for f in ("base", "delivered", "count", "answer")}
                    _hard, entry.warnings = check_rules(indicator, values, lg.type, target)
                    # A soft rule may be broken, but only with an explanation the reviewers can read.
                    if entry.warnings and not answer.note.strip():
                        entry.missing.append("explanation")
            if entries:
                missions.append((mission, entries))
        questions = [(q, q.wording_for(lg.type), satisfaction.get(q.pk)) for q in area.questions.all()]
        if missions or questions:
            areas.append(AreaEntry(area=area, missions=missions, questions=questions))
    return areas


@dataclass(frozen=True)
class Blocker:
    area_code: str
    anchor: str
    text: str


def submission_blockers(assessment: Assessment, areas: list[AreaEntry] | None = None) -> list[Blocker]:
    areas = areas if areas is not None else build_entries(assessment)
    names = {
        "base": _("base (1) missing"),
        "delivered": _("delivered (2) missing"),
        "count": _("number missing"),
        "answer": _("yes / no missing"),
        "evidence": _("evidence missing"),
        "explanation": _("a warning needs an explanation"),
    }
    blockers = []
    for area in areas:
        for entry in area.indicators:
            if entry.missing:
                text = ", ".join(str(names[m]) for m in entry.missing)
                blockers.append(Blocker(area.area.code, entry.prefix, f"{entry.indicator.code} — {text}"))
        for question, _wording, answer in area.questions:
            if not _satisfaction_complete(answer):
                blockers.append(
                    Blocker(area.area.code, f"q{question.pk}", f"{question.code} — {_('satisfaction counts missing')}")
                )
    return blockers


# ---------------------------------------------------------------- writing answers


def _can_enter_data(user, assessment: Assessment) -> bool:
    return any(
        m.role in (Role.LG_STAFF, Role.LG_HEAD) and m.local_government_id == assessment.local_government_id
        for m in user.cached_memberships
    )


def check_can_write(assessment: Assessment, user, indicator_id: int | None = None, now=None) -> None:
    """Raise unless `user` may change this return (or this indicator of it) right now."""
    if not (user.is_authenticated and _can_enter_data(user, assessment)):
        raise NotAllowed(_("Only the staff of this local government can enter its data."))
    window = entry_window(assessment, now)
    if window.state == "not_open":
        raise EntryClosed(_("Data entry opens on %(day)s.") % {"day": format_date(assessment.round.opens_on)})
    if window.state == "closed":
        raise EntryClosed(
            _("The round closed on %(day)s; data can no longer be changed.")
            % {"day": format_date(timezone.localtime(window.deadline) - dt.timedelta(seconds=1))}
        )
    if assessment.status not in (Status.DRAFT, Status.RETURNED):
        raise EntryClosed(_("This return has been submitted and is read-only."))
    if indicator_id is not None and not indicator_is_editable(assessment, indicator_id):
        raise EntryClosed(_("This indicator was not returned for correction; it is read-only."))


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


def check_rules(indicator: Indicator, values: dict, lg_type: str, target) -> tuple[str | None, list[str]]:
    """The framework's validation rules for these values: (first failing hard rule's message, soft warnings)."""
    names = {
        "base": _float(values.get("base")),
        "delivered": _float(values.get("delivered")),
        "count": values.get("count"),
        "answer": values.get("answer"),
        "target": _float(target),
        "lg_type": lg_type,
    }
    hard, warnings = None, []
    for rule in indicator.validations.all():
        try:
            ok = bool(expressions.evaluate(rule.expression, expressions.VALIDATION, names))
        except Exception:
            ok = True  # a rule that cannot be decided on partial input does not block the officer
        if not ok:
            if rule.severity == Severity.HARD:
                hard = hard or rule.message
            else:
                warnings.append(rule.message)
    return hard, warnings


def clean_answer(indicator: Indicator, raw: dict[str, str], lg_type: str, target) -> tuple[dict, dict, list[str]]:
    """(values, errors by field, soft warnings) from what the officer typed."""
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
        hard, warnings = check_rules(indicator, values, lg_type, target)
        if hard:
            errors["rule"] = hard
    return values, errors, warnings


def _float(value) -> float | None:
    return None if value is None else float(value)


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
    applies, _conditional = indicator_applies(indicator, lg.type, lg)
    if not applies:
        raise NotAllowed(_("This indicator does not apply to this local government."))
    target = indicator.target_for(lg.type)
    values, errors, warnings = clean_answer(indicator, raw, lg.type, target)
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


# ---------------------------------------------------------------- evidence


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def detect_file_type(head: bytes, data: bytes) -> str | None:
    """The real type from the content (magic bytes, and the parts inside an Office zip), never from the name."""
    kind = filetype.guess(head)
    extension = kind.extension if kind else None
    if extension == "jpeg":
        extension = "jpg"
    if extension in ("zip", "docx", "xlsx") or head[:4] == b"PK\x03\x04":
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return None
    return extension


def safe_original_name(name: str) -> str:
    """Keep only the last path part, without control characters (a name like ../../x.pdf becomes x.pdf)."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return base[:200] or "file"


def allowed_types_for(indicator: Indicator) -> list[str]:
    configured = [t for t in settings.EVIDENCE_ALLOWED_TYPES if t in CONTENT_TYPES]
    wanted = [t for t in (indicator.evidence_types or []) if t in configured]
    return wanted or configured


def attach_evidence(assessment: Assessment, indicator: Indicator, user, upload, now=None) -> Evidence:
    if indicator.framework_id != assessment.framework_id:
        raise NotAllowed(_("This indicator is not part of this return."))
    check_can_write(assessment, user, indicator.pk, now)
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size == 0:
        raise AssessmentError(_("The file is empty."))
    if upload.size > limit:
        raise AssessmentError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)}
        )
    data = upload.read()
    kind = detect_file_type(data[:8192], data)
    allowed = allowed_types_for(indicator)
    if kind not in allowed:
        raise AssessmentError(
            _("This file is not one of the accepted types (%(types)s), whatever its name says.")
            % {"types": ", ".join(t.upper() for t in allowed)}
        )
    evidence = Evidence(
        assessment=assessment,
        indicator=indicator,
        original_name=safe_original_name(upload.name or "file"),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=CONTENT_TYPES[kind],
        uploaded_by=user,
    )
    evidence.file.save(f"upload.{kind}", ContentFile(data), save=False)
    evidence._history_user = user
    evidence.save()
    Assessment.objects.filter(pk=assessment.pk).update(last_activity_at=timezone.now())
    return evidence


def remove_evidence(evidence: Evidence, user, now=None) -> None:
    """Remove a file from the return. The stored file is kept: its history row still points at it."""
    check_can_write(evidence.assessment, user, evidence.indicator_id, now)
    evidence._history_user = user
    evidence.delete()


# ---------------------------------------------------------------- comments


def add_comment(assessment: Assessment, user, indicator: Indicator | None, body: str) -> Comment:
    body = (body or "").strip()
    if not body:
        raise AssessmentError(_("Write a comment first."))
    may_comment = _can_enter_data(user, assessment) or any(
        workflow.actor_matches(actor, user, assessment) for actor in ("district", "province")
    )
    if not may_comment:
        raise NotAllowed(_("You may not comment on this return."))
    return Comment.objects.create(assessment=assessment, indicator=indicator, author=user, body=body[:4000])


# ---------------------------------------------------------------- submission and review


def answers_checksum(assessment: Assessment) -> str:
    """SHA-256 over the submitted answers, satisfaction counts and evidence hashes (shown on the receipt)."""
    payload = {
        "return": assessment.pk,
        "framework": assessment.framework_id,
        "answers": sorted(
            [a.indicator.code, str(a.base), str(a.delivered), a.count, a.answer, a.note]
            for a in assessment.answers.select_related("indicator")
        ),
        "satisfaction": sorted(
            [s.question.code, s.satisfied, s.needs_improvement]
            for s in assessment.satisfaction_answers.select_related("question")
        ),
        "evidence": sorted([e.indicator.code, e.sha256] for e in assessment.evidence.select_related("indicator")),
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _change_status(assessment: Assessment, user, new_status: str, **fields) -> None:
    """Move the return with a version check so two reviewers cannot both act on the same state."""
    updated = Assessment.objects.filter(pk=assessment.pk, version=assessment.version, status=assessment.status).update(
        status=new_status, version=F("version") + 1, last_activity_at=timezone.now(), **fields
    )
    if not updated:
        raise AssessmentError(_("Someone else changed this return a moment ago. Reload the page."))
    assessment.refresh_from_db()
    assessment._history_user = user
    assessment.save(update_fields=["status"])  # records one history row with the new state


def submit(assessment: Assessment, user, *, certifier_name: str, certifier_position: str, confirmed: bool, now=None):
    transition = "resubmit" if assessment.status == Status.RETURNED else "submit"
    if not workflow.can(transition, user, assessment):
        raise NotAllowed(_("Only the head of this local government can certify and submit its return."))
    check_can_write(assessment, user, None, now)
    errors = {}
    if not certifier_name.strip():
        errors["certifier_name"] = _("Enter the certifier's name.")
    if not certifier_position.strip():
        errors["certifier_position"] = _("Enter the certifier's position.")
    if not confirmed:
        errors["confirmed"] = _("Tick the box to certify that the data are correct.")
    if errors:
        raise InvalidAnswer(errors)
    blockers = submission_blockers(assessment)
    if blockers:
        raise AssessmentError(
            _("The return is not complete yet: %(count)s items are missing.") % {"count": len(blockers)}
        )
    with transaction.atomic():
        new_status = workflow.target_status(transition, assessment)
        _change_status(
            assessment,
            user,
            new_status,
            submitted_at=timezone.now(),
            first_submitted_at=assessment.first_submitted_at or timezone.now(),
            certified_by=user,
            certifier_name=certifier_name.strip()[:200],
            certifier_position=certifier_position.strip()[:200],
            receipt_checksum=answers_checksum(assessment),
            returned_level="",
            accepted_at=timezone.now() if new_status == Status.ACCEPTED else None,
        )
        assessment.reopened_indicators.clear()
        rescore_assessment(assessment)
        refresh_quality_flags(assessment)
    return assessment


def refresh_quality_flags(assessment: Assessment) -> None:
    """Data-quality flags for reviewers, recomputed whenever the return is (re)submitted."""
    from localstandards.progress.quality import refresh_flags

    refresh_flags(assessment)


def rescore_assessment(assessment: Assessment) -> None:
    """Rebuild the stored results of this return (a cache of the scoring functions) in the same transaction."""
    from localstandards.scoring.services import rescore_assessment as rebuild

    rebuild(assessment)


def accept(assessment: Assessment, user, level: str) -> Assessment:
    transition = f"{level}_accept"
    if transition not in workflow.TRANSITIONS or not workflow.can(transition, user, assessment):
        raise NotAllowed(_("You cannot accept this return now."))
    new_status = workflow.target_status(transition, assessment)
    with transaction.atomic():
        _change_status(
            assessment, user, new_status, accepted_at=timezone.now() if new_status == Status.ACCEPTED else None
        )
        if new_status == Status.ACCEPTED:
            notify(assessment, _("The return of %(lg)s was accepted."))
        rescore_assessment(assessment)
    return assessment


def return_for_correction(
    assessment: Assessment, user, level: str, *, reasons: dict[int, str], reopen_all: bool, general_reason: str = ""
) -> Assessment:
    transition = f"{level}_return"
    if transition not in workflow.TRANSITIONS or not workflow.can(transition, user, assessment):
        raise NotAllowed(_("You cannot return this return now."))
    reasons = {pk: text.strip() for pk, text in reasons.items() if text and text.strip()}
    if not reasons and not general_reason.strip():
        raise AssessmentError(_("Give a reason for at least one indicator."))
    if not reasons and not reopen_all:
        raise AssessmentError(_("Choose the indicators to correct, or reopen the whole return."))
    indicators = {i.pk: i for i in Indicator.objects.filter(framework=assessment.framework, pk__in=list(reasons))}
    with transaction.atomic():
        _change_status(assessment, user, Status.RETURNED, returned_level=level, reopened_all=reopen_all)
        assessment.reopened_indicators.set(list(indicators.values()))
        for pk, text in reasons.items():
            if pk in indicators:
                Comment.objects.create(
                    assessment=assessment,
                    indicator=indicators[pk],
                    author=user,
                    body=text,
                    kind=Comment.Kind.RETURN_REASON,
                )
        if general_reason.strip():
            Comment.objects.create(
                assessment=assessment, author=user, body=general_reason.strip(), kind=Comment.Kind.RETURN_REASON
            )
        notify(assessment, _("The return of %(lg)s was returned for correction."))
        rescore_assessment(assessment)
    return assessment


def reopen(assessment: Assessment, user, reason: str) -> Assessment:
    if not workflow.can("reopen", user, assessment):
        raise NotAllowed(_("Only a national administrator can reopen an accepted return."))
    if not reason.strip():
        raise AssessmentError(_("Give a reason for reopening."))
    with transaction.atomic():
        _change_status(
            assessment, user, Status.RETURNED, returned_level=ReviewLevel.NATIONAL, reopened_all=True, accepted_at=None
        )
        assessment.reopened_indicators.clear()
        Comment.objects.create(assessment=assessment, author=user, body=reason.strip(), kind=Comment.Kind.REOPEN_REASON)
        notify(assessment, _("The return of %(lg)s was reopened."))
        rescore_assessment(assessment)
    return assessment


def people_of(assessment: Assessment):
    """The local government's users and its reviewers at the round's enabled levels."""
    from localstandards.accounts.models import User

    lg = assessment.local_government
    user_ids = set(
        RoleMembership.objects.filter(local_government=lg, role__in=[Role.LG_STAFF, Role.LG_HEAD]).values_list(
            "user_id", flat=True
        )
    )
    if assessment.round.district_review and lg.district_id:
        user_ids |= set(
            RoleMembership.objects.filter(role=Role.DISTRICT_OFFICER, district_id=lg.district_id).values_list(
                "user_id", flat=True
            )
        )
    if assessment.round.province_review:
        user_ids |= set(
            RoleMembership.objects.filter(role=Role.PROVINCE_OFFICER, province_id=lg.province_id).values_list(
                "user_id", flat=True
            )
        )
    return User.objects.filter(pk__in=user_ids, is_active=True)


def notify(assessment: Assessment, template: str) -> None:
    """A notice on the home page of everyone concerned, and one e-mail each (after commit) to those with an address."""
    message = template % {"lg": assessment.local_government.full_name_th}
    recipients = list(people_of(assessment))
    Notice.objects.bulk_create([Notice(recipient=u, assessment=assessment, message=message) for u in recipients])
    addresses = [u.email for u in recipients if u.email]
    if not addresses:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("assessments:overview", args=[assessment.pk])
    subject = f"[{_('Minimum standards')}] {message}"
    body = f"{message}\n\n{_('Open the return:')} {link}\n"

    def send() -> None:
        for address in addresses:  # one message each: recipients do not see each other's addresses
            try:
                send_mail(subject, body, None, [address])
            except Exception:  # a mail server outage must not undo the review decision
                logger.exception("could not send a notice e-mail to %s", address)

    transaction.on_commit(send)


def home_summary(user) -> dict:
    """What the home page shows about returns: the user's own returns, the review queue, recent notices."""
    visible = Assessment.objects.for_user(user).select_related("round", "local_government")
    own_lg_ids = [m.local_government_id for m in user.cached_memberships if m.role in (Role.LG_STAFF, Role.LG_HEAD)]
    own = list(
        visible.filter(local_government_id__in=own_lg_ids).order_by("-round__fiscal_year", "-round__opens_on")[:5]
    )
    waiting = []
    for level, status in workflow.STATUS_OF_LEVEL.items():
        actor = "district" if level == ReviewLevel.DISTRICT else "province"
        candidates = visible.filter(status=status)
        first = candidates.first()
        if first is not None and workflow.actor_matches(actor, user, first):
            waiting.append((Status(status).label, candidates.count()))
    notices = list(Notice.objects.filter(recipient=user).select_related("assessment")[:5])
    return {"own_returns": own, "review_waiting": waiting, "notices": notices}
