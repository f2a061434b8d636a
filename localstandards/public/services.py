"""The public side: find a local government, its published (final) results across rounds, a province's table.

Everything here is open to anyone, so it reads only what is public by nature: the registry (names, codes,
places), reporting rates, and the stored results of FINAL (accepted) returns. Nothing here reads users, roles,
comments, evidence or certifiers, so no page built from it can show personal data. Public reads do not go through
`for_user` (a visitor has no scope); the restriction is "final returns only", applied in `final_scores`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.db.models import F, Q, QuerySet

from localstandards.assessments.models import Assessment, AssessmentRound, Status
from localstandards.core.collation import thai, thai_sort_key
from localstandards.registry.models import District, LocalGovernment, LocalGovernmentType, Province
from localstandards.reports.models import PublicLink
from localstandards.scoring.models import AreaScore, ReturnScore

SEARCH_LIMIT = 50  # rows per page of search results

# Type prefixes as people type them (full names, DLA's abbreviations, with or without the dot), longest first so
# "เทศบาลตำบล" wins over "เทศบาล". Each names the type it implies, so "ทต.หนองป่าครั่ง" finds the municipality and
# not a subdistrict administrative organisation of the same name.
TYPE_PREFIXES: list[tuple[str, str | None]] = sorted(
    [
        ("องค์การบริหารส่วนจังหวัด", LocalGovernmentType.PAO),
        ("องค์การบริหารส่วนตำบล", LocalGovernmentType.SAO),
        ("เทศบาลนคร", LocalGovernmentType.CITY),
        ("เทศบาลเมือง", LocalGovernmentType.TOWN),
        ("เทศบาลตำบล", LocalGovernmentType.SUBDISTRICT),
        ("เทศบาล", None),
        ("อบจ.", LocalGovernmentType.PAO),
        ("อบต.", LocalGovernmentType.SAO),
        ("ทน.", LocalGovernmentType.CITY),
        ("ทม.", LocalGovernmentType.TOWN),
        ("ทต.", LocalGovernmentType.SUBDISTRICT),
        ("อบจ ", LocalGovernmentType.PAO),
        ("อบต ", LocalGovernmentType.SAO),
        ("ทน ", LocalGovernmentType.CITY),
        ("ทม ", LocalGovernmentType.TOWN),
        ("ทต ", LocalGovernmentType.SUBDISTRICT),
    ],
    key=lambda pair: -len(pair[0]),
)
# Municipalities share the word เทศบาล: a bare "เทศบาล" means any of them.
MUNICIPALITIES = (LocalGovernmentType.CITY, LocalGovernmentType.TOWN, LocalGovernmentType.SUBDISTRICT)

_THAI_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\ufeff]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Query:
    """A search as understood: the name part, the type a prefix implied, or DLA code digits."""

    text: str = ""
    types: tuple[str, ...] = ()
    code: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.code or self.types)


def normalize(text: str) -> str:
    """Thai digits to Arabic, NFC, no zero-width characters, single spaces, and the decomposed sara am
    (nikhahit + sara aa, as some keyboards type it) as the one character ำ."""
    text = unicodedata.normalize("NFC", text or "")
    text = _INVISIBLE.sub("", text).translate(_THAI_TO_ARABIC).replace("\u0e4d\u0e32", "\u0e33")
    return _SPACES.sub(" ", text).strip()


def parse_query(raw: str) -> Query:
    text = normalize(raw)
    if text.replace(" ", "").isdigit():
        return Query(code=text.replace(" ", ""))
    for prefix, lg_type in TYPE_PREFIXES:
        if text.startswith(prefix):
            types = (lg_type,) if lg_type else MUNICIPALITIES
            return Query(text=text[len(prefix) :].strip(), types=tuple(str(t) for t in types))
    return Query(text=text)


def search(raw: str) -> QuerySet[LocalGovernment]:
    """Active local governments matching a name (with or without its type prefix) or the start of a DLA code."""
    query = parse_query(raw)
    found = LocalGovernment.objects.active().select_related("province", "district")
    if query.is_empty:
        return found.none()
    if query.code:
        found = found.filter(dla_code__startswith=query.code)
    if query.types:
        found = found.filter(type__in=query.types)
    if query.text:
        # The name without its prefix, or the full name as written (someone may type "เทศบาลตำบลหนอง…" in part).
        found = found.filter(Q(name_th__icontains=query.text) | Q(full_name_th__icontains=query.text))
    return found.order_by(thai("name_th"), thai("province__name_th"), "pk")


# ---------------------------------------------------------------- rounds and results


def current_round() -> AssessmentRound | None:
    """The round the public pages speak of by default: the latest one, as the progress pages choose it."""
    return AssessmentRound.objects.order_by("-fiscal_year", "-opens_on", "-pk").first()


def final_scores() -> QuerySet[ReturnScore]:
    """Stored results that are public: of final returns, computed for the final state and the stamped version.

    A return accepted a moment ago whose results are still being stored shows up at the next rebuild (seconds).
    """
    # Unscoped: final results are public (docs/public.md).
    return ReturnScore.objects.unscoped().filter(
        assessment__status__in=Status.FINAL,
        assessment_status__in=Status.FINAL,
        framework_id=F("assessment__framework_id"),
    )


@dataclass
class RoundResult:
    """One final return of a local government, as the public pages show it."""

    assessment_round: AssessmentRound
    score: ReturnScore
    areas: list[AreaScore]
    slug: str | None


def history(local_government: LocalGovernment) -> list[RoundResult]:
    """Every final return of the local government with its stored results, latest round first (3 queries)."""
    scores = list(
        final_scores()
        .filter(assessment__local_government=local_government)
        .select_related("assessment__round")
        .order_by("-assessment__round__fiscal_year", "-assessment__round__opens_on")
    )
    ids = [score.assessment_id for score in scores]
    areas: dict[int, list[AreaScore]] = {}
    for area in (
        # Unscoped: final results are public (docs/public.md).
        AreaScore.objects.unscoped().filter(assessment_id__in=ids).select_related("area").order_by("area__order")
    ):
        areas.setdefault(area.assessment_id, []).append(area)
    # Unscoped: final results are public (docs/public.md).
    slugs = dict(PublicLink.objects.unscoped().filter(assessment_id__in=ids).values_list("assessment_id", "slug"))
    return [
        RoundResult(score.assessment.round, score, areas.get(score.assessment_id, []), slugs.get(score.assessment_id))
        for score in scores
    ]


@dataclass
class UnitRow:
    """A local government in a province's table, with its final results of the round (None when not final)."""

    local_government: LocalGovernment
    score: ReturnScore | None = None
    status: str = ""


def unit_rows(assessment_round: AssessmentRound | None, units: QuerySet[LocalGovernment]) -> list[UnitRow]:
    """The units with their result summaries of the round: final returns only (2 queries)."""
    rows = [UnitRow(lg) for lg in units.select_related("district")]
    if assessment_round is None:
        return rows
    ids = [row.local_government.pk for row in rows]
    scores = {
        score.assessment.local_government_id: score
        for score in final_scores()
        .filter(assessment__round=assessment_round, assessment__local_government_id__in=ids)
        .select_related("assessment")
    }
    for row in rows:
        row.score = scores.get(row.local_government.pk)
    return rows


@dataclass
class ProvinceSummary:
    units: int = 0
    final: int = 0
    passed: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    @property
    def passed_percent(self) -> Decimal | None:
        return None if not self.final else Decimal(self.passed * 100) / self.final


def summarize(rows: list[UnitRow]) -> ProvinceSummary:
    summary = ProvinceSummary(units=len(rows))
    for row in rows:
        if row.score is not None:
            summary.final += 1
            summary.passed += bool(row.score.passed)
    return summary


def provinces_with_districts() -> list[Province]:
    """Every province in Thai order with its districts (2 queries), for browsing."""
    provinces = list(Province.objects.order_by(thai("name_th")))
    by_province: dict[int, list[District]] = {}
    for district in District.objects.order_by(thai("name_th")):
        by_province.setdefault(district.province_id, []).append(district)
    for province in provinces:
        province.district_list = by_province.get(province.pk, [])
    return provinces


def sorted_by_name(rows: list[UnitRow]) -> list[UnitRow]:
    return sorted(rows, key=lambda row: (thai_sort_key(row.local_government.name_th), row.local_government.pk))


def final_returns(assessment_round: AssessmentRound) -> QuerySet[Assessment]:
    # Unscoped: final results are public (docs/public.md).
    return Assessment.objects.unscoped().filter(round=assessment_round, status__in=Status.FINAL)


# ---------------------------------------------------------------- the province map


@lru_cache(maxsize=4)
def _shapes(path: str) -> dict[str, list[list[list[float]]]]:
    """Province code → its rings (lists of [lon, lat]), read once per process."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    shapes: dict[str, list[list[list[float]]]] = {}
    for feature in data["features"]:
        code = feature["properties"]["ADM1_PCODE"].removeprefix("TH")
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        shapes[code] = [ring for polygon in polygons for ring in polygon[:1]]  # outer rings only
    return shapes


@dataclass(frozen=True)
class Outline:
    """A province drawn in a 200-unit box: its SVG path and the projection used, to place local governments."""

    view_box: str
    path: str
    west: float
    north: float
    scale: float

    def point(self, longitude: float, latitude: float) -> tuple[float, float]:
        return round((longitude - self.west) * self.scale, 1), round((self.north - latitude) * self.scale, 1)


@lru_cache(maxsize=128)
def _outline(path: str, code: str) -> Outline | None:
    rings = _shapes(path).get(code)
    if not rings:
        return None
    points = [point for ring in rings for point in ring]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    scale = 200 / (max(east - west, north - south) or 1.0)

    def xy(point: list[float]) -> str:
        return f"{(point[0] - west) * scale:.1f},{(north - point[1]) * scale:.1f}"

    d = " ".join("M" + " L".join(xy(point) for point in ring) + " Z" for ring in rings)
    box = f"-4 -4 {(east - west) * scale + 8:.1f} {(north - south) * scale + 8:.1f}"
    return Outline(box, d, west, north, scale)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    state: str  # "passed" | "not-passed" | "none" (no final return)
    name: str


def province_map(path: str | None, code: str, rows: list[UnitRow]) -> tuple[Outline, list[Dot]] | None:
    """The province's outline and a dot per local government with a location, coloured by its final result;
    None without the shapes file (the page then shows the table alone)."""
    if not path or not Path(path).is_file():
        return None
    outline = _outline(str(path), code)
    if outline is None:
        return None
    dots = []
    for row in rows:
        lg = row.local_government
        if not lg.has_location:
            continue
        x, y = outline.point(float(lg.longitude), float(lg.latitude))
        state = "none" if row.score is None else ("passed" if row.score.passed else "not-passed")
        dots.append(Dot(x, y, state, lg.full_name_th))
    return outline, dots
