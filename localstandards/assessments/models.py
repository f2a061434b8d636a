"""Rounds, returns (one per local government per round), answers, evidence, comments and extensions.

Every write goes through services.py, which checks the window, the workflow state and the editing version.
History (who, when, old, new) is kept by django-simple-history on answers, evidence, returns and extensions.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from localstandards.core.clock import end_of_day, start_of_day
from localstandards.core.collation import thai
from localstandards.registry.models import LocalGovernmentType
from localstandards.registry.scoping import ScopedQuerySet, guarded_history


def default_province_level_types() -> list[str]:
    return [LocalGovernmentType.PAO]


class AssessmentRound(models.Model):
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    name = models.CharField(_("name"), max_length=255)
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="rounds", verbose_name=_("framework version")
    )
    opens_on = models.DateField(_("entry opens on"))
    closes_on = models.DateField(_("entry closes on"), help_text=_("The last day local governments can enter data."))
    review_deadline = models.DateField(_("review deadline"))
    district_review = models.BooleanField(_("district review"), default=True)
    province_review = models.BooleanField(_("provincial review"), default=True)
    province_may_extend = models.BooleanField(_("provincial officers may grant extensions"), default=False)
    # An อบจ. covers a whole province: its return skips the district and goes straight to the province.
    province_level_types = models.JSONField(
        _("types reviewed by the province only"), default=default_province_level_types, blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who opened it, changed its dates (with the reason) or cancelled it (services.rounds).
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-fiscal_year", "-opens_on"]
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")

    def __str__(self) -> str:
        return self.name

    @property
    def opens_at(self) -> dt.datetime:
        return start_of_day(self.opens_on)

    @property
    def closes_at(self) -> dt.datetime:
        return end_of_day(self.closes_on)

    @property
    def review_closes_at(self) -> dt.datetime:
        return end_of_day(self.review_deadline)

    @property
    def review_levels(self) -> list[str]:
        levels = []
        if self.district_review:
            levels.append(ReviewLevel.DISTRICT)
        if self.province_review:
            levels.append(ReviewLevel.PROVINCE)
        return levels

    def review_levels_for(self, lg_type: str) -> list[str]:
        """The review levels a return of this type of local government goes through in this round: a type the
        round reviews at the province only (an อบจ. by default) skips the district, unless the province does not
        review at all, when the district still does."""
        levels = self.review_levels
        if lg_type in (self.province_level_types or []) and ReviewLevel.PROVINCE in levels:
            levels = [level for level in levels if level != ReviewLevel.DISTRICT]
        return levels


class ReviewLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National office")


class Status(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    AWAITING_DISTRICT = "awaiting_district", _("Submitted: awaiting the district")
    AWAITING_PROVINCE = "awaiting_province", _("Awaiting the province")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")


# Groups of statuses (tuples, not members), for `status in Status.FINAL` and for lookups through relations
# (`assessment__status__in=Status.FINAL`); AssessmentQuerySet and Assessment have a method and a property for each.
# "Submitted" elsewhere means submitted at least once (`first_submitted_at`), which a returned return also is.
Status.AWAITING_SUBMISSION = (Status.DRAFT, Status.RETURNED)  # with the local government: a draft, or sent back
Status.AWAITING_REVIEW = (Status.AWAITING_DISTRICT, Status.AWAITING_PROVINCE)  # with a reviewer
Status.FINAL = (Status.ACCEPTED,)  # accepted: the results are final, no longer provisional


def last_day_of_entry(closes_on: dt.date, extensions: Iterable[dt.date] = ()) -> dt.date:
    """A return's last day of entry: the round's last day, or its latest extension's when later.

    The one rule behind the deadline of a return; `AssessmentQuerySet.with_last_day()` computes the same in SQL.
    """
    return max([closes_on, *extensions])


def last_day_to_write(last_day: dt.date, status: str, review_deadline: dt.date) -> dt.date:
    """The last day the local government may still write: its last day of entry; a return sent back for
    correction may be corrected until the round's review deadline, so its last day is at least that."""
    return max(last_day, review_deadline) if status == Status.RETURNED else last_day


class AssessmentQuerySet(ScopedQuerySet):
    scope_path = "local_government__"

    def awaiting_submission(self):
        """With the local government: being prepared, or returned for correction (see Status.AWAITING_SUBMISSION)."""
        return self.filter(status__in=Status.AWAITING_SUBMISSION)

    def awaiting_review(self):
        """Submitted and waiting for the district or the province (see Status.AWAITING_REVIEW)."""
        return self.filter(status__in=Status.AWAITING_REVIEW)

    def final(self):
        """Accepted: the results are final (see Status.FINAL)."""
        return self.filter(status__in=Status.FINAL)

    def with_last_day(self):
        """Annotate `last_day`, the return's last day of entry (`last_day_of_entry`: the round's last day, or the
        latest extension when later), in SQL, so a list of returns of any length stays one query."""
        latest_extension = Subquery(
            Extension.objects.filter(assessment=OuterRef("pk")).order_by("-until").values("until")[:1]
        )
        # Greatest() is NULL on SQLite when an argument is (PostgreSQL skips it): Coalesce for no extension.
        return self.annotate(last_day=Greatest("round__closes_on", Coalesce(latest_extension, "round__closes_on")))


class Assessment(models.Model):
    """The return (แบบประเมิน) of one local government in one round, stamped with the framework version."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="assessments")
    local_government = models.ForeignKey(
        "registry.LocalGovernment", on_delete=models.PROTECT, related_name="assessments"
    )
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.DRAFT)
    returned_level = models.CharField(
        _("returned by"), max_length=16, choices=ReviewLevel.choices, blank=True, default=""
    )
    reopened_all = models.BooleanField(_("all indicators reopened"), default=True)
    reopened_indicators = models.ManyToManyField("frameworks.Indicator", blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(
        _("first submitted"), null=True, blank=True, help_text=_("For the on-time rate; later resubmissions keep it.")
    )
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    certifier_name = models.CharField(_("certifier's name"), max_length=200, blank=True)
    certifier_position = models.CharField(_("certifier's position"), max_length=200, blank=True)
    receipt_checksum = models.CharField(_("checksum of the submitted answers"), max_length=64, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(
        excluded_fields=["last_activity_at", "version"], **guarded_history("local_government__")
    )

    objects = AssessmentQuerySet.as_manager()
    framework_objects = AssessmentQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["round", thai("local_government__province__name_th"), thai("local_government__name_th")]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.UniqueConstraint(fields=["round", "local_government"], name="one_return_per_round"),
        ]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return f"{self.local_government} · {self.round}"

    @property
    def is_awaiting_submission(self) -> bool:
        return self.status in Status.AWAITING_SUBMISSION

    @property
    def is_awaiting_review(self) -> bool:
        return self.status in Status.AWAITING_REVIEW

    @property
    def is_final(self) -> bool:
        """Results are final once the return is accepted; before that they are provisional."""
        return self.status in Status.FINAL


class AnswerQuerySet(ScopedQuerySet):
    scope_path = "assessment__local_government__"


class Extension(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="extensions")
    until = models.DateField(_("new last day"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(**guarded_history(AnswerQuerySet.scope_path))

    objects = AnswerQuerySet.as_manager()
    framework_objects = AnswerQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["-granted_at"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.assessment}: {self.until}"


class EvidenceQuerySet(AnswerQuerySet):
    """Evidence in scope, except for committee viewers: they read the national results and reports; the files
    behind the returns (which may show people) are not part of that (docs/roles-and-scoping.md)."""

    def for_user(self, user):
        from localstandards.assessments.permissions import only_committee_viewer  # it reads the models' app

        if only_committee_viewer(user):
            return self.none()
        return super().for_user(user)


class VersionedAnswer(models.Model):
    """What officers type into a return: each save names the version it edited (see services.answers)."""

    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnswerQuerySet.as_manager()
    framework_objects = AnswerQuerySet.framework_manager()

    class Meta:
        abstract = True


class Answer(VersionedAnswer):
    """One indicator's answer. `version` grows with every save; a save must name the version it edited."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey("frameworks.Indicator", on_delete=models.PROTECT, related_name="+")
    base = models.DecimalField(_("base (1)"), max_digits=14, decimal_places=3, null=True, blank=True)
    delivered = models.DecimalField(_("delivered (2)"), max_digits=14, decimal_places=3, null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    answer = models.BooleanField(_("yes / no"), null=True, blank=True)
    note = models.TextField(_("explanation"), blank=True)
    history = HistoricalRecords(**guarded_history(AnswerQuerySet.scope_path))

    class Meta:
        default_manager_name = "framework_objects"
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="one_answer_per_indicator")]
        # The answers saved at least once, counted per return by the not-submitted list (an index-only scan).
        indexes = [models.Index(fields=["assessment"], condition=models.Q(version__gt=0), name="answer_saved")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}"


class SatisfactionAnswer(VersionedAnswer):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="satisfaction_answers")
    question = models.ForeignKey("frameworks.SatisfactionQuestion", on_delete=models.PROTECT, related_name="+")
    satisfied = models.PositiveIntegerField(_("satisfied"), null=True, blank=True)
    needs_improvement = models.PositiveIntegerField(_("needs improvement"), null=True, blank=True)
    history = HistoricalRecords(**guarded_history(AnswerQuerySet.scope_path))

    class Meta:
        default_manager_name = "framework_objects"
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="one_satisfaction_answer_per_question")
        ]
        indexes = [
            models.Index(fields=["assessment"], condition=models.Q(version__gt=0), name="satisfaction_answer_saved")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question_id}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """A random name under the return's folder; the original name is kept in the database only."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"evidence/{instance.assessment.round_id}/{instance.assessment_id}/{secrets.token_hex(16)}{suffix}"


class Evidence(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.ForeignKey("frameworks.Indicator", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(**guarded_history(AnswerQuerySet.scope_path))

    objects = EvidenceQuerySet.as_manager()
    framework_objects = EvidenceQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class Comment(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        RETURN_REASON = "return", _("Reason for return")
        REOPEN_REASON = "reopen", _("Reason for reopening")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    indicator = models.ForeignKey(
        "frameworks.Indicator", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.COMMENT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AnswerQuerySet.as_manager()
    framework_objects = AnswerQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class QualityFlag(models.Model):
    """A data-quality flag raised for reviewers: a value far from the same อปท.'s previous round or from its peers."""

    class Kind(models.TextChoices):
        PREVIOUS_ROUND = "previous_round", _("Far from the previous round")
        PEER_OUTLIER = "peer_outlier", _("Far from peers of the same type")

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="quality_flags")
    indicator = models.ForeignKey("frameworks.Indicator", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.DecimalField(max_digits=20, decimal_places=6)
    reference = models.DecimalField(max_digits=20, decimal_places=6)
    score = models.DecimalField(
        max_digits=12, decimal_places=3, help_text=_("Relative change, or robust z-score for peers.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    objects = AnswerQuerySet.as_manager()
    framework_objects = AnswerQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["assessment", "indicator__code", "kind"]
        verbose_name = _("data-quality flag")
        verbose_name_plural = _("data-quality flags")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator", "kind"], name="one_flag_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}/{self.kind}"


class PeerStatistics(models.Model):
    """A snapshot of the peers of one indicator in one round for one type of local government (quality.py).

    `summary` holds just enough order statistics to give the median and the MAD of the peers with any one member
    left out, exactly; `members` the density each submitted return had when the snapshot was taken, so a return
    is left out of its own peers without loading the others. Rebuilt by `manage.py check_quality`, and by the
    submission path when the type has few returns or the snapshot has drifted (docs/data-quality.md).
    """

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="+")
    lg_type = models.CharField(max_length=16)
    indicator = models.ForeignKey("frameworks.Indicator", on_delete=models.CASCADE, related_name="+")
    returns = models.PositiveIntegerField()  # submitted returns of the type when the snapshot was taken
    summary = models.JSONField()
    members = models.JSONField()
    computed_at = models.DateTimeField()
    refresh_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("peer statistics")
        verbose_name_plural = _("peer statistics")
        constraints = [
            models.UniqueConstraint(fields=["round", "lg_type", "indicator"], name="one_peer_statistics_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.lg_type}/{self.indicator_id}"
