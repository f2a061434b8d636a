"""Reminder settings per round, and the record of every reminder and digest sent (so each is sent once)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from localstandards.registry.scoping import ScopedQuerySet


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ReminderSchedule(models.Model):
    """How one round reminds. A round without a row uses the defaults below (reminders on)."""

    round = models.OneToOneField(
        "assessments.AssessmentRound", on_delete=models.CASCADE, related_name="reminder_schedule"
    )
    enabled = models.BooleanField(_("send reminders for this round"), default=True)
    days_before = models.PositiveSmallIntegerField(
        _("days before the last day"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("The first reminder goes this many days before each return's own last day."),
    )
    send_on_last_day = models.BooleanField(_("remind on the last day"), default=True)
    weekly_digest = models.BooleanField(_("weekly digest to district and provincial officers"), default=True)
    digest_weekday = models.PositiveSmallIntegerField(_("digest day"), choices=Weekday.choices, default=Weekday.MONDAY)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedules")

    def __str__(self) -> str:
        return str(self.round)


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Days before the last day")
    LAST_DAY = "last_day", _("Last day")


class ReminderSentQuerySet(ScopedQuerySet):
    scope_path = "assessment__local_government__"


class ReminderSent(models.Model):
    """One reminder to one return's local government for one schedule point (kind + the last day it concerns)."""

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="reminders_sent")
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    due_date = models.DateField(_("last day reminded of"))
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(_("recipients"), blank=True)

    objects = ReminderSentQuerySet.as_manager()
    framework_objects = ReminderSentQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind", "due_date"], name="one_reminder_per_point"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.kind} {self.due_date}"


class DigestSent(models.Model):
    """One weekly digest of one round to one district or provincial officer on one day."""

    round = models.ForeignKey("assessments.AssessmentRound", on_delete=models.CASCADE, related_name="digests_sent")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField(_("sent on"))
    laggards = models.PositiveIntegerField(_("local governments listed"))
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [
            models.UniqueConstraint(fields=["round", "recipient", "sent_on"], name="one_digest_per_officer_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.recipient_id} {self.sent_on}"


class NoticeQuerySet(ScopedQuerySet):
    """A notice is its recipient's: `for_user` gives a user their own notices, of returns still in their scope."""

    scope_path = "assessment__local_government__"

    def for_user(self, user):
        return super().for_user(user).filter(recipient_id=getattr(user, "pk", None))


class Notice(models.Model):
    """What a user is told on their home page (and by e-mail) about a return: returned, accepted, reopened."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="notices")
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoticeQuerySet.as_manager()
    framework_objects = NoticeQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message


class OutgoingEmail(models.Model):
    """The outbox: every e-mail is a row written in the transaction that decided it, sent by a task after commit.

    A rolled-back decision leaves no row, so no e-mail; a mail server outage leaves the row pending for the next
    delivery run. One row per address: recipients never see each other's addresses.
    """

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice about a return")
        REMINDER = "reminder", _("Reminder")
        DIGEST = "digest", _("Weekly digest")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class CircularLevel(models.TextChoices):
    """Who the circular goes to; the sender is the office one level up (the nation, a province, a district)."""

    PROVINCE = "province", _("To the provinces (from the national office)")
    DISTRICT = "district", _("To the districts (from a provincial office)")
    LAO = "lao", _("To the local governments (from a district office)")


class CircularTemplate(models.Model):
    """The editable text of the circular for one level. `{name}` placeholders are filled from the round and the
    offices (notices.circulars.PLACEHOLDERS); a level without a row uses the default text."""

    level = models.CharField(_("level"), max_length=16, choices=CircularLevel.choices, unique=True)
    reference = models.CharField(_("reference number (ที่)"), max_length=100)
    subject = models.CharField(_("subject (เรื่อง)"), max_length=300)
    salutation = models.CharField(_("to (เรียน)"), max_length=300)
    references = models.TextField(_("reference (อ้างถึง)"), blank=True)
    enclosures = models.TextField(_("enclosures (สิ่งที่ส่งมาด้วย)"), blank=True)
    body = models.TextField(_("body"), help_text=_("Paragraphs separated by a blank line."))
    closing = models.CharField(_("closing"), max_length=200)
    signer_name = models.CharField(_("signer's name"), max_length=200)
    signer_position = models.CharField(_("signer's position"), max_length=300)
    acting_for = models.CharField(_("acting-for line"), max_length=300, blank=True)
    contact = models.TextField(_("coordinating office and phone"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("circular template")
        verbose_name_plural = _("circular templates")

    def __str__(self) -> str:
        return self.get_level_display()
