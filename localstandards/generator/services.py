"""Generate a whole round (and the round before it) over the registry, in bulk, for benchmarks, demos and reports.

What the app would have produced, written in bulk (`fast_insert`: COPY on PostgreSQL) instead of one service call
per row:
- officers for every level with contacts, under stable usernames (`usernames_for` …), reused on the next run;
- the current round, open today (its last day a week ahead: the deadline rush), and a previous round (the fiscal
  year before, closed and mostly accepted) that the data-quality check and comparisons read;
- every return filled with plausible values per type of local government: some blank, some half-done, some
  returned for correction, most submitted or accepted, with certification, receipt checksum, satisfaction counts,
  evidence rows and the status history the timeline reads;
- the stored results of every return that changed status (submitted, returned, accepted), as the rescore task
  would have stored them: the pure scoring functions (`scoring.scoring.score_return`) on the rows in memory, with
  the same rounding (tests/generator compares them with `scoring.services.compute_results`).

Not written: notices and e-mails (nobody is told about generated data), data-quality flags (`manage.py
check_quality` computes them) and the history of each answer (the autosave writes it from the first real save on).
Every evidence row points at one tiny PDF stored once (`SHARED_EVIDENCE_NAME`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import random
import time
import zlib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.accounts.models import Role, RoleMembership, User
from localstandards.analysis.aggregates import refresh_round
from localstandards.assessments.models import (
    Answer,
    Assessment,
    AssessmentRound,
    Comment,
    Evidence,
    ReviewLevel,
    SatisfactionAnswer,
    Status,
)
from localstandards.core.clock import end_of_day
from localstandards.frameworks import expressions
from localstandards.frameworks.evaluation import (
    EvaluationFailure,
    check_rules,
    indicator_applies,
    record_failures,
    rule_values,
)
from localstandards.frameworks.models import Framework, Indicator, Kind, SatisfactionQuestion
from localstandards.frameworks.models import Status as FrameworkStatus
from localstandards.frameworks.rules import ABOVE, DEVELOP, MEETS, NO_SERVICE, NOT_DONE
from localstandards.frameworks.services import import_workbook, load_tree
from localstandards.registry.models import District, LocalGovernment, LocalGovernmentType, Province
from localstandards.scoring import scoring
from localstandards.scoring.models import AreaScore, IndicatorResultRecord, ReturnScore
from localstandards.scoring.services import indicator_input, parameters_of

logger = logging.getLogger(__name__)

SAMPLE_WORKBOOK = Path(__file__).resolve().parents[1] / "frameworks" / "samples" / "framework-2567-sample.xlsx"
SHARED_EVIDENCE_NAME = "evidence/generated/shared-evidence.pdf"
BATCH = 2000
# Words in a database name that say it is not production (see `is_production_database`).
NON_PRODUCTION_WORDS = ("test", "bench", "demo", "dev", "tmp", "scratch")

_THOUSANDTH = Decimal("0.001")


class GeneratorError(Exception):
    """A refusal with a message for the person who ran the command."""


# ---- Where it may run


def generated_round(seed: int) -> AssessmentRound | None:
    """The current round generated with `seed`, if there is one (its name ends with the seed)."""
    return AssessmentRound.objects.filter(name__endswith=f"(seed {seed})").order_by("-fiscal_year", "-pk").first()


def database_name() -> str:
    """The default database's name (the file name for SQLite)."""
    return Path(str(settings.DATABASES["default"]["NAME"])).name


def is_production_database(*, debug: bool | None = None, name: str | None = None) -> bool:
    """Production, for this command: DEBUG is off and the database's name has none of NON_PRODUCTION_WORDS.

    A developer's database runs with DEBUG on; a bench, demo or test database says so in its name even when it is
    served with production settings (the benchmark serves a throw-away `…bench…` database with DEBUG off).
    """
    debug = settings.DEBUG if debug is None else debug
    name = (database_name() if name is None else name).lower()
    return not debug and not any(word in name for word in NON_PRODUCTION_WORDS)


# ---- Usernames (documented in the command's help and in docs/generator.md)


def lg_key(local_government: LocalGovernment) -> str:
    """The DLA code; Bangkok has none and is `bma`."""
    return local_government.dla_code or "bma"


def usernames_for(local_government: LocalGovernment) -> tuple[str, str]:
    """(staff, head) of one local government: lg<DLA code>-staff and lg<DLA code>-head."""
    key = lg_key(local_government)
    return f"lg{key}-staff", f"lg{key}-head"


def district_username(district: District) -> str:
    return f"district{district.code}"


def province_username(province: Province) -> str:
    return f"province{province.code}"


NATIONAL_ADMIN_USERNAME = "national-admin"
COMMITTEE_USERNAME = "committee-viewer"
EMAIL_DOMAIN = "generated.invalid"  # RFC 2606: never delivered

FIRST_NAMES = [
    "สมชาย", "สมหญิง", "ประเสริฐ", "วิไล", "อนันต์", "กมล", "สุนทร", "พรทิพย์", "ชัยวัฒน์", "นงลักษณ์",
    "ธีระ", "อรุณี", "บุญมี", "จันทร์เพ็ญ", "วีระ", "สุดารัตน์", "ไพโรจน์", "รัตนา", "สมบัติ", "ศิริพร",
]  # fmt: skip
LAST_NAMES = [
    "ใจดี", "รักถิ่น", "มั่นคง", "ศรีสุข", "ธรรมดี", "เที่ยงตรง", "แก้วมณี", "บุญเรือง", "สุขสวัสดิ์", "ทองคำ",
    "พึ่งบุญ", "เจริญผล", "วงศ์ใหญ่", "คำแสน", "อินทร์แก้ว", "ศรีวงศ์", "มณีรัตน์", "ปัญญาดี", "สายทอง", "ชัยมงคล",
]  # fmt: skip
HEAD_POSITIONS = {
    LocalGovernmentType.PAO: "นายกองค์การบริหารส่วนจังหวัด",
    LocalGovernmentType.SAO: "นายกองค์การบริหารส่วนตำบล",
    LocalGovernmentType.SPECIAL: "นายกเมืองพัทยา",
    LocalGovernmentType.BMA: "ผู้ว่าราชการกรุงเทพมหานคร",
}
MAYOR = "นายกเทศมนตรี"


@dataclass
class Officers:
    staff: dict[int, int] = field(default_factory=dict)  # local government pk → user pk
    head: dict[int, int] = field(default_factory=dict)
    head_names: dict[int, tuple[str, str]] = field(default_factory=dict)  # lg pk → (name, position)
    district: dict[int, int] = field(default_factory=dict)
    province: dict[int, int] = field(default_factory=dict)
    national_admin: int = 0
    committee_viewer: int = 0
    created: int = 0


def _person(rng: random.Random) -> tuple[str, str, str]:
    """(first name, last name, phone) drawn from the generator's stream."""
    phone = f"0{rng.choice('689')}{rng.randint(0, 9)}-{rng.randint(0, 999):03d}-{rng.randint(0, 9999):04d}"
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), phone


def ensure_officers(local_governments: list[LocalGovernment], rng: random.Random, password: str | None) -> Officers:
    """Every officer the round needs, created in bulk when missing, reused (never duplicated) when present.

    The password is hashed once and the hash shared; without one the accounts get an unusable password.
    An existing account keeps its name and contacts; `password` replaces its password.
    """
    encoded = make_password(password) if password else make_password(None)
    districts = {lg.district_id: lg.district for lg in local_governments if lg.district_id}
    provinces = {lg.province_id: lg.province for lg in local_governments}
    # (username, role, scope field, scope pk, position), in a fixed order so the names drawn are deterministic.
    plan: list[tuple[str, str, str | None, int | None, str]] = []
    for lg in local_governments:
        staff, head = usernames_for(lg)
        plan.append((staff, Role.LG_STAFF, "local_government", lg.pk, "นักวิเคราะห์นโยบายและแผน"))
        plan.append((head, Role.LG_HEAD, "local_government", lg.pk, HEAD_POSITIONS.get(lg.type, MAYOR)))
    for pk in sorted(districts):
        plan.append((district_username(districts[pk]), Role.DISTRICT_OFFICER, "district", pk, "ท้องถิ่นอำเภอ"))
    for pk in sorted(provinces):
        plan.append((province_username(provinces[pk]), Role.PROVINCE_OFFICER, "province", pk, "ท้องถิ่นจังหวัด"))
    plan.append((NATIONAL_ADMIN_USERNAME, Role.NATIONAL_ADMIN, None, None, "นักวิเคราะห์ สถ."))
    plan.append((COMMITTEE_USERNAME, Role.COMMITTEE_VIEWER, None, None, "กรรมการมาตรฐานการบริการสาธารณะ"))

    wanted = [row[0] for row in plan]
    existing: dict[str, tuple[int, str, str, str]] = {}
    for chunk in _chunks(wanted, 900):
        for pk, username, first, last, position in User.objects.filter(username__in=chunk).values_list(
            "pk", "username", "first_name", "last_name", "position"
        ):
            existing[username] = (pk, f"{first} {last}".strip(), position, username)
    new_users = []
    for username, _role, _scope, _pk, position in plan:
        first, last, phone = _person(rng)  # drawn for every row, so a re-run draws the same names
        if username not in existing:
            new_users.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    position=position,
                    phone=phone,
                    email=f"{username}@{EMAIL_DOMAIN}",
                    password=encoded,
                    is_active=True,
                )
            )
    User.objects.bulk_create(new_users, batch_size=BATCH)
    if password:
        for chunk in _chunks([u for u in wanted if u in existing], 900):
            User.objects.filter(username__in=chunk).update(password=encoded)
    ids: dict[str, int] = {username: row[0] for username, row in existing.items()}
    names: dict[str, tuple[str, str]] = {username: (row[1], row[2]) for username, row in existing.items()}
    for chunk in _chunks([u.username for u in new_users], 900):
        for pk, username, first, last, position in User.objects.filter(username__in=chunk).values_list(
            "pk", "username", "first_name", "last_name", "position"
        ):
            ids[username] = pk
            names[username] = (f"{first} {last}".strip(), position)

    memberships = []
    officers = Officers(created=len(new_users))
    for username, role, scope, scope_pk, _position in plan:
        user_id = ids[username]
        memberships.append(RoleMembership(user_id=user_id, role=role, **({f"{scope}_id": scope_pk} if scope else {})))
        if role == Role.LG_STAFF:
            officers.staff[scope_pk] = user_id
        elif role == Role.LG_HEAD:
            officers.head[scope_pk] = user_id
            officers.head_names[scope_pk] = names[username]
        elif role == Role.DISTRICT_OFFICER:
            officers.district[scope_pk] = user_id
        elif role == Role.PROVINCE_OFFICER:
            officers.province[scope_pk] = user_id
        elif role == Role.NATIONAL_ADMIN:
            officers.national_admin = user_id
        else:
            officers.committee_viewer = user_id
    # The partial unique constraints make a second run's memberships conflicts, which are skipped.
    RoleMembership.objects.bulk_create(memberships, batch_size=BATCH, ignore_conflicts=True)
    return officers


# ---- The framework and the evidence file


def sample_framework() -> Framework:
    """The latest published sample framework; the sample workbook is imported and published when there is none."""
    framework = Framework.objects.filter(is_sample=True, status=FrameworkStatus.PUBLISHED).order_by("-version").first()
    if framework is None:
        framework = import_workbook(SAMPLE_WORKBOOK.read_bytes(), publish=True, reuse_identical=True).framework
    return framework


def tiny_pdf() -> bytes:
    """A valid one-page PDF of a few hundred bytes (the same bytes every time)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def shared_evidence_file() -> tuple[str, int, str]:
    """(stored name, size, sha256) of the one PDF every generated evidence row points at; stored once."""
    data = tiny_pdf()
    if not default_storage.exists(SHARED_EVIDENCE_NAME):
        default_storage.save(SHARED_EVIDENCE_NAME, ContentFile(data))
    return SHARED_EVIDENCE_NAME, len(data), hashlib.sha256(data).hexdigest()


# ---- Plausible values


# How big a local government's services are, by type (a multiplier on the base of a ratio and on counts).
SCALE = {
    LocalGovernmentType.SAO: 1.0,
    LocalGovernmentType.SUBDISTRICT: 1.4,
    LocalGovernmentType.TOWN: 2.5,
    LocalGovernmentType.CITY: 4.0,
    LocalGovernmentType.PAO: 5.0,
    LocalGovernmentType.SPECIAL: 4.0,
    LocalGovernmentType.BMA: 6.0,
}
# How well each type tends to do (a shift of the share delivered).
SKILL = {
    LocalGovernmentType.SAO: -0.04,
    LocalGovernmentType.SUBDISTRICT: 0.0,
    LocalGovernmentType.TOWN: 0.02,
    LocalGovernmentType.CITY: 0.04,
    LocalGovernmentType.PAO: 0.03,
    LocalGovernmentType.SPECIAL: 0.04,
    LocalGovernmentType.BMA: 0.05,
}
EXPLANATION = "ข้อมูลตามทะเบียนของ อปท. ตรวจสอบแล้ว"  # the note an officer writes under a soft warning


def _decimal(value: int) -> Decimal:
    # Quantized as the database returns it (3 places), so the receipt checksum matches a read-back.
    return Decimal(value).quantize(_THOUSANDTH)


def plausible_answer(indicator: Indicator, lg: LocalGovernment, target: Decimal | None, rng: random.Random) -> dict:
    """Values for one indicator of one local government: whole numbers, (2) ≤ (1), around the target."""
    scale = SCALE.get(lg.type, 1.0)
    skill = SKILL.get(lg.type, 0.0)
    # How much of a service a place has (roads, children, households) is the place's own: the same from round to
    # round but for a drift of a few per cent, as the data-quality check against the previous round expects.
    place = random.Random(zlib.crc32(f"{lg.dla_code}:{indicator.code}".encode()))  # noqa: S311  (test data)
    drift = rng.uniform(0.93, 1.07)
    if indicator.kind == Kind.RATIO:
        if place.random() < 0.04:
            return {"base": _decimal(0), "delivered": None}  # no such service
        base = max(1, min(2000, int(place.lognormvariate(3.2, 0.7) * scale * drift)))
        aim = float(target or 80) / 100
        share = min(1.0, max(0.0, rng.gauss(aim + 0.06 + skill, 0.12)))
        return {"base": _decimal(base), "delivered": _decimal(round(base * share))}
    if indicator.kind == Kind.COUNT:
        aim = float(target or 1)
        return {"count": max(0, min(100, round(rng.gauss(aim * 1.3 + skill * 10, max(1.0, aim * 0.6)))))}
    return {"answer": rng.random() < 0.85 + skill}


# ---- The rounds


@dataclass(frozen=True)
class Mix:
    """Shares of returns per state; the rest are accepted."""

    blank: float
    partial: float
    returned: float
    awaiting_district: float
    awaiting_province: float

    def draw(self, rng: random.Random) -> str:
        x = rng.random()
        for name in ("blank", "partial", "returned", "awaiting_district", "awaiting_province"):
            share = getattr(self, name)
            if x < share:
                return name
            x -= share
        return "accepted"


# The deadline rush: a week before the last day, a third still with the local government, most submitted.
CURRENT_MIX = Mix(blank=0.10, partial=0.22, returned=0.06, awaiting_district=0.25, awaiting_province=0.12)
PREVIOUS_MIX = Mix(blank=0.04, partial=0.0, returned=0.02, awaiting_district=0.01, awaiting_province=0.03)
STATUS_OF_STATE = {
    "blank": Status.DRAFT,
    "partial": Status.DRAFT,
    "returned": Status.RETURNED,
    "awaiting_district": Status.AWAITING_DISTRICT,
    "awaiting_province": Status.AWAITING_PROVINCE,
    "accepted": Status.ACCEPTED,
}
# The status changes that led to each state (the timeline reads them from the history rows).
PATH_OF_STATE = {
    "returned": [Status.AWAITING_DISTRICT, Status.RETURNED],
    "awaiting_district": [Status.AWAITING_DISTRICT],
    "awaiting_province": [Status.AWAITING_DISTRICT, Status.AWAITING_PROVINCE],
    "accepted": [Status.AWAITING_DISTRICT, Status.AWAITING_PROVINCE, Status.ACCEPTED],
}
RETURN_REASON = "กรุณาตรวจสอบจำนวนฐาน (1) และแนบหลักฐานให้ครบถ้วน"


def thai_fiscal_year(day: dt.date) -> int:
    """The Thai fiscal year (B.E.) a day falls in: it starts on 1 October."""
    return day.year + 543 + (1 if day.month >= 10 else 0)


@dataclass(slots=True)
class AnswerRow:
    indicator: Indicator
    base: Decimal | None = None
    delivered: Decimal | None = None
    count: int | None = None
    answer: bool | None = None
    note: str = ""

    @property
    def indicator_id(self) -> int:
        return self.indicator.pk


@dataclass
class Planned:
    """One return being built in memory: its fields and its rows (plain values, no model instances)."""

    lg: LocalGovernment
    state: str
    fields: dict
    answers: list[AnswerRow]
    satisfaction: list[tuple[SatisfactionQuestion, int, int]]  # (question, satisfied, needs improvement)
    evidence: list[Indicator]
    timeline: list[tuple[str, dt.datetime, int | None]]  # (status, when, by whom)
    pk: int = 0


@dataclass
class Generated:
    current: AssessmentRound
    previous: AssessmentRound
    officers: Officers
    counts: dict[str, int]


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _moment(rng: random.Random, first: dt.date, last: dt.date, *, late: bool = True) -> dt.datetime:
    """A moment between two days, most of them late in the window (as submissions come in real rounds)."""
    days = max(0, (last - first).days)
    day = first + dt.timedelta(days=int(days * (rng.random() ** 0.35 if late else rng.random())))
    return end_of_day(day) - dt.timedelta(hours=rng.randint(2, 14), minutes=rng.randint(0, 59))


def fast_insert(model, attnames: list[str], rows: list[tuple]) -> None:
    """Insert plain rows without building model instances: COPY on PostgreSQL, executemany elsewhere.

    The bulk path of this command: no signals, no history, no auto_now (callers pass every value, timestamps too).
    """
    if not rows:
        return
    started = time.perf_counter()
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in attnames)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            logger.debug("%s: %d rows in %.1f s", model._meta.db_table, len(rows), time.perf_counter() - started)
            return
        adapt = connection.ops.adapt_datetimefield_value
        dated = [i for i, name in enumerate(attnames) if isinstance(model._meta.get_field(name), models.DateTimeField)]
        if dated:
            rows = [tuple(adapt(v) if i in dated else v for i, v in enumerate(row)) for row in rows]
        marks = ", ".join(["%s"] * len(attnames))
        for chunk in _chunks(rows, 5000):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", chunk)  # noqa: S608
    logger.debug("%s: %d rows in %.1f s", model._meta.db_table, len(rows), time.perf_counter() - started)


# Columns written for each table (attnames), in the order of the tuples built below.
ASSESSMENT_FIELDS = [
    "round_id", "local_government_id", "framework_id", "status", "returned_level", "reopened_all", "submitted_at",
    "first_submitted_at", "certified_by_id", "certifier_name", "certifier_position", "receipt_checksum",
    "accepted_at", "last_activity_at", "version",
]  # fmt: skip
ANSWER_FIELDS = [
    "assessment_id", "indicator_id", "base", "delivered", "count", "answer", "note", "version", "updated_by_id",
    "updated_at",
]  # fmt: skip
SATISFACTION_FIELDS = [
    "assessment_id", "question_id", "satisfied", "needs_improvement", "version", "updated_by_id", "updated_at",
]  # fmt: skip
EVIDENCE_FIELDS = [
    "assessment_id", "indicator_id", "file", "original_name", "size", "sha256", "content_type", "uploaded_by_id",
    "uploaded_at",
]  # fmt: skip
COMMENT_FIELDS = ["assessment_id", "author_id", "body", "kind", "created_at"]
RECORD_FIELDS = [
    "assessment_id", "indicator_id", "area_id", "kind", "label", "target", "base", "delivered", "count", "answer",
    "value", "percentage", "shortfall", "weight", "applicable", "met",
]  # fmt: skip
SUMMARY_FIELDS = [
    "indicators", "scored", "applicable", "met", "above", "meets", "develop", "no_service", "not_done", "compliance",
    "satisfied", "needs_improvement", "satisfaction",
]  # fmt: skip
AREA_SCORE_FIELDS = ["assessment_id", "area_id", "weight", "weighted_compliance", *SUMMARY_FIELDS]
RETURN_SCORE_FIELDS = [
    "assessment_id", "framework_id", "indicator_score", "satisfaction_score", "score", "passed", "formula_error",
    "assessment_status", "computed_at", *SUMMARY_FIELDS,
]  # fmt: skip

_SIX = Decimal("0.000001")
_SEVEN = Decimal("0.0000001")


def _stored(value: Decimal | None, places: Decimal = _SIX) -> Decimal | None:
    """Rounded as the stored results keep them (scoring.models: half-up to 6 places)."""
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def _summary(summary: scoring.Counts) -> tuple:
    """The Summary columns (SUMMARY_FIELDS) of an area or a return, as scoring.services stores them."""
    labels = summary.label_counts
    return (
        summary.indicators,
        summary.scored,
        summary.applicable,
        summary.met,
        labels[ABOVE],
        labels[MEETS],
        labels[DEVELOP],
        labels[NO_SERVICE],
        labels[NOT_DONE],
        _stored(summary.compliance),
        summary.satisfied,
        summary.needs_improvement,
        _stored(summary.satisfaction),
    )


class RoundBuilder:
    """Builds the returns of one round in memory, then writes them in bulk (see the module's docstring)."""

    def __init__(self, framework: Framework, officers: Officers, evidence_file: tuple[str, int, str]):
        self.framework = framework
        self.officers = officers
        self.evidence_name, self.evidence_size, self.evidence_sha = evidence_file
        self.areas = list(framework.areas.all())
        self.indicators = [i for area in self.areas for m in area.missions.all() for i in m.indicators.all()]
        self.area_of = {i.pk: area.pk for area in self.areas for m in area.missions.all() for i in m.indicators.all()}
        self.questions = [q for area in self.areas for q in area.questions.all()]
        self.parameters = parameters_of(framework)
        self.failures: list[EvaluationFailure] = []
        self._by_type: dict[str, list[tuple[Indicator, Decimal | None]]] = {}
        self._rules: dict[tuple, tuple[bool, bool]] = {}
        self._applies: dict[tuple, bool] = {}
        self.has_rules = {i.pk for i in self.indicators if i.validations.all()}
        # The names each indicator's expressions read (its applicability condition and validation rules).
        self._names = {
            i.pk: tuple(
                sorted(
                    expressions.names_used(i.applicability or "")
                    | {name for rule in i.validations.all() for name in expressions.names_used(rule.expression)}
                )
            )
            for i in self.indicators
        }

    def applicable(self, lg: LocalGovernment) -> list[tuple[Indicator, Decimal | None]]:
        """The indicators that apply to a local government, with its target: by type, cached; an applicability
        condition is evaluated once per distinct set of the values it reads (type, province, region, area)."""
        if lg.type not in self._by_type:
            self._by_type[lg.type] = [
                (indicator, indicator.target_for(lg.type))
                for indicator in self.indicators
                if indicator.applies_to(lg.type)
            ]
        result = []
        for indicator, target in self._by_type[lg.type]:
            if indicator.applicability:
                used = self._names[indicator.pk]
                key = (
                    indicator.pk,
                    lg.type,
                    lg.province.code if "province_code" in used else None,
                    lg.province.region if "region" in used else None,
                    lg.area_km2 if "area_km2" in used else None,
                )
                if key not in self._applies:
                    self._applies[key] = indicator_applies(indicator, lg.type, lg, self.failures)[0]
                if not self._applies[key]:
                    continue
            result.append((indicator, target))
        return result

    def rules(self, indicator: Indicator, values: dict, lg: LocalGovernment, target) -> tuple[bool, bool]:
        """(hard error, warnings) of the indicator's validation rules, cached on the values the rules read."""
        names = rule_values({**values, "note": ""}, lg.type, target)
        key = (indicator.pk, lg.type, target, tuple(names.get(name) for name in self._names[indicator.pk]))
        if key not in self._rules:
            checked = check_rules(indicator, {**values, "note": ""}, lg.type, target, local_government_id=lg.pk)
            self._rules[key] = (bool(checked.hard), bool(checked.warnings))
        return self._rules[key]

    def plan(
        self, assessment_round: AssessmentRound, lgs: list[LocalGovernment], mix: Mix, rng: random.Random
    ) -> list[Planned]:
        planned = []
        now = timezone.now()
        window_end = min(assessment_round.closes_on, timezone.localdate())
        for lg in lgs:
            state = mix.draw(rng)
            fields = {
                "round_id": assessment_round.pk,
                "local_government_id": lg.pk,
                "framework_id": self.framework.pk,
                "status": STATUS_OF_STATE[state],
                "returned_level": "",
                "reopened_all": True,
                "submitted_at": None,
                "first_submitted_at": None,
                "certified_by_id": None,
                "certifier_name": "",
                "certifier_position": "",
                "receipt_checksum": "",
                "accepted_at": None,
                "last_activity_at": None,
                "version": len(PATH_OF_STATE.get(state, [])),
            }
            answers: list[AnswerRow] = []
            satisfaction, evidence = [], []
            timeline: list[tuple[str, dt.datetime, int | None]] = []
            if state != "blank":
                share = rng.uniform(0.2, 0.9) if state == "partial" else 1.0
                for indicator, target in self.applicable(lg):
                    if share < 1.0 and rng.random() > share:
                        continue
                    values = plausible_answer(indicator, lg, target, rng)
                    note = ""
                    if indicator.pk in self.has_rules:
                        hard, warned = self.rules(indicator, values, lg, target)
                        if hard:
                            continue  # the app would not have stored it either
                        if warned:
                            note = EXPLANATION
                    answers.append(AnswerRow(indicator, note=note, **values))
                    no_service = indicator.kind == Kind.RATIO and values.get("base") == 0
                    if indicator.evidence_required and not no_service and (share == 1.0 or rng.random() < share):
                        evidence.append(indicator)
                for question in self.questions:
                    if share < 1.0 and rng.random() > share:
                        continue
                    respondents = max(10, int(rng.gauss(60, 20) * SCALE.get(lg.type, 1.0) ** 0.5))
                    satisfied = min(respondents, round(respondents * rng.uniform(0.7, 0.97)))
                    satisfaction.append((question, satisfied, respondents - satisfied))
                fields["last_activity_at"] = _moment(rng, assessment_round.opens_on, window_end, late=False)
            path = PATH_OF_STATE.get(state, [])
            if path:
                submitted = max(_moment(rng, assessment_round.opens_on, window_end), fields["last_activity_at"])
                name, position = self.officers.head_names[lg.pk]
                fields.update(
                    submitted_at=submitted,
                    first_submitted_at=submitted,
                    last_activity_at=submitted,
                    certified_by_id=self.officers.head[lg.pk],
                    certifier_name=name[:200],
                    certifier_position=position[:200],
                )
                actors = {
                    Status.AWAITING_DISTRICT: self.officers.head[lg.pk],
                    Status.AWAITING_PROVINCE: self.officers.district.get(lg.district_id),
                    Status.RETURNED: self.officers.district.get(lg.district_id),
                    Status.ACCEPTED: self.officers.province.get(lg.province_id),
                }
                when = submitted
                for step in path:
                    if step != Status.AWAITING_DISTRICT:
                        when = min(now, when + dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8)))
                    timeline.append((step, when, actors[step] or self.officers.national_admin))
                if state == "accepted":
                    fields["accepted_at"] = when
                if state == "returned":
                    fields.update(returned_level=ReviewLevel.DISTRICT, last_activity_at=when)
            planned.append(Planned(lg, state, fields, answers, satisfaction, evidence, timeline))
        return planned

    def write(self, assessment_round: AssessmentRound, planned: list[Planned]) -> dict[str, int]:
        """Insert the returns and their rows, then the checksums, history, comments and stored results."""
        now = timezone.now()
        fast_insert(Assessment, ASSESSMENT_FIELDS, [tuple(p.fields[f] for f in ASSESSMENT_FIELDS) for p in planned])
        pks = dict(
            # Unscoped: the generator writes the synthetic country it was asked for.
            Assessment.objects.unscoped()
            .filter(round=assessment_round)
            .values_list("local_government_id", "pk")
            .order_by()
        )
        for p in planned:
            p.pk = pks[p.lg.pk]
        fast_insert(
            Answer,
            ANSWER_FIELDS,
            [
                (p.pk, a.indicator.pk, a.base, a.delivered, a.count, a.answer, a.note, 1, p.fields["certified_by_id"]
                 or self.officers.staff[p.lg.pk], now)
                for p in planned
                for a in p.answers
            ],
        )  # fmt: skip
        fast_insert(
            SatisfactionAnswer,
            SATISFACTION_FIELDS,
            [
                (p.pk, q.pk, yes, no, 1, self.officers.staff[p.lg.pk], now)
                for p in planned
                for q, yes, no in p.satisfaction
            ],
        )
        fast_insert(
            Evidence,
            EVIDENCE_FIELDS,
            [
                (p.pk, i.pk, self.evidence_name, f"หลักฐาน-{i.code}.pdf", self.evidence_size, self.evidence_sha,
                 "application/pdf", self.officers.staff[p.lg.pk], now)
                for p in planned
                for i in p.evidence
            ],
        )  # fmt: skip
        submitted = [p for p in planned if p.timeline]
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Assessment._meta.db_table)
            for chunk in _chunks([(self.checksum(p), p.pk) for p in submitted], 5000):
                cursor.executemany(f"UPDATE {table} SET receipt_checksum = %s WHERE id = %s", chunk)  # noqa: S608
        self.write_history(submitted)
        fast_insert(
            Comment,
            COMMENT_FIELDS,
            [
                (p.pk, p.timeline[-1][2], RETURN_REASON, Comment.Kind.RETURN_REASON, now)
                for p in submitted
                if p.state == "returned"
            ],
        )
        results = self.write_results(submitted)
        return {
            "returns": len(planned),
            "answers": sum(len(p.answers) for p in planned),
            "satisfaction": sum(len(p.satisfaction) for p in planned),
            "evidence": sum(len(p.evidence) for p in planned),
            "results": results,
        }

    def checksum(self, p: Planned) -> str:
        """The same SHA-256 as assessments.services.review.answers_checksum, from the rows in memory."""
        payload = {
            "return": p.pk,
            "framework": self.framework.pk,
            "answers": sorted(
                [a.indicator.code, str(a.base), str(a.delivered), a.count, a.answer, a.note] for a in p.answers
            ),
            "satisfaction": sorted([q.code, yes, no] for q, yes, no in p.satisfaction),
            "evidence": sorted([i.code, self.evidence_sha] for i in p.evidence),
        }
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    def write_history(self, submitted: list[Planned]) -> None:
        """One history row per status change, as `_change_status` records them (the timeline reads these)."""
        history = Assessment.history.model
        copied = [f.attname for f in history._meta.concrete_fields if f.attname in ASSESSMENT_FIELDS]
        names = ["id", *copied, "history_date", "history_type", "history_user_id"]
        rows = [
            (p.pk, *(status if name == "status" else p.fields[name] for name in copied), when, "~", user_id)
            for p in submitted
            for status, when, user_id in p.timeline
        ]
        fast_insert(history, names, rows)

    def write_results(self, submitted: list[Planned]) -> int:
        """Stored results for every return that changed status (the status-change task would have made them):
        the pure scoring functions on the rows in memory, stored as scoring.services stores them."""
        scored_at = timezone.now()  # after the answers were written: the results are up to date
        records, areas, scores = [], [], []
        for p in submitted:
            answered = {a.indicator.pk: a for a in p.answers}
            inputs = []
            for indicator, target in self.applicable(p.lg):
                inputs.append(
                    indicator_input(indicator, self.area_of[indicator.pk], target, answered.get(indicator.pk))
                )
            scored = scoring.score_return(
                scoring.ReturnInput(
                    areas=tuple(scoring.AreaInput(area_id=a.pk, weight=a.weight, code=a.code) for a in self.areas),
                    indicators=tuple(inputs),
                    satisfaction=tuple(
                        scoring.SatisfactionInput(q.pk, q.area_id, yes, no) for q, yes, no in p.satisfaction
                    ),
                    parameters=self.parameters,
                )
            )
            for result in scored.indicators:
                a = answered.get(result.indicator_id)
                records.append(
                    (p.pk, result.indicator_id, result.area_id, result.kind, result.label or "", result.target,
                     a.base if a else None, a.delivered if a else None, a.count if a else None,
                     a.answer if a else None, _stored(result.value), _stored(result.percentage),
                     _stored(result.shortfall, _SEVEN), result.weight, result.applicable, result.met)
                )  # fmt: skip
            for area in scored.summary.areas:
                areas.append((p.pk, area.area_id, area.weight, _stored(area.weighted_compliance), *_summary(area)))
            summary = scored.summary
            scores.append(
                (p.pk, self.framework.pk, _stored(summary.indicator_score), _stored(summary.satisfaction_score),
                 _stored(summary.score), summary.passed, summary.formula_error[:500], p.fields["status"], scored_at,
                 *_summary(summary))
            )  # fmt: skip
        fast_insert(IndicatorResultRecord, RECORD_FIELDS, records)
        fast_insert(AreaScore, AREA_SCORE_FIELDS, areas)
        fast_insert(ReturnScore, RETURN_SCORE_FIELDS, scores)
        return len(scores)


@contextmanager
def foreign_key_triggers_skipped():
    """On PostgreSQL, as a superuser, skip the foreign-key triggers while the rows are written (as pg_restore's
    --disable-triggers does): every generated row points at rows read or written in the same transaction, and
    checking ~1.5 million deferred references at commit would be most of PostgreSQL's work. Elsewhere a no-op."""
    skipped = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser')")
            if cursor.fetchone()[0] == "on":
                cursor.execute("SET LOCAL session_replication_role = replica")
                skipped = True
    try:
        yield
    finally:
        if skipped:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")


WRITTEN_MODELS = [
    User, RoleMembership, Assessment, Answer, SatisfactionAnswer, Evidence, Comment, IndicatorResultRecord, AreaScore,
    ReturnScore,
]  # fmt: skip


def generate(
    *,
    seed: int,
    province_codes: list[str] | None = None,
    password: str | None = None,
    today: dt.date | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> Generated:
    """Build the previous and the current round over the registry (or the given provinces); see the docstring."""
    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311  (test data, not secrets)
    local_governments = (
        LocalGovernment.objects.active().select_related("province", "district").order_by("province__code", "pk")
    )
    if province_codes:
        known = set(Province.objects.filter(code__in=province_codes).values_list("code", flat=True))
        unknown = sorted(set(province_codes) - known)
        if unknown:
            raise GeneratorError(_("Unknown province codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        local_governments = local_governments.filter(province__code__in=province_codes)
    lgs = list(local_governments)
    if not lgs:
        raise GeneratorError(_("There are no active local governments; import the registry first."))
    framework = load_tree(sample_framework())
    evidence_file = shared_evidence_file()

    with transaction.atomic(), foreign_key_triggers_skipped():
        officers = ensure_officers(lgs, rng, password)
        log(f"officers: {officers.created} created")
        fiscal_year = thai_fiscal_year(today) - 1  # the round assesses the fiscal year that just ended
        label = _("Generated round, fiscal year %(year)s (seed %(seed)s)")
        current = AssessmentRound(
            fiscal_year=fiscal_year,
            name=label % {"year": fiscal_year, "seed": seed},
            framework=framework,
            opens_on=today - dt.timedelta(days=60),
            closes_on=today + dt.timedelta(days=7),  # the last week before the deadline
            review_deadline=today + dt.timedelta(days=37),
            created_by_id=officers.national_admin,
        )
        year = dt.timedelta(days=364)  # the same weekday a year before
        previous = AssessmentRound(
            fiscal_year=fiscal_year - 1,
            name=label % {"year": fiscal_year - 1, "seed": seed},
            framework=framework,
            opens_on=current.opens_on - year,
            closes_on=current.closes_on - year,
            review_deadline=current.review_deadline - year,
            created_by_id=officers.national_admin,
        )
        previous.save()
        current.save()
        builder = RoundBuilder(framework, officers, evidence_file)
        counts = {}
        for name, assessment_round, mix in (("previous", previous, PREVIOUS_MIX), ("current", current, CURRENT_MIX)):
            planned = builder.plan(assessment_round, lgs, mix, rng)
            written = builder.write(assessment_round, planned)
            states: dict[str, int] = {}
            for p in planned:
                states[p.state] = states.get(p.state, 0) + 1
            log(f"{name} round {assessment_round.pk}: {written} {states}")
            counts.update({f"{name}_{key}": value for key, value in written.items()})
        record_failures(builder.failures)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics for the plans of the pages that read these rows.
            tables = [*(m._meta.db_table for m in WRITTEN_MODELS), Assessment.history.model._meta.db_table]
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
    # The national results of both rounds, as the refresh task would build them after the acceptances.
    for assessment_round in (previous, current):
        analysis = refresh_round(assessment_round)
        log(f"national results of round {assessment_round.pk}: {analysis.seconds:.1f} s")
    return Generated(current=current, previous=previous, officers=officers, counts=counts)
