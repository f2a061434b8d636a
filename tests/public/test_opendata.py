"""Open data over a generated round: the files hold exactly the final results, the dictionary and catalogue
describe them, and everything opens without a login."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from localstandards.assessments.models import Assessment, Status
from localstandards.frameworks.models import fill_wording
from localstandards.public.opendata import DATASETS
from localstandards.scoring.services import current_results

pytestmark = pytest.mark.django_db


def download(client, round_id: int, dataset: str, fmt: str):
    response = client.get(reverse("public:data-file", args=[round_id, dataset, fmt]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    body = b"".join(response.streaming_content).decode("utf-8")
    if fmt == "csv":
        assert response["Content-Type"] == "text/csv; charset=utf-8" and body.startswith("\ufeff")
        return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    data = json.loads(body)
    assert [f["name"] for f in data["fields"]] == [f.name for f in DATASETS[dataset].fields]
    assert data["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    return data["rows"]


def number(value) -> Decimal | None:
    """A CSV cell or a JSON number as a Decimal rounded to the 6 places the results are stored with."""
    if value in ("", None):
        return None
    return Decimal(str(value)).quantize(Decimal("0.000001"))


def flag(value) -> bool | None:
    return {"true": True, "false": False, "": None}.get(value, value) if isinstance(value, str) else value


def expected(assessment_round) -> tuple[dict, dict, dict]:
    """What the results pages show for every final return of the round (scoring.services.current_results)."""
    indicators, areas, returns = {}, {}, {}
    final = (
        Assessment.objects.unscoped()
        .filter(round=assessment_round, status=Status.ACCEPTED)
        .select_related("local_government")
    )
    assert final.count() >= 2
    for assessment in final:
        results = current_results(assessment)
        code = assessment.local_government.dla_code
        for record in results.records:
            indicators[(code, record.indicator.code)] = (
                record.label,
                number(record.value),
                number(record.target),
                record.met,
                record.applicable,
                fill_wording(record.indicator.wording, assessment.local_government.type),
            )
        for area in results.areas:
            areas[(code, area.area.code)] = (area.applicable, area.met, number(area.compliance), area.satisfied)
        returns[code] = (number(results.score.score), results.score.passed, results.score.needs_improvement)
    return indicators, areas, returns


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("which", ["current", "previous"])  # the rush before the deadline; a round nearly all final
def test_the_files_hold_exactly_the_final_results(client, generated, fmt, which):
    assessment_round = getattr(generated, which)
    want_indicators, want_areas, want_returns = expected(assessment_round)
    round_id = assessment_round.pk

    got = {
        (row["dla_code"], row["indicator_code"]): (
            row["label"],
            number(row["value"]),
            number(row["target"]),
            flag(row["met"]),
            flag(row["applicable"]),
            row["indicator"],
        )
        for row in download(client, round_id, "indicators", fmt)
    }
    assert got == want_indicators
    got = {
        (row["dla_code"], row["area_code"]): (
            int(row["applicable"]),
            int(row["met"]),
            number(row["compliance"]),
            int(row["satisfied"]),
        )
        for row in download(client, round_id, "areas", fmt)
    }
    assert got == want_areas
    got = {
        row["dla_code"]: (number(row["score"]), flag(row["passed"]), int(row["needs_improvement"]))
        for row in download(client, round_id, "returns", fmt)
    }
    assert got == want_returns


def test_a_return_reopened_leaves_the_files(client, generated):
    assessment = Assessment.objects.unscoped().filter(round=generated.previous, status=Status.ACCEPTED).first()
    before = download(client, generated.previous.pk, "returns", "csv")
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=Status.RETURNED)
    after = download(client, generated.previous.pk, "returns", "csv")
    assert len(after) == len(before) - 1
    assert assessment.local_government.dla_code not in {row["dla_code"] for row in after}


def test_unknown_files_are_not_found(client, generated):
    assert client.get(f"/public/data/{generated.current.pk}/people.csv").status_code == 404
    assert client.get(f"/public/data/{generated.current.pk}/areas.xml").status_code == 404
    assert client.get("/public/data/999999/areas.csv").status_code == 404


def test_the_catalogue_lists_every_file_with_its_licence(client, generated):
    response = client.get(reverse("public:data-catalogue"))
    assert response.status_code == 200
    catalogue = response.json()
    assert catalogue["@type"] == "dcat:Catalog"
    urls = {
        distribution["dcat:downloadURL"]
        for dataset in catalogue["dcat:dataset"]
        for distribution in dataset["dcat:distribution"]
    }
    assert urls == {
        f"http://testserver/public/data/{r.pk}/{key}.{fmt}"
        for r in (generated.current, generated.previous)
        for key in ("indicators", "areas", "returns")
        for fmt in ("csv", "json")
    }
    for url in urls:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200
    assert {d["dct:license"] for d in catalogue["dcat:dataset"]} == {"https://creativecommons.org/licenses/by/4.0/"}


def test_the_open_data_page_and_the_dictionary(client, generated):
    page = client.get(reverse("public:open-data")).content.decode()
    assert reverse("public:data-file", args=[generated.current.pk, "indicators", "csv"]) in page
    assert "CC BY 4.0" in page
    dictionary = client.get(reverse("public:data-dictionary")).content.decode()
    for dataset in DATASETS.values():
        for field in dataset.fields:
            assert f"<code>{field.name}</code>" in dictionary
