"""The online citizen survey: one response per browser per return, its answers, and the batches officers excluded.

No personal data: no IP address, no name, no contact. A response carries only a digest of a random token kept in
the browser's signed cookie (to refuse a second response from the same browser), its time, its answers and an
optional comment. Excluding a batch is recorded with who, when and why (the audit trail of the survey counts).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from localstandards.registry.scoping import ScopedQuerySet


class SurveyExclusionQuerySet(ScopedQuerySet):
    scope_path = "assessment__local_government__"


class SurveyExclusion(models.Model):
    """Responses received in [starts_at, ends_at) taken out of the counts by an officer, with the reason."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="survey_exclusions", verbose_name=_("return")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"))
    responses = models.PositiveIntegerField(_("responses excluded"))
    excluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("excluded at"), auto_now_add=True)

    objects = SurveyExclusionQuerySet.as_manager()
    framework_objects = SurveyExclusionQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("excluded survey batch")
        verbose_name_plural = _("excluded survey batches")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class SurveyResponseQuerySet(ScopedQuerySet):
    scope_path = "assessment__local_government__"

    def counted(self) -> SurveyResponseQuerySet:
        return self.filter(exclusion__isnull=True)


class SurveyResponse(models.Model):
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="survey_responses", verbose_name=_("return")
    )
    browser = models.CharField(_("browser digest"), max_length=64)  # sha256 of the cookie's random token
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("received"), db_index=True)
    exclusion = models.ForeignKey(
        SurveyExclusion, on_delete=models.SET_NULL, null=True, blank=True, related_name="excluded_responses"
    )

    objects = SurveyResponseQuerySet.as_manager()
    framework_objects = SurveyResponseQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["created_at", "pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "browser"], name="one_survey_response_per_browser"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.created_at:%Y-%m-%d %H:%M}"


class SurveyAnswerQuerySet(ScopedQuerySet):
    scope_path = "response__assessment__local_government__"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("frameworks.SatisfactionQuestion", on_delete=models.PROTECT, related_name="+")
    satisfied = models.BooleanField(_("satisfied"))

    objects = SurveyAnswerQuerySet.as_manager()
    framework_objects = SurveyAnswerQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_survey_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}: {self.satisfied}"
