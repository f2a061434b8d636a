"""The online citizen survey: rules for answering, abuse resistance, counts for the scores, and exclusions.

Abuse resistance without personal data and without any outside service:
- a light proof of work: the page carries a signed, single-use challenge; the browser finds a counter whose
  SHA-256 of "challenge:counter" starts with `POW_BITS` zero bits (about 16,000 tries, well under a second);
- a rate limit per client: responses per hour per network address, counted in the cache under a keyed digest of
  the address (the address itself is never stored, and the counter expires after the hour);
- one response per browser per return: a signed cookie per round holds a random token; the database keeps only its
  SHA-256, unique per return, so a second response from the same browser is refused even when sent twice at once.

Counts flow into the scores through `counted_satisfaction`, which the app registers as a satisfaction source of
`scoring.services` (the paper counts stay in SatisfactionAnswer; the two are summed in the results).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments.models import Assessment, SatisfactionAnswer, Status
from localstandards.assessments.permissions import Action, may
from localstandards.assessments.services.rounds import entry_window
from localstandards.frameworks.models import SatisfactionQuestion
from localstandards.public.models import SurveyAnswer, SurveyExclusion, SurveyResponse
from localstandards.scoring.services import rescore_assessment

POW_BITS = 14
CHALLENGE_MAX_AGE = 2 * 3600  # seconds a page may stay open before it is sent
RATE_LIMIT = 30  # responses per hour from one network address (households and phones share addresses)
RATE_WINDOW = 3600
COMMENT_MAX = 1000
COOKIE_MAX_AGE = 400 * 24 * 3600
_SALT = "localstandards.public.survey"


class SurveyError(Exception):
    """A refusal with a message for the citizen (Thai in the Thai interface)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------- open or closed


def is_open(assessment: Assessment, now: dt.datetime | None = None) -> bool:
    """Open while the local government prepares its return: inside its entry window (extensions counted) and before
    its first submission (the certified counts must not move after that, nor during a correction)."""
    return assessment.status == Status.DRAFT and entry_window(assessment, now).is_open


def questions(assessment: Assessment) -> list[SatisfactionQuestion]:
    return list(
        SatisfactionQuestion.objects.filter(framework_id=assessment.framework_id)
        .select_related("area")
        .order_by("area__order", "order", "pk")
    )


# ---------------------------------------------------------------- proof of work


def new_challenge(assessment_id: int) -> str:
    return signing.dumps({"a": assessment_id, "n": secrets.token_hex(8)}, salt=_SALT, compress=False)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def work_is_done(challenge: str, counter: str, bits: int | None = None) -> bool:
    bits = POW_BITS if bits is None else bits
    digest = hashlib.sha256(f"{challenge}:{counter}".encode()).digest()
    return leading_zero_bits(digest) >= bits


def solve(challenge: str, bits: int | None = None) -> str:
    """What the browser does (for tests and scripts)."""
    bits = POW_BITS if bits is None else bits
    counter = 0
    while not work_is_done(challenge, str(counter), bits):
        counter += 1
    return str(counter)


def check_challenge(challenge: str, counter: str, assessment_id: int) -> None:
    """The challenge was made by us for this return, recently, is used once, and the work is done."""
    try:
        data = signing.loads(challenge, salt=_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.BadSignature:
        raise SurveyError(_("The form has expired. Please open the survey again."), "challenge") from None
    if data.get("a") != assessment_id or not counter or len(counter) > 20 or not counter.isdigit():
        raise SurveyError(_("The form could not be checked. Please open the survey again."), "challenge")
    if not work_is_done(challenge, counter):
        raise SurveyError(_("The form could not be checked. Please open the survey again."), "challenge")
    if not cache.add(f"survey-challenge:{data['n']}", 1, CHALLENGE_MAX_AGE):
        raise SurveyError(_("This form was already sent. Please open the survey again."), "challenge")


# ---------------------------------------------------------------- rate limit and browser token


def client_key(address: str) -> str:
    """A keyed digest of the network address: the cache never holds the address itself."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def take_rate(address: str) -> None:
    """Count one response from this address in the current hour; refuse above RATE_LIMIT."""
    key = f"survey-rate:{client_key(address)}:{int(timezone.now().timestamp()) // RATE_WINDOW}"
    cache.add(key, 0, RATE_WINDOW + 60)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW + 60)
        used = 1
    if used > RATE_LIMIT:
        raise SurveyError(_("Too many responses from your network in the last hour. Please try again later."), "rate")


def cookie_name(round_id: int) -> str:
    return f"survey{round_id}"


def new_browser_token() -> str:
    return secrets.token_urlsafe(24)


def browser_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_answered(assessment: Assessment, token: str | None) -> bool:
    return (
        bool(token)
        # Unscoped: the citizen survey is public; this reads one return's responses.
        and SurveyResponse.objects.unscoped().filter(assessment=assessment, browser=browser_digest(token)).exists()
    )


# ---------------------------------------------------------------- answering


def submit(
    assessment: Assessment,
    choices: dict[int, bool],
    comment: str,
    *,
    token: str,
    challenge: str,
    counter: str,
    address: str,
    now: dt.datetime | None = None,
) -> SurveyResponse:
    """Record one response: every question answered, the survey open, the work done, within the rate limit, and
    the first from this browser. Refusals raise SurveyError and write nothing."""
    now = now or timezone.now()
    if not is_open(assessment, now):
        raise SurveyError(_("This survey is closed."), "closed")
    wanted = {q.pk for q in questions(assessment)}
    if not wanted or set(choices) != wanted:
        raise SurveyError(_("Please answer every question."), "incomplete")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise SurveyError(_("The comment is too long (at most 1,000 characters)."), "comment")
    check_challenge(challenge, counter, assessment.pk)
    if has_answered(assessment, token):
        raise SurveyError(_("You have already answered this survey. Thank you."), "duplicate")
    take_rate(address)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                assessment=assessment, browser=browser_digest(token), comment=comment, created_at=now
            )
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=response, question_id=question_id, satisfied=satisfied)
                for question_id, satisfied in sorted(choices.items())
            )
    except IntegrityError:  # the same browser twice at once: the unique constraint decides
        raise SurveyError(_("You have already answered this survey. Thank you."), "duplicate") from None
    return response


# ---------------------------------------------------------------- counts


@dataclass(frozen=True)
class CountRow:
    """One question's counted online answers, as scoring.services.build_input reads satisfaction rows."""

    question_id: int
    satisfied: int
    needs_improvement: int


def counted_satisfaction(assessment_ids: Sequence[int]) -> dict[int, list[CountRow]]:
    """The satisfaction source registered with scoring: online answers not excluded, per return and question."""
    counts: dict[int, list[CountRow]] = defaultdict(list)
    rows = (
        # Unscoped: the citizen survey is public; this reads one return's responses.
        SurveyAnswer.objects.unscoped()
        .filter(response__assessment_id__in=list(assessment_ids), response__exclusion__isnull=True)
        .values("response__assessment_id", "question_id")
        .annotate(yes=Count("pk", filter=Q(satisfied=True)), no=Count("pk", filter=Q(satisfied=False)))
        .order_by("response__assessment_id", "question_id")
    )
    for row in rows:
        counts[row["response__assessment_id"]].append(CountRow(row["question_id"], row["yes"], row["no"]))
    return counts


@dataclass
class QuestionCounts:
    question: SatisfactionQuestion
    paper_satisfied: int = 0
    paper_needs_improvement: int = 0
    online_satisfied: int = 0
    online_needs_improvement: int = 0

    @property
    def satisfied(self) -> int:
        return self.paper_satisfied + self.online_satisfied

    @property
    def needs_improvement(self) -> int:
        return self.paper_needs_improvement + self.online_needs_improvement


def question_counts(assessment: Assessment) -> list[QuestionCounts]:
    """Per question: the paper counts typed in, the online counts, and their sum (what the score uses)."""
    rows = {q.pk: QuestionCounts(q) for q in questions(assessment)}
    # Unscoped: the citizen survey is public; this reads one return's responses.
    for answer in SatisfactionAnswer.objects.unscoped().filter(assessment=assessment):
        if answer.question_id in rows:
            rows[answer.question_id].paper_satisfied = answer.satisfied or 0
            rows[answer.question_id].paper_needs_improvement = answer.needs_improvement or 0
    for row in counted_satisfaction([assessment.pk]).get(assessment.pk, []):
        if row.question_id in rows:
            rows[row.question_id].online_satisfied = row.satisfied
            rows[row.question_id].online_needs_improvement = row.needs_improvement
    return list(rows.values())


@dataclass
class Hour:
    starts_at: dt.datetime  # Bangkok time
    responses: int = 0
    excluded: int = 0
    satisfied: int = 0
    needs_improvement: int = 0


def by_hour(assessment: Assessment) -> list[Hour]:
    """Responses per hour (Bangkok time), latest first, with how many were excluded and the answers counted."""
    hours: dict[dt.datetime, Hour] = {}
    answers = dict(
        (row["response_id"], (row["yes"], row["no"]))
        # Unscoped: the citizen survey is public; this reads one return's responses.
        for row in SurveyAnswer.objects.unscoped()
        .filter(response__assessment=assessment)
        .values("response_id")
        .annotate(yes=Count("pk", filter=Q(satisfied=True)), no=Count("pk", filter=Q(satisfied=False)))
        .order_by()
    )
    for pk, created_at, exclusion_id in (
        # Unscoped: the citizen survey is public; this reads one return's responses.
        SurveyResponse.objects.unscoped().filter(assessment=assessment).values_list("pk", "created_at", "exclusion_id")
    ):
        start = timezone.localtime(created_at).replace(minute=0, second=0, microsecond=0)
        hour = hours.setdefault(start, Hour(start))
        hour.responses += 1
        if exclusion_id:
            hour.excluded += 1
        else:
            yes, no = answers.get(pk, (0, 0))
            hour.satisfied += yes
            hour.needs_improvement += no
    return sorted(hours.values(), key=lambda hour: hour.starts_at, reverse=True)


# ---------------------------------------------------------------- exclusion


def may_exclude(user, assessment: Assessment) -> bool:
    """The reviewers of the return and its head (who certifies it); never once the results are final."""
    return not assessment.is_final and may(user, Action.EXCLUDE_SURVEY, assessment)


def exclude(assessment: Assessment, user, starts_at: dt.datetime, ends_at: dt.datetime, reason: str) -> SurveyExclusion:
    """Take the responses received in [starts_at, ends_at) out of the counts, recording who, when and why."""
    reason = (reason or "").strip()
    if not may_exclude(user, assessment):
        raise SurveyError(_("You may not exclude responses of this return."), "forbidden")
    if not reason:
        raise SurveyError(_("Please give the reason for excluding these responses."), "reason")
    if ends_at <= starts_at:
        raise SurveyError(_("The end must be after the start."), "range")
    with transaction.atomic():
        # Unscoped: the citizen survey is public; this reads one return's responses.
        batch = SurveyResponse.objects.unscoped().filter(
            assessment=assessment, exclusion__isnull=True, created_at__gte=starts_at, created_at__lt=ends_at
        )
        ids = list(batch.select_for_update().values_list("pk", flat=True))
        if not ids:
            raise SurveyError(_("There are no counted responses in this period."), "empty")
        exclusion = SurveyExclusion.objects.create(
            assessment=assessment,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            responses=len(ids),
            excluded_by=user,
        )
        # Unscoped: the citizen survey is public; this reads one return's responses.
        SurveyResponse.objects.unscoped().filter(pk__in=ids).update(exclusion=exclusion)
        rescore_assessment(assessment)  # the stored results follow at once (they do not watch the survey)
    return exclusion
