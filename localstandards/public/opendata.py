"""Open data: the final results of a round, per indicator, per area and per return, as CSV and JSON.

One list of fields per dataset (`DATASETS`) drives the files, the data dictionary page and the DCAT catalogue, so
they cannot disagree. Rows come straight from the stored results of final returns (`services.final_scores`'s
rule: accepted, and scored for the accepted state and the stamped framework version), read in one query per file
and streamed, so a national round (about 270,000 indicator rows) never sits in memory.

Licence: Creative Commons Attribution 4.0 International (CC BY 4.0), the licence the Open Data Commons-style
terms of Thailand's national portal (data.go.th) accept, and the one most portals and re-users understand.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from localstandards.assessments.models import AssessmentRound, Status
from localstandards.frameworks.models import fill_wording
from localstandards.scoring.models import AreaScore, IndicatorResultRecord, ReturnScore

LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
PUBLISHER = "กรมส่งเสริมการปกครองท้องถิ่น (Department of Local Administration)"
CSV_BOM = "\ufeff"
STREAM_CHUNK = 2000


@dataclass(frozen=True)
class Field:
    name: str  # the CSV header and the JSON key: ASCII, stable
    type: str  # "string" | "integer" | "number" | "boolean"
    description: Promise


def _common() -> list[Field]:
    return [
        Field("round_id", "integer", _("Round number in this system (stable; part of the file's address).")),
        Field("fiscal_year", "integer", _("Fiscal year assessed, Buddhist era.")),
        Field("dla_code", "string", _("DLA code of the local government (7 digits; empty for Bangkok).")),
        Field("local_government", "string", _("Full Thai name of the local government.")),
        Field("type", "string", _("Type: PAO, CITY, TOWN, SUBDISTRICT, SAO, SPECIAL (Pattaya) or BMA.")),
        Field("province_code", "string", _("DOPA code of the province (2 digits).")),
        Field("province", "string", _("Thai name of the province.")),
        Field("district_code", "string", _("DOPA code of the district (4 digits; empty when none).")),
        Field("district", "string", _("Thai name of the district.")),
    ]


def _summary() -> list[Field]:
    return [
        Field("indicators", "integer", _("Indicators in the framework version.")),
        Field("applicable", "integer", _("Indicators that apply and have a service (the compliance base).")),
        Field("met", "integer", _("Indicators meeting the target (labels ABOVE or MEETS).")),
        Field("above", "integer", _("Indicators labelled ABOVE.")),
        Field("meets", "integer", _("Indicators labelled MEETS.")),
        Field("develop", "integer", _("Indicators labelled DEVELOP.")),
        Field("no_service", "integer", _("Indicators labelled NO_SERVICE.")),
        Field("not_done", "integer", _("Indicators labelled NOT_DONE.")),
        Field("compliance", "number", _("Meeting the target, percent of applicable indicators (6 decimal places).")),
        Field("satisfied", "integer", _("Citizen survey answers: satisfied.")),
        Field("needs_improvement", "integer", _("Citizen survey answers: needs improvement.")),
        Field("satisfaction", "number", _("Satisfied, percent of answers (6 decimal places).")),
    ]


@dataclass(frozen=True)
class Dataset:
    key: str  # the file name: indicators.csv, areas.json …
    title: Promise
    description: Promise
    fields: list[Field]


DATASETS: dict[str, Dataset] = {
    dataset.key: dataset
    for dataset in (
        Dataset(
            "indicators",
            _("Results per indicator per local government"),
            _("One row per indicator of every final return of the round."),
            [
                *_common(),
                Field("area_code", "string", _("Code of the area (ด้าน) in the framework.")),
                Field("indicator_code", "string", _("Code of the indicator in the framework, e.g. 1.1.1.")),
                Field("indicator", "string", _("Wording of the indicator for this type of local government.")),
                Field("kind", "string", _("RATIO (delivered ÷ base, as a percentage), COUNT (a number) or YESNO.")),
                Field("target", "number", _("Target: a percentage for RATIO, a number for COUNT; empty for YESNO.")),
                Field("base", "number", _("RATIO: the base (1), e.g. households in the area.")),
                Field("delivered", "number", _("RATIO: the service delivered (2).")),
                Field("count", "integer", _("COUNT: the number reported.")),
                Field("answer", "boolean", _("YESNO: the answer.")),
                Field("value", "number", _("Achieved value: a percentage for RATIO, the count, 1/0 for YESNO.")),
                Field("label", "string", _("Result: ABOVE, MEETS, DEVELOP, NO_SERVICE or NOT_DONE.")),
                Field("applicable", "boolean", _("Whether the indicator counts in the compliance base.")),
                Field("met", "boolean", _("Whether the indicator meets its target.")),
                Field("shortfall", "number", _("Shortfall to the target in the indicator's own unit.")),
            ],
        ),
        Dataset(
            "areas",
            _("Results per area per local government"),
            _("One row per area (ด้าน) of every final return of the round."),
            [
                *_common(),
                Field("area_code", "string", _("Code of the area (ด้าน) in the framework.")),
                Field("area", "string", _("Name of the area.")),
                *_summary(),
            ],
        ),
        Dataset(
            "returns",
            _("Overall results per local government"),
            _("One row per final return of the round: the overall score and its parts."),
            [
                *_common(),
                *_summary(),
                Field("indicator_score", "number", _("Score from the indicators.")),
                Field("satisfaction_score", "number", _("Score from the citizen survey.")),
                Field("score", "number", _("Overall score.")),
                Field("passed", "boolean", _("Whether the overall score reaches the framework's pass mark.")),
            ],
        ),
    )
}

FORMATS = ("csv", "json")

_LG = "assessment__local_government__"
_COMMON_PATHS = [
    "assessment__round_id",
    "assessment__round__fiscal_year",
    f"{_LG}dla_code",
    f"{_LG}full_name_th",
    f"{_LG}type",
    f"{_LG}province__code",
    f"{_LG}province__name_th",
    f"{_LG}district__code",
    f"{_LG}district__name_th",
]
_SUMMARY_PATHS = [
    "indicators",
    "applicable",
    "met",
    "above",
    "meets",
    "develop",
    "no_service",
    "not_done",
    "compliance",
    "satisfied",
    "needs_improvement",
    "satisfaction",
]


def _final(assessment_round: AssessmentRound, path: str) -> Q:
    """Rows of the round's final returns whose stored results are current (see services.final_scores)."""
    return Q(
        **{
            f"{path}round": assessment_round,
            f"{path}status__in": Status.FINAL,
            f"{path}score__assessment_status__in": Status.FINAL,
            f"{path}score__framework_id": F(f"{path}framework_id"),
        }
    )


_ORDER = [f"{_LG}province__code", f"{_LG}dla_code", f"{_LG}pk"]


def rows(dataset: str, assessment_round: AssessmentRound) -> Iterator[list]:
    """The dataset's rows for the round, values in the order of its fields (Decimal, int, bool, str or None)."""
    if dataset == "indicators":
        queryset = (
            # Unscoped: open data publishes the results of final returns, by design (docs/public.md).
            IndicatorResultRecord.objects.unscoped()
            .filter(_final(assessment_round, "assessment__"))
            .order_by(*_ORDER, "area__order", "indicator__mission__order", "indicator__order", "pk")
            .values_list(
                *_COMMON_PATHS,
                "area__code",
                "indicator__code",
                "indicator__wording",
                "kind",
                "target",
                "base",
                "delivered",
                "count",
                "answer",
                "value",
                "label",
                "applicable",
                "met",
                "shortfall",
            )
        )
        for row in queryset.iterator(chunk_size=STREAM_CHUNK):
            row = list(row)
            row[11] = fill_wording(row[11], row[4])  # {lg} → the type's word
            yield row
    elif dataset == "areas":
        queryset = (
            # Unscoped: open data publishes the results of final returns, by design (docs/public.md).
            AreaScore.objects.unscoped()
            .filter(_final(assessment_round, "assessment__"))
            .order_by(*_ORDER, "area__order", "pk")
            .values_list(*_COMMON_PATHS, "area__code", "area__name", *_SUMMARY_PATHS)
        )
        for row in queryset.iterator(chunk_size=STREAM_CHUNK):
            yield list(row)
    elif dataset == "returns":
        queryset = (
            # Unscoped: open data publishes the results of final returns, by design (docs/public.md).
            ReturnScore.objects.unscoped()
            .filter(_final(assessment_round, "assessment__"))
            .order_by(*_ORDER)
            .values_list(*_COMMON_PATHS, *_SUMMARY_PATHS, "indicator_score", "satisfaction_score", "score", "passed")
        )
        for row in queryset.iterator(chunk_size=STREAM_CHUNK):
            yield list(row)
    else:
        raise KeyError(dataset)


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    return str(value)


def csv_chunks(dataset: str, assessment_round: AssessmentRound) -> Iterator[str]:
    """The CSV file (UTF-8 with a BOM, so Excel reads Thai), a few thousand rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(CSV_BOM)
    writer.writerow([field.name for field in DATASETS[dataset].fields])
    for number, row in enumerate(rows(dataset, assessment_round), start=1):
        writer.writerow([_csv_value(value) for value in row])
        if number % STREAM_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def json_chunks(dataset: str, assessment_round: AssessmentRound, about: dict) -> Iterator[str]:
    """{"dataset": …, "round": …, "licence": …, "fields": [...], "rows": [{field: value}, …]} in pieces."""
    names = [field.name for field in DATASETS[dataset].fields]
    head = json.dumps(about, ensure_ascii=False)[:-1]
    yield head + ', "rows": ['
    first = True
    pieces: list[str] = []
    for row in rows(dataset, assessment_round):
        pieces.append(
            ("" if first else ",")
            + json.dumps(dict(zip(names, map(_json_value, row), strict=True)), ensure_ascii=False)
        )
        first = False
        if len(pieces) >= STREAM_CHUNK:
            yield "".join(pieces)
            pieces = []
    yield "".join(pieces) + "]}"


def fields_json(dataset: str) -> list[dict]:
    return [{"name": f.name, "type": f.type, "description": str(f.description)} for f in DATASETS[dataset].fields]


def rounds_with_final_results() -> list[AssessmentRound]:
    """Rounds that have at least one final return, latest first: the ones the open data lists."""
    return list(
        AssessmentRound.objects.filter(assessments__status__in=Status.FINAL)
        .distinct()
        .order_by("-fiscal_year", "-opens_on", "-pk")
    )


def catalogue(rounds: Iterable[AssessmentRound], url: callable) -> dict:
    """A DCAT-AP-style catalogue (JSON-LD) with one dataset per round and dataset kind, one distribution per format.
    `url(name, *args)` makes an absolute address from a route name."""
    datasets = []
    for assessment_round in rounds:
        for dataset in DATASETS.values():
            datasets.append(
                {
                    "@type": "dcat:Dataset",
                    "dct:identifier": f"localstandards-{assessment_round.pk}-{dataset.key}",
                    "dct:title": f"{dataset.title} · {assessment_round.name}",
                    "dct:description": str(dataset.description),
                    "dct:publisher": {"@type": "foaf:Organization", "foaf:name": PUBLISHER},
                    "dct:license": LICENCE_URL,
                    "dct:language": "th",
                    "dct:temporal": {"@type": "dct:PeriodOfTime", "rdfs:label": str(assessment_round.fiscal_year)},
                    "dcat:keyword": ["มาตรฐานขั้นต่ำการบริการสาธารณะ", "อปท.", "local government", "public services"],
                    "dcat:landingPage": url("public:open-data"),
                    "dct:conformsTo": url("public:data-dictionary") + f"#{dataset.key}",
                    "dcat:distribution": [
                        {
                            "@type": "dcat:Distribution",
                            "dct:format": fmt.upper(),
                            "dcat:mediaType": "text/csv" if fmt == "csv" else "application/json",
                            "dcat:downloadURL": url("public:data-file", assessment_round.pk, dataset.key, fmt),
                            "dct:license": LICENCE_URL,
                        }
                        for fmt in FORMATS
                    ],
                }
            )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        },
        "@type": "dcat:Catalog",
        "dct:title": "มาตรฐานขั้นต่ำการบริการสาธารณะขององค์กรปกครองส่วนท้องถิ่น: ผลการประเมิน",
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": PUBLISHER},
        "dct:license": LICENCE_URL,
        "dcat:dataset": datasets,
    }
