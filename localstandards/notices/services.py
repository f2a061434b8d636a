"""Reminders: what is due on a day, and sending it exactly once.

The rules (see docs/reminders.md):

- Each return that is not submitted (status *draft* or *returned*) has its own last day: the round's last day of
  entry, or a later extension (`Assessment.objects.with_last_day()`); a returned return may be corrected
  until the review deadline, so its last day is at least that (`last_day_to_write`). Days are Asia/Bangkok
  dates.
- "before": from N days before that last day until the day before it (N = `ReminderSchedule.days_before`); sent
  once per return and last day, so a missed day is caught up on the next run. An extension makes a new last
  day and so new reminders for that return only.
- "last_day": on the last day itself (when `send_on_last_day`).
- Weekly digest: on `digest_weekday`, each district and provincial officer with an e-mail address gets one
  message listing the not-submitted returns in their scope (`Assessment.objects.for_user`) whose window is open.

`plan(...)` computes what is due and not yet sent; the preview page shows it and `send_due(...)` sends it.
A row in `ReminderSent` / `DigestSent` (with a unique constraint) is written in the same transaction as the
sending, so running the sender twice, or two workers at once, sends nothing new.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from localstandards.accounts.models import Role, RoleMembership, User
from localstandards.assessments.models import Assessment, AssessmentRound, Status, last_day_to_write
from localstandards.core.clock import today_in_bangkok
from localstandards.core.collation import thai
from localstandards.core.thaidate import format_date
from localstandards.notices.models import (
    DigestSent,
    Notice,
    OutgoingEmail,
    ReminderKind,
    ReminderSchedule,
    ReminderSent,
)
from localstandards.notices.outbox import queue_email
from localstandards.registry.scoping import accessible_units

logger = logging.getLogger(__name__)

LG_ROLES = (Role.LG_STAFF, Role.LG_HEAD)
OFFICER_ROLES = (Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER)


def schedule_of(round_: AssessmentRound) -> ReminderSchedule:
    """The round's schedule, or an unsaved one with the defaults (reminders on) when none was saved."""
    try:
        return round_.reminder_schedule
    except ReminderSchedule.DoesNotExist:
        return ReminderSchedule(round=round_)


def last_day_of(assessment: PendingReturn) -> dt.date:
    """The last day this return may still be submitted: extensions counted; returned ones until review.
    `assessment` comes from `pending_returns` (with its `last_day`)."""
    return last_day_to_write(assessment.last_day, assessment.status, assessment.round.review_deadline)


@dataclass
class PlannedReminder:
    kind: str
    assessment: PendingReturn
    due_date: dt.date
    recipients: list[User] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return ReminderKind(self.kind).label


@dataclass
class PlannedDigest:
    round: AssessmentRound
    recipient: User
    laggards: list[tuple[PendingReturn, dt.date]]


@dataclass
class Plan:
    reminders: list[PlannedReminder]
    digests: list[PlannedDigest]

    @property
    def messages(self) -> int:
        return sum(len(r.recipients) for r in self.reminders) + len(self.digests)


@dataclass(frozen=True, slots=True)
class PendingLocalGovernment:
    """What the reminders say of a local government (plain values, not a model row)."""

    pk: int
    dla_code: str | None
    name_th: str
    full_name_th: str
    district_id: int | None
    province_id: int

    def __str__(self) -> str:
        return self.full_name_th


@dataclass(frozen=True, slots=True)
class PendingReturn:
    """A return not submitted yet, with its last day of entry: what the plans, messages and preview read."""

    pk: int
    status: str
    last_day: dt.date
    round: AssessmentRound
    local_government: PendingLocalGovernment
    province_name: str
    district_name: str | None

    @property
    def local_government_id(self) -> int:
        return self.local_government.pk

    def get_status_display(self) -> str:
        return str(Status(self.status).label)


def pending_returns(round_: AssessmentRound) -> list[PendingReturn]:
    """The round's returns not submitted yet, each with its `last_day`, loaded once for reminders and digests.
    Plain rows with the fields the plans and messages read: a nation has thousands of them on a deadline day,
    and building model objects for them cost more than the query."""
    rows = (
        round_.assessments.awaiting_submission()
        .with_last_day()
        .order_by(
            thai("local_government__province__name_th"), thai("local_government__name_th"), "pk"
        )  # as the preview lists them
        .values_list(
            "pk",
            "status",
            "last_day",
            "local_government_id",
            "local_government__dla_code",
            "local_government__name_th",
            "local_government__full_name_th",
            "local_government__district_id",
            "local_government__province_id",
            "local_government__province__name_th",
            "local_government__district__name_th",
        )
    )
    return [
        PendingReturn(
            pk,
            status,
            last_day,
            round_,
            PendingLocalGovernment(lg_id, dla_code, name, full_name, district_id, province_id),
            province_name,
            district_name,
        )
        for (
            pk,
            status,
            last_day,
            lg_id,
            dla_code,
            name,
            full_name,
            district_id,
            province_id,
            province_name,
            district_name,
        ) in rows
    ]


def _lg_recipients(local_government_ids) -> dict[int, list[User]]:
    """Active LG_STAFF and LG_HEAD users with an e-mail address, per local government (each person once)."""
    found: dict[int, dict[int, User]] = {}
    memberships = (
        RoleMembership.objects.filter(local_government_id__in=local_government_ids, role__in=LG_ROLES)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .only("local_government_id", "user__username", "user__first_name", "user__last_name", "user__email")
        .order_by("user__username")
    )
    for membership in memberships:
        found.setdefault(membership.local_government_id, {})[membership.user_id] = membership.user
    return {lg_id: list(people.values()) for lg_id, people in found.items()}


def plan_reminders(
    round_: AssessmentRound, today: dt.date, pending: list[PendingReturn] | None = None, *, recipients: bool = True
) -> list[PlannedReminder]:
    """Reminders due on `today` and not sent yet. `pending`: the round's `pending_returns`, when already loaded;
    `recipients=False` leaves each reminder's people to `add_recipients` (the preview shows one page of them)."""
    schedule = schedule_of(round_)
    if not schedule.enabled or today < round_.opens_on:
        return []
    already = set(
        # Unscoped: the reminder job works through every return of the round.
        ReminderSent.objects.unscoped()
        .filter(assessment__round=round_)
        .values_list("assessment_id", "kind", "due_date")
    )
    due: list[PlannedReminder] = []
    for assessment in pending_returns(round_) if pending is None else pending:
        last_day = last_day_of(assessment)
        if schedule.send_on_last_day and today == last_day:
            kind = ReminderKind.LAST_DAY
        elif last_day - dt.timedelta(days=schedule.days_before) <= today < last_day:
            kind = ReminderKind.BEFORE
        else:
            continue
        if (assessment.pk, kind.value, last_day) not in already:
            due.append(PlannedReminder(kind.value, assessment, last_day))
    if recipients:
        add_recipients(due)
    return due


def add_recipients(reminders: list[PlannedReminder]) -> None:
    people = _lg_recipients({p.assessment.local_government_id for p in reminders})
    for planned in reminders:
        planned.recipients = people.get(planned.assessment.local_government_id, [])


def recipient_counts(reminders: list[PlannedReminder]) -> dict[int, int]:
    """How many e-mails each reminder's local government would get (its active people with an address), counted
    in SQL: the preview's total without loading every person."""
    rows = (
        RoleMembership.objects.filter(
            local_government_id__in={p.assessment.local_government_id for p in reminders}, role__in=LG_ROLES
        )
        .filter(user__is_active=True)
        .exclude(user__email="")
        .order_by()
        .values_list("local_government_id")
        .annotate(people=Count("user_id", distinct=True))
    )
    return dict(rows)


def plan_digests(
    round_: AssessmentRound, today: dt.date, pending: list[PendingReturn] | None = None
) -> list[PlannedDigest]:
    """Weekly digests due on `today` and not sent yet, one per officer whose scope has open returns."""
    schedule = schedule_of(round_)
    if not (schedule.enabled and schedule.weekly_digest) or today < round_.opens_on:
        return []
    if today.weekday() != schedule.digest_weekday:
        return []
    open_returns = {}
    for assessment in pending_returns(round_) if pending is None else pending:
        last_day = last_day_of(assessment)
        if last_day >= today:
            open_returns[assessment.pk] = (assessment, last_day)
    if not open_returns:
        return []
    already = set(DigestSent.objects.filter(round=round_, sent_on=today).values_list("recipient_id", flat=True))
    officer_ids = RoleMembership.objects.filter(role__in=OFFICER_ROLES).values("user_id")
    officers = list(
        User.objects.filter(is_active=True, pk__in=officer_ids)
        .exclude(email="")
        .exclude(pk__in=already)
        .order_by("username")
        .only("username", "first_name", "last_name", "email", "is_active")
    )
    # Every membership of every officer in one query (a semi-join, not an IN list of a thousand ids), put where
    # accessible_units reads a user's memberships (User.cached_memberships).
    memberships: dict[int, list[RoleMembership]] = defaultdict(list)
    for membership in RoleMembership.objects.filter(user_id__in=officer_ids).only(
        "user_id", "province_id", "district_id", "local_government_id"
    ):
        memberships[membership.user_id].append(membership)
    for officer in officers:
        officer._memberships_cache = memberships[officer.pk]
    # Each officer's returns are picked in memory from the open returns by province, district and local
    # government (the scope's own terms), not by one scoped query per officer: a nation has a thousand officers.
    by_unit: dict[tuple[str, int | None], list[tuple[PendingReturn, dt.date]]] = defaultdict(list)
    for assessment, last_day in open_returns.values():
        lg = assessment.local_government
        by_unit["province", lg.province_id].append((assessment, last_day))
        by_unit["district", lg.district_id].append((assessment, last_day))
        by_unit["local_government", lg.pk].append((assessment, last_day))

    def place(item: tuple[PendingReturn, dt.date]) -> tuple[str, str, str]:
        assessment = item[0]
        return (assessment.province_name, assessment.district_name or "", assessment.local_government.name_th)

    # Sorted by place once; each officer's list is then sorted by this rank (an integer), not by names again.
    rank = {item[0].pk: n for n, item in enumerate(sorted(open_returns.values(), key=place))}

    digests = []
    for officer in officers:
        scope = accessible_units(officer)
        if scope.nation:
            visible = list(open_returns.values())
        else:
            chosen: dict[int, tuple[PendingReturn, dt.date]] = {}
            for kind, ids in (
                ("province", scope.province_ids),
                ("district", scope.district_ids),
                ("local_government", scope.local_government_ids),
            ):
                for unit_id in ids:
                    chosen.update((item[0].pk, item) for item in by_unit.get((kind, unit_id), ()))
            visible = list(chosen.values())
        if visible:
            digests.append(PlannedDigest(round_, officer, sorted(visible, key=lambda item: rank[item[0].pk])))
    return digests


def rounds_active_on(today: dt.date):
    """Rounds whose entry has opened and where some return may still be open today."""
    return (
        AssessmentRound.objects.filter(opens_on__lte=today)
        .filter(Q(closes_on__gte=today) | Q(review_deadline__gte=today) | Q(assessments__extensions__until__gte=today))
        .distinct()
        .order_by("pk")
    )


def plan(today: dt.date, rounds=None) -> Plan:
    rounds = list(rounds_active_on(today) if rounds is None else rounds)
    reminders, digests = [], []
    for round_ in rounds:
        pending = pending_returns(round_)
        reminders += plan_reminders(round_, today, pending)
        digests += plan_digests(round_, today, pending)
    return Plan(reminders, digests)


# ---------------------------------------------------------------- messages (always in Thai: no request here)


def _link(name: str, *args, query: str = "") -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args) + query


def reminder_message(planned: PlannedReminder, today: dt.date) -> tuple[str, str]:
    assessment = planned.assessment
    lg = assessment.local_government.full_name_th
    with translation.override("th"):
        values = {
            "lg": lg,
            "round": assessment.round.name,
            "date": format_date(planned.due_date),
            "days": (planned.due_date - today).days,
        }
        if planned.kind == ReminderKind.LAST_DAY:
            subject = _("Today is the last day to submit the return of %(lg)s") % values
            lead = _("Today, %(date)s, is the last day to submit the return of %(lg)s for %(round)s.") % values
        else:
            subject = (
                ngettext(
                    "%(days)s day left to submit the return of %(lg)s",
                    "%(days)s days left to submit the return of %(lg)s",
                    values["days"],
                )
                % values
            )
            lead = (
                _("The return of %(lg)s for %(round)s has not been submitted yet. The last day is %(date)s.") % values
            )
        lines = [lead]
        if assessment.status == Status.RETURNED:
            lines.append(_("It was returned for correction: correct it, then certify and submit it again."))
        lines.append(_("Open the return:") + " " + _link("assessments:overview", assessment.pk))
        lines.append(_("This is an automatic reminder from the minimum-standards assessment system."))
        return "[" + _("Minimum standards") + "] " + subject, "\n\n".join(lines) + "\n"


def digest_message(planned: PlannedDigest) -> tuple[str, str]:
    with translation.override("th"):
        count = len(planned.laggards)
        subject = ngettext(
            "Weekly digest: %(count)s local government has not submitted (%(round)s)",
            "Weekly digest: %(count)s local governments have not submitted (%(round)s)",
            count,
        ) % {"count": count, "round": planned.round.name}
        rows = []
        for assessment, last_day in planned.laggards:
            lg = assessment.local_government
            place = assessment.district_name or assessment.province_name
            rows.append(
                "- "
                + _("%(lg)s (%(place)s): %(status)s, last day %(date)s")
                % {
                    "lg": lg.full_name_th,
                    "place": place,
                    "status": assessment.get_status_display(),
                    "date": format_date(last_day),
                }
            )
        body = "\n\n".join(
            [
                _("These local governments in your area have not submitted their return for %(round)s:")
                % {"round": planned.round.name},
                "\n".join(rows),
                _("Follow the returns:") + " " + _link("assessments:list", query=f"?round={planned.round.pk}"),
                _("This is an automatic reminder from the minimum-standards assessment system."),
            ]
        )
        return "[" + _("Minimum standards") + "] " + subject, body + "\n"


# ---------------------------------------------------------------- sending


def deliver_reminder(planned: PlannedReminder, today: dt.date) -> int:
    """Record one reminder and queue its e-mails; 0 when nobody has an address or it was recorded already."""
    addresses = [u.email for u in planned.recipients if u.email]
    if not addresses:
        return 0
    subject, body = reminder_message(planned, today)
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                assessment_id=planned.assessment.pk,
                kind=planned.kind,
                due_date=planned.due_date,
                sent_on=today,
                recipients=", ".join(addresses),
            )
            return queue_email(OutgoingEmail.Kind.REMINDER, subject, body, addresses)
    except IntegrityError:  # recorded by an earlier (or concurrent) run: sent once only
        return 0


def deliver_digest(planned: PlannedDigest, today: dt.date) -> int:
    subject, body = digest_message(planned)
    try:
        with transaction.atomic():
            DigestSent.objects.create(
                round=planned.round, recipient=planned.recipient, sent_on=today, laggards=len(planned.laggards)
            )
            return queue_email(OutgoingEmail.Kind.DIGEST, subject, body, [planned.recipient.email])
    except IntegrityError:
        return 0


def send_due(today: dt.date | None = None, rounds=None) -> dict[str, int]:
    """Queue everything due on `today` (Bangkok) that was not sent before; returns counts of e-mails queued."""
    today = today or today_in_bangkok()
    due = plan(today, rounds)
    counts = {"reminders": 0, "digests": 0}
    for planned in due.reminders:
        counts["reminders"] += deliver_reminder(planned, today)
    for planned in due.digests:
        counts["digests"] += deliver_digest(planned, today)
    logger.info("reminders for %s: %s", today.isoformat(), counts)
    return counts


# ---------------------------------------------------------------- notices about a return's status


def people_of(assessment: Assessment):
    """The local government's users and its reviewers at the round's enabled levels."""
    lg = assessment.local_government
    wanted = Q(local_government=lg, role__in=[Role.LG_STAFF, Role.LG_HEAD])
    if assessment.round.district_review and lg.district_id:
        wanted |= Q(role=Role.DISTRICT_OFFICER, district_id=lg.district_id)
    if assessment.round.province_review:
        wanted |= Q(role=Role.PROVINCE_OFFICER, province_id=lg.province_id)
    return User.objects.filter(pk__in=RoleMembership.objects.filter(wanted).values("user_id"), is_active=True)


def notify(assessment: Assessment, template: str) -> None:
    """A notice on the home page of everyone concerned, and one e-mail each (through the outbox)."""
    message = template % {"lg": assessment.local_government.full_name_th}
    recipients = list(people_of(assessment))
    link = settings.SITE_URL.rstrip("/") + reverse("assessments:overview", args=[assessment.pk])
    with transaction.atomic():
        Notice.objects.bulk_create([Notice(recipient=u, assessment=assessment, message=message) for u in recipients])
        queue_email(
            OutgoingEmail.Kind.NOTICE,
            "[{}] {}".format(_("Minimum standards"), message),
            "{}\n\n{} {}\n".format(message, _("Open the return:"), link),
            [u.email for u in recipients],
        )


def status_notice(transition: str, new_status: str) -> str | None:
    """What the people concerned are told about a status change, or None for a change nobody needs to hear of."""
    if transition == "reopen":
        return _("The return of %(lg)s was reopened.")
    if new_status == Status.RETURNED:
        return _("The return of %(lg)s was returned for correction.")
    if new_status == Status.ACCEPTED:
        return _("The return of %(lg)s was accepted.")
    return None


def on_status_changed(sender, *, assessment_id: int, transition: str, new_status: str, **kwargs) -> None:
    """Receiver of assessments.signals.status_changed (connected in NoticesConfig.ready)."""
    template = status_notice(transition, new_status)
    if template is None:
        return
    # Unscoped: the reminder job works through every return of the round.
    assessment = Assessment.objects.unscoped().select_related("round", "local_government").get(pk=assessment_id)
    notify(assessment, template)
