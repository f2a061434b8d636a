"""Progress of a round at every level (nation → region → province → district → local government).

Counts come straight from the returns' statuses; everything is scoped through `Assessment.objects.for_user`.
States shown: not started (a draft nobody has touched), in progress, awaiting review, returned, final (accepted).
Reporting rate = returns submitted at least once ÷ expected; on-time rate = first submissions made by the end
of the return's own last day (the round's, or a later extension) ÷ expected.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, FloatField, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Floor, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from localstandards.accounts.models import Role, RoleMembership
from localstandards.assessments.models import Answer, Assessment, AssessmentRound, SatisfactionAnswer, Status
from localstandards.core.clock import days_after, end_of_day
from localstandards.core.collation import thai, thai_sort_key
from localstandards.frameworks.services import indicator_applies, load_tree
from localstandards.registry.models import Region

STATE_LABELS = {
    "not_started": _("Not started"),
    "in_progress": _("In progress"),
    "awaiting_review": _("Awaiting review"),
    "returned": _("Returned"),
    "final": _("Final"),
}
LEVELS = ("nation", "region", "province", "district")


def state_of(status: str, last_activity_at) -> str:
    if status == Status.DRAFT:
        return "in_progress" if last_activity_at else "not_started"
    if status in Status.AWAITING_REVIEW:
        return "awaiting_review"
    if status == Status.RETURNED:
        return "returned"
    return "final"


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ProgressRow:
    key: str
    label: str
    expected: int = 0
    states: Counter = field(default_factory=Counter)
    submitted: int = 0
    on_time: int = 0

    @property
    def reporting_rate(self) -> Decimal | None:
        return _percent(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _percent(self.on_time, self.expected)

    def state_counts(self) -> list[int]:
        return [self.states.get(state, 0) for state in STATE_LABELS]

    def add(self, other: ProgressRow) -> None:
        self.expected += other.expected
        self.states.update(other.states)
        self.submitted += other.submitted
        self.on_time += other.on_time


@dataclass
class Progress:
    assessment_round: AssessmentRound
    rows: list[ProgressRow]
    total: ProgressRow
    daily: list[tuple[dt.date, int, int]]  # day, first submissions that day, cumulative
    days_left: int


GROUPING = {
    # level: (field to group by, how to label a group)
    "nation": "local_government__province__region",
    "region": "local_government__province__code",
    "province": "local_government__district__code",
    "district": "local_government_id",
}


def returns_in(user, assessment_round: AssessmentRound, level: str, code: str | None):
    queryset = Assessment.objects.for_user(user).filter(round=assessment_round)
    if level == "region":
        queryset = queryset.filter(local_government__province__region=code)
    elif level == "province":
        queryset = queryset.filter(local_government__province__code=code)
    elif level == "district":
        queryset = queryset.filter(local_government__district__code=code)
    return queryset


def compute(user, assessment_round: AssessmentRound, level: str, code: str | None = None, today=None) -> Progress:
    """Counts per child unit of (level, code), in one query over the returns in the user's scope."""
    group = GROUPING[level]
    rows_by_key: dict[str, ProgressRow] = {}
    daily_counter: Counter = Counter()
    values = (
        returns_in(user, assessment_round, level, code)
        .with_last_day()
        .values_list(
            group,
            "status",
            "last_activity_at",
            "first_submitted_at",
            "last_day",
            "local_government__province__name_th",
            "local_government__district__name_th",
            "local_government__full_name_th",
        )
    )
    closes_on = assessment_round.closes_on
    for key, status, activity, first_submitted, last_day, province_name, district_name, lg_name in values:
        key = str(key) if key is not None else "-"
        label = {
            "nation": str(Region(key).label) if key in Region.values else "-",
            "region": province_name,
            "province": district_name or "-",
            "district": lg_name,
        }[level]
        row = rows_by_key.setdefault(key, ProgressRow(key=key, label=label))
        row.expected += 1
        row.states[state_of(status, activity)] += 1
        if first_submitted:
            row.submitted += 1
            if first_submitted < end_of_day(last_day):
                row.on_time += 1
            daily_counter[timezone.localtime(first_submitted).date()] += 1
    rows = sorted(rows_by_key.values(), key=lambda r: thai_sort_key(r.label or ""))
    total = ProgressRow(key="total", label=str(_("Total")))
    for row in rows:
        total.add(row)
    today = today or timezone.localdate()
    # The curve covers the window and late submissions up to 60 days after it, never past today.
    start = assessment_round.opens_on
    last_submission = max(daily_counter, default=closes_on)
    end = min(max(closes_on, last_submission), days_after(closes_on, 60), max(today, start))
    daily, running = [], 0
    day = start
    while day <= end:
        running += daily_counter.get(day, 0)
        daily.append((day, daily_counter.get(day, 0), running))
        day += dt.timedelta(days=1)
    days_left = max((closes_on - today).days, 0)
    return Progress(assessment_round, rows, total, daily, days_left)


@dataclass
class Laggard:
    assessment: Assessment
    state: str
    progress_percent: int
    contacts: list[Contact]


def applicable_counts(framework) -> dict[str, int]:
    """How many indicators (plus satisfaction questions) each type of local government must answer."""
    tree = load_tree(framework)
    # From the prefetched tree: no further query, whatever the number of types.
    indicators = [i for area in tree.areas.all() for m in area.missions.all() for i in m.indicators.all()]
    questions = sum(len(area.questions.all()) for area in tree.areas.all())
    counts = {}
    from localstandards.registry.models import LocalGovernmentType

    for kind in LocalGovernmentType.values:
        counts[kind] = questions + sum(1 for i in indicators if indicator_applies(i, kind)[0])
    return counts


# A not-submitted return's state (see state_of) as a filter on the returns awaiting submission.
_STATE_FILTERS = {
    "not_started": Q(status=Status.DRAFT, last_activity_at__isnull=True),
    "in_progress": Q(status=Status.DRAFT, last_activity_at__isnull=False),
    "returned": Q(status=Status.RETURNED),
}


def _answered(model, path: str = "pk"):
    """How many of the return's answers were saved at least once: one grouped subquery per table.

    Counting both tables in one JOIN multiplies the rows (indicators × questions per return, about a million
    for the nation); two separate counts read each answer once, from the partial indexes on saved answers
    (assessments migration 0006: an index-only scan).
    """
    counted = (
        model.objects.filter(assessment=OuterRef(path), version__gt=0)
        .order_by()
        .values("assessment")
        .annotate(n=Count("assessment"))  # the indexed column: an index-only scan
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _progress_percent(required: dict[str, int]):
    """min(100, answered × 100 ÷ required for the type), rounded half up, in SQL, so the list sorts by it."""
    needed = Case(
        *(When(local_government__type=kind, then=Value(max(count, 1))) for kind, count in required.items()),
        default=Value(1),
        output_field=IntegerField(),
    )
    share = Cast(F("answered") * 100, FloatField()) / needed
    return Least(Cast(Floor(share + 0.5), IntegerField()), Value(100))


# What the list and its exports show of a return: building fewer fields per row matters at thousands of rows.
LAGGARD_FIELDS = (
    "status",
    "last_activity_at",
    "round_id",
    "local_government__dla_code",
    "local_government__name_th",
    "local_government__full_name_th",
    "local_government__type",
)


def laggards_queryset(
    user,
    assessment_round: AssessmentRound,
    level: str,
    code: str | None,
    *,
    state: str = "",
    lg_type: str = "",
    order: str = "name",
    required: dict[str, int] | None = None,
):
    """Returns in scope not yet submitted (or sent back), filtered and ordered in SQL, so a page of them is one
    LIMIT query and their number one COUNT. `order="progress"` annotates each row's progress (it sorts by it)."""
    queryset = (
        returns_in(user, assessment_round, level, code)
        .awaiting_submission()
        .select_related("local_government")
        .only(*LAGGARD_FIELDS)
        # Names rather than the province and district rows: two objects per row instead of four.
        .annotate(
            province_name=F("local_government__province__name_th"),
            district_name=F("local_government__district__name_th"),
        )
    )
    if lg_type:
        queryset = queryset.filter(local_government__type=lg_type)
    if state:
        queryset = queryset.filter(_STATE_FILTERS[state]) if state in _STATE_FILTERS else queryset.none()
    name = (thai("local_government__name_th"), "pk")
    if order == "progress":
        required = required if required is not None else applicable_counts(assessment_round.framework)
        # `answered` is an alias, not a column: PostgreSQL would run its subqueries again for the output rows.
        # The page's rows get their counts from laggard_items (two grouped queries for those rows only).
        queryset = (
            queryset.alias(answered=_answered(Answer) + _answered(SatisfactionAnswer))
            .annotate(progress=_progress_percent(required))
            .order_by("progress", *name)
        )
    elif order == "activity":
        # Longest without activity first; never active at the very top.
        return queryset.order_by(F("last_activity_at").asc(nulls_first=True), *name)
    else:
        queryset = queryset.order_by(*name)
    return queryset


def _answered_counts(assessment_ids: list[int]) -> Counter:
    """Answers saved at least once per return, for these returns only (two grouped queries)."""
    counts: Counter = Counter()
    for model in (Answer, SatisfactionAnswer):
        rows = (
            # Unscoped: counts for returns already narrowed to the user's scope, or the public national rates.
            model.objects.unscoped()
            .filter(assessment_id__in=assessment_ids, version__gt=0)
            .order_by()
            .values_list("assessment_id")
            .annotate(n=Count("assessment_id"))
        )
        counts.update(dict(rows))
    return counts


@dataclass(frozen=True)
class Contact:
    """Whom to call about a return: an active head or staff member of the local government."""

    user_id: int
    name: str
    phone: str
    email: str

    def __str__(self) -> str:
        return self.name


def _contacts(local_government_ids) -> dict[int, list[Contact]]:
    """Active heads and staff of these local governments (a list, or a subquery of ids), heads first; plain rows,
    not model instances (an export of the nation reads about two per return)."""
    contacts: dict[int, list[Contact]] = defaultdict(list)
    rows = (
        RoleMembership.objects.filter(
            local_government_id__in=local_government_ids,
            role__in=[Role.LG_HEAD, Role.LG_STAFF],
            user__is_active=True,
        )
        .order_by("role", "user__first_name", "pk")
        .values_list(
            "local_government_id",
            "user_id",
            "user__username",
            "user__first_name",
            "user__last_name",
            "user__phone",
            "user__email",
        )
    )
    for lg_id, user_id, username, first_name, last_name, phone, email in rows:
        # The name as User.__str__ gives it: the full name, or the username when there is none.
        name = f"{first_name} {last_name}".strip() or username
        contacts[lg_id].append(Contact(user_id, name, phone, email))
    return contacts


def _laggard(assessment: Assessment, required: dict[str, int], contacts: dict[int, list[Contact]]) -> Laggard:
    needed = required.get(assessment.local_government.type) or 1
    # Half up, as _progress_percent sorts in SQL.
    percent = min(100, int(Decimal(assessment.answered * 100) / needed + Decimal("0.5")))
    return Laggard(
        assessment,
        state_of(assessment.status, assessment.last_activity_at),
        percent,
        contacts.get(assessment.local_government_id, []),
    )


def laggard_items(assessments, required: dict[str, int]) -> list[Laggard]:
    """The rows of one page: their progress and contacts in three queries whatever their number."""
    assessments = list(assessments)
    answered = _answered_counts([a.pk for a in assessments])
    for assessment in assessments:
        assessment.answered = answered.get(assessment.pk, 0)
    contacts = _contacts(sorted({a.local_government_id for a in assessments}))
    return [_laggard(assessment, required, contacts) for assessment in assessments]


def iter_laggards(queryset, required: dict[str, int], batch_size: int = 500) -> Iterator[Laggard]:
    """Every row of `queryset` as a Laggard, read in batches of `batch_size` (a server-side cursor on PostgreSQL),
    so an export of the nation never holds all its returns: three queries in all, whatever the number of rows
    (the people to call, then the returns with their answered counts computed in SQL)."""
    contacts = _contacts(queryset.values("local_government_id"))
    rows = queryset.annotate(saved_answers=_answered(Answer) + _answered(SatisfactionAnswer))
    for assessment in rows.iterator(chunk_size=batch_size):
        assessment.answered = assessment.saved_answers
        yield _laggard(assessment, required, contacts)


def laggards(
    user,
    assessment_round: AssessmentRound,
    level: str,
    code: str | None,
    *,
    state: str = "",
    lg_type: str = "",
    order: str = "name",
) -> list[Laggard]:
    """Every return in scope not yet submitted (or sent back), with progress and whom to call."""
    required = applicable_counts(assessment_round.framework)
    queryset = laggards_queryset(
        user, assessment_round, level, code, state=state, lg_type=lg_type, order=order, required=required
    )
    return list(iter_laggards(queryset, required))


def public_rates(assessment_round: AssessmentRound) -> tuple[ProgressRow, list[ProgressRow]]:
    """National and per-province reporting rates only (no per-local-government detail), for the public page."""
    total = ProgressRow(key="total", label=str(_("Whole country")))
    rows: dict[str, ProgressRow] = {}
    for code, name, submitted, expected in (
        # Unscoped: counts for returns already narrowed to the user's scope, or the public national rates.
        Assessment.objects.unscoped()
        .filter(round=assessment_round)
        .values_list("local_government__province__code", "local_government__province__name_th")
        .annotate(submitted=Count("pk", filter=Q(first_submitted_at__isnull=False)), expected=Count("pk"))
        .order_by(thai("local_government__province__name_th"))
    ):
        row = ProgressRow(key=code, label=name, expected=expected, submitted=submitted)
        rows[code] = row
        total.add(row)
    return total, list(rows.values())


def top_level(user) -> tuple[str, str] | None:
    """Where a user's progress page opens: the nation, their province, or their district."""
    from localstandards.registry.scoping import accessible_units

    if accessible_units(user).nation:
        return "nation", "all"
    for membership in user.cached_memberships:
        if membership.role == Role.PROVINCE_OFFICER:
            return "province", membership.province.code
    for membership in user.cached_memberships:
        if membership.role == Role.DISTRICT_OFFICER:
            return "district", membership.district.code
    return None


def latest_round() -> AssessmentRound | None:
    return AssessmentRound.objects.order_by("-fiscal_year", "-opens_on").first()
