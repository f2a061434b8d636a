"""The rows and the request machinery of the authorization matrix (tests/security/test_authz_matrix.py).

Targets are named by where they sit in the two-province world of tests/conftest.py:
  LG targets:   "lg1" (world.local_government, the staff's own อปท.), "neighbour" (same district), "other_district"
                (another district of the same province), "outside" (the other province);
  unit targets: "nation", "p1", "p2" (provinces 50 and 90), "d1", "d1b" (districts 5001 and 5002 of province 50),
                "d2" (district 9001 of province 90).
What a role covers is written out below by hand (not read from the app), so the matrix checks the app's scoping
against an independent statement of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from localstandards.accounts.models import Role
from localstandards.accounts.services import grant_role
from localstandards.api.models import TokenScope
from localstandards.api.services import issue_token
from localstandards.assessments.models import Comment, Extension, QualityFlag
from localstandards.committee.models import CommitteeReport, ReportState
from localstandards.frameworks.services import create_from_spec
from localstandards.reports.models import PublicLink
from tests.assessments import factories
from tests.factories import UserFactory
from tests.reports.conftest import make_final

LG_TARGETS = ("lg1", "neighbour", "other_district", "outside")
UNIT_TARGETS = ("nation", "p1", "p2", "d1", "d1b", "d2")
ANON = "anonymous"
PERSON_ROLES = (
    "staff",
    "head",
    "district_officer",
    "province_officer",
    "national_admin",
    "committee_viewer",
    "outsider_staff",
    "outsider_province_officer",
    "no_role",
)
TOKEN_ROLES = ("token_read", "token_write")  # API tokens of world.local_government's staff
ALL_LG = frozenset(LG_TARGETS)
ALL_UNITS = frozenset(UNIT_TARGETS)

# The อปท. each role's data scope covers (tokens: the staff member's own อปท.).
LG_SCOPE: dict[str, frozenset[str]] = {
    ANON: frozenset(),
    "staff": frozenset({"lg1"}),
    "head": frozenset({"lg1"}),
    "district_officer": frozenset({"lg1", "neighbour"}),
    "province_officer": frozenset({"lg1", "neighbour", "other_district"}),
    "national_admin": ALL_LG,
    "committee_viewer": ALL_LG,
    "outsider_staff": frozenset({"outside"}),
    "outsider_province_officer": frozenset({"outside"}),
    "no_role": frozenset(),
    "token_read": frozenset({"lg1"}),
    "token_write": frozenset({"lg1"}),
}
# The units (nation, provinces, districts) whose pages each role may open; an อปท.'s people follow none.
UNIT_SCOPE: dict[str, frozenset[str]] = {
    ANON: frozenset(),
    "staff": frozenset(),
    "head": frozenset(),
    "district_officer": frozenset({"d1"}),
    "province_officer": frozenset({"p1", "d1", "d1b"}),
    "national_admin": ALL_UNITS,
    "committee_viewer": ALL_UNITS,
    "outsider_staff": frozenset(),
    "outsider_province_officer": frozenset({"p2", "d2"}),
    "no_role": frozenset(),
    "token_read": frozenset(),
    "token_write": frozenset(),
}
# The targets each role is sent to: its own อปท. or unit, a sibling at the same level (the neighbour อปท., another
# district of the province, the other province) and a parent unit, as the label says. Anonymous and role-less
# visitors have no "own": one target each.
ROLE_LG_TARGETS: dict[str, dict[str, str]] = {
    ANON: {"lg1": "none"},
    "staff": {"lg1": "own", "neighbour": "sibling", "outside": "other province"},
    "head": {"lg1": "own", "neighbour": "sibling", "outside": "other province"},
    "district_officer": {"lg1": "own", "other_district": "sibling district", "outside": "other province"},
    "province_officer": {"lg1": "own", "other_district": "own", "outside": "sibling province"},
    "national_admin": {"lg1": "own", "outside": "own"},
    "committee_viewer": {"lg1": "own", "outside": "own"},
    "outsider_staff": {"outside": "own", "lg1": "other province"},
    "outsider_province_officer": {"outside": "own", "lg1": "sibling province"},
    "no_role": {"lg1": "none"},
    "token_read": {"lg1": "own", "neighbour": "sibling", "outside": "other province"},
    "token_write": {"lg1": "own", "neighbour": "sibling", "outside": "other province"},
}
ROLE_UNIT_TARGETS: dict[str, dict[str, str]] = {
    ANON: {"p1": "none"},
    "staff": {"d1": "parent", "p1": "parent", "nation": "parent"},
    "head": {"d1": "parent", "p1": "parent", "nation": "parent"},
    "district_officer": {"d1": "own", "d1b": "sibling", "p1": "parent", "nation": "parent"},
    "province_officer": {"p1": "own", "d1b": "own", "p2": "sibling", "nation": "parent"},
    "national_admin": {"nation": "own", "d2": "own"},
    "committee_viewer": {"nation": "own", "d2": "own"},
    "outsider_staff": {"d2": "parent", "p1": "other province"},
    "outsider_province_officer": {"p2": "own", "d2": "own", "p1": "sibling", "nation": "parent"},
    "no_role": {"p1": "none"},
    "token_read": {"d1": "parent", "p1": "parent", "nation": "parent"},
    "token_write": {"d1": "parent", "p1": "parent", "nation": "parent"},
}
ROLE_FRAMEWORK_TARGETS = {role: {"published": "shared", "draft": "national"} for role in ROLE_LG_TARGETS}
UNIT_CODES = {"p1": "50", "p2": "90", "d1": "5001", "d1b": "5002", "d2": "9001"}


@dataclass
class Targets:
    """The ids every URL of the matrix is built from, per target key."""

    round_id: int
    other_round_id: int
    framework_id: int
    draft_framework_id: int
    indicator_id: int
    question_id: int
    fiscal_year: int
    frameworks: dict[str, int] = field(default_factory=dict)  # "published", "draft"
    assessment: dict[str, int] = field(default_factory=dict)
    version: dict[str, int] = field(default_factory=dict)  # each return's version, as a review form names it
    lg: dict[str, int] = field(default_factory=dict)
    evidence: dict[str, int] = field(default_factory=dict)
    extension: dict[str, int] = field(default_factory=dict)
    flag: dict[str, int] = field(default_factory=dict)
    slug: dict[str, str] = field(default_factory=dict)
    person: dict[str, int] = field(default_factory=dict)  # a staff member of each LG target
    token: dict[str, int] = field(default_factory=dict)  # a token issued by a staff member of each LG target
    report_id: int = 0
    keys: dict[str, str] = field(default_factory=dict)  # the secrets of the token roles


def build_targets(world, users, framework) -> Targets:
    """A return of every LG target, submitted, with evidence, a comment, an extension, a data-quality flag and a
    public link; a staff member and an API token in each; a finished committee report; a draft framework."""
    lgs = {
        "lg1": world.local_government,
        "neighbour": world.neighbour_same_district,
        "other_district": world.local_government_other_district,
        "outside": world.outside_local_government,
    }
    people = {"lg1": (users.staff, users.head), "outside": (users.outsider_staff, None)}
    for key in ("neighbour", "other_district", "outside"):
        staff = people.get(key, (None, None))[0]
        if staff is None:
            staff = UserFactory(username=f"staff_{key}")
            grant_role(staff, Role.LG_STAFF, lgs[key])
        head = UserFactory(username=f"head_{key}")
        grant_role(head, Role.LG_HEAD, lgs[key])
        people[key] = (staff, head)
    other_round = factories.open_test_round(framework, opens_in=-40, closes_in=-10, review_in=-5, name="รอบก่อน")
    assessment_round = factories.open_test_round(framework, name="รอบเมทริกซ์", province_may_extend=True)
    draft = create_from_spec(factories.assessment_spec("DRAFT-2568"))
    ratio = factories.indicator(framework, factories.RATIO)
    targets = Targets(
        round_id=assessment_round.pk,
        other_round_id=other_round.pk,
        framework_id=framework.pk,
        draft_framework_id=draft.pk,
        indicator_id=ratio.pk,
        question_id=factories.question(framework).pk,
        fiscal_year=assessment_round.fiscal_year,
        frameworks={"published": framework.pk, "draft": draft.pk},
    )
    today = timezone.localdate()
    for key, lg in lgs.items():
        staff, head = people[key]
        assessment = assessment_round.assessments.select_related("round", "local_government", "framework").get(
            local_government=lg
        )
        factories.fill_return(assessment, staff)
        factories.certify(assessment, head)
        targets.assessment[key] = assessment.pk
        assessment.refresh_from_db()
        targets.version[key] = assessment.version
        targets.lg[key] = lg.pk
        targets.evidence[key] = assessment.evidence.get().pk
        Comment.objects.create(assessment=assessment, author=staff, body="ความเห็นทดสอบ")
        targets.extension[key] = Extension.objects.create(
            assessment=assessment, until=today + dt.timedelta(days=15), reason="ทดสอบ", granted_by=users.national_admin
        ).pk
        targets.flag[key] = QualityFlag.objects.create(
            assessment=assessment,
            indicator=ratio,
            kind=QualityFlag.Kind.PEER_OUTLIER,
            value=Decimal(80),
            reference=Decimal(10),
            score=Decimal(5),
        ).pk
        targets.slug[key] = PublicLink.objects.create(assessment=assessment).slug
        targets.person[key] = staff.pk
        targets.token[key] = issue_token(
            staff,
            name="matrix",
            scope_level=TokenScope.LOCAL_GOVERNMENT,
            local_government=lg,
            expires_on=today + dt.timedelta(days=30),
        ).token.pk
    for role, can_write in (("token_read", False), ("token_write", True)):
        targets.keys[role] = issue_token(
            users.staff,
            name=role,
            scope_level=TokenScope.LOCAL_GOVERNMENT,
            local_government=world.local_government,
            can_write=can_write,
            expires_on=today + dt.timedelta(days=30),
        ).key
    # The public pages show a final return: the earlier round's, accepted and published.
    final = other_round.assessments.select_related("round", "local_government", "framework").get(
        local_government=world.local_government
    )
    targets.slug["final"] = make_final(final).public_link.slug
    report = CommitteeReport(
        round=assessment_round, requested_by=users.national_admin, requested_at=timezone.now(), state=ReportState.DONE
    )
    report.pdf.save("report.pdf", ContentFile(factories.pdf_bytes()), save=False)
    report.xlsx.save("report.xlsx", ContentFile(factories.xlsx_bytes()), save=False)
    report.save()
    targets.report_id = report.pk
    return targets


def clients(users, targets: Targets) -> dict[str, Client]:
    made = {ANON: Client()}
    for role in PERSON_ROLES:
        client = Client()
        client.force_login(users.by_name(role))
        made[role] = client
    for role in TOKEN_ROLES:
        made[role] = Client(headers={"Authorization": f"Bearer {targets.keys[role]}"})
    return made


# ---- one request and what came of it

OK, REDIRECT, LOGIN, DENY, BAD, NOT_ALLOWED, ERROR = "ok", "redirect", "login", "deny", "bad", "405", "500"
# Rows that a refused request may still write: the session, the login throttle, a token's use (its audit row and
# its last use), each as the statement's table and, where one table holds more, the column it sets.
IGNORED_WRITES = (
    ("django_session", ""),
    ("axes_", ""),
    ("api_apitokenuse", ""),
    ("api_apitoken", "set last_used_at"),
)


def classify(response) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return OK
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        login = str(settings.LOGIN_URL)
        login_path = "/accounts/login/" if not login.startswith("/") else login
        return LOGIN if location.startswith(login_path) else REDIRECT
    if status == 401:
        return LOGIN
    if status in (403, 404):
        return DENY
    if status == 405:
        return NOT_ALLOWED
    if status >= 500:
        return ERROR
    return BAD  # 400, 409, 422: the input was refused


def _writes(queries) -> list[str]:
    found = []
    for query in queries:
        sql = query["sql"].lstrip()
        verb = sql.split(None, 1)[0].upper() if sql else ""
        if verb not in ("INSERT", "UPDATE", "DELETE"):
            continue
        lowered = sql.lower().replace('"', "").replace("`", "")
        table = lowered.split()[2] if verb != "UPDATE" else lowered.split()[1]
        if any(table.startswith(name) and column in lowered for name, column in IGNORED_WRITES):
            continue
        found.append(sql[:160])
    return found


@dataclass
class Outcome:
    status: int
    kind: str
    writes: list[str]
    error: str = ""
    text: str = ""  # a page's text (not a file's), for the names it shows


def send(
    client: Client,
    method: str,
    url: str,
    json_body: dict | None = None,
    form: dict | None = None,
    *,
    isolate: bool = False,
) -> Outcome:
    """One request. With `isolate` (a POST or PUT by someone who may act) inside a savepoint that is rolled back, so
    every request meets the same rows. The statements that would have changed them are kept either way; anyone else
    must write nothing at all (a write of theirs fails the matrix, whatever it leaves behind)."""
    session_cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    connection.queries_log.clear()  # a full log shifts, and the captured slice would be someone else's
    block = None
    if isolate:
        block = transaction.atomic()
        block._from_testcase = True  # on-commit callbacks run when the view's own block ends (tests/commit_hooks.py)
    with CaptureQueriesContext(connection) as queries:
        if block is not None:
            block.__enter__()
        try:
            if json_body is not None:
                response = getattr(client, method.lower())(url, json_body, content_type="application/json")
            elif form is not None:
                response = client.post(url, form)
            else:
                response = getattr(client, method.lower())(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
                text = ""
            else:
                text = response.content.decode(errors="replace") if _is_text(response) else ""
        except Exception as error:  # a server error: counted and reported with its cause
            return Outcome(500, ERROR, [], repr(error)[:300])
        finally:
            if block is not None:
                transaction.set_rollback(True)
                block.__exit__(None, None, None)
    if session_cookie is not None:  # a logout (or a login page) must not end this role's session for the next row
        client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie.value
    return Outcome(response.status_code, classify(response), _writes(queries.captured_queries), text=text)


def _is_text(response) -> bool:
    content_type = response.get("Content-Type", "")
    return content_type.startswith(("text/html", "application/json", "text/plain", "text/csv"))
