"""The published result PDF's layout (issue 16): 35 indicators on at most 3 A4 pages, the table's header row on
every page that carries the table, no area heading left alone at the foot of a page, summary tables whole."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from localstandards.assessments.models import Answer, Assessment, SatisfactionAnswer, Status
from localstandards.frameworks.models import Indicator, SatisfactionQuestion
from localstandards.frameworks.samples.build_sample import sample_spec
from localstandards.frameworks.services import create_from_spec, publish_framework
from localstandards.reports import services
from localstandards.scoring.services import rescore_assessment
from tests.assessments.factories import open_test_round
from tests.reports.pdf_pages import page_texts, row_classes

pytestmark = pytest.mark.django_db


def spec_with(count: int) -> dict:
    """The sample framework's real wording, cut to its first `count` indicators, each for every type."""
    spec = copy.deepcopy(sample_spec())
    spec["framework"]["code"] = f"PDF-{count}"
    spec["indicators"] = spec["indicators"][:count]
    for item in spec["indicators"]:
        item["applies_to"] = ["PAO", "CITY", "TOWN", "SUBDISTRICT", "SAO", "SPECIAL", "BMA"]
        item["applicability"] = ""
        if item["kind"] != "yesno" and item["target"] is None:
            item["target"] = "80" if item["kind"] == "ratio" else "2"
        item["targets"] = {}
    kept = {item["code"] for item in spec["indicators"]}
    missions = {item["mission"] for item in spec["indicators"]}
    spec["missions"] = [mission for mission in spec["missions"] if mission["code"] in missions]
    areas = {mission["area"] for mission in spec["missions"]}
    spec["areas"] = [area for area in spec["areas"] if area["code"] in areas]
    spec["validations"] = [rule for rule in spec["validations"] if rule["indicator"] in kept]
    spec["satisfaction"] = [question for question in spec["satisfaction"] if question["area"] in areas]
    return spec


def accepted_return(world, count: int) -> Assessment:
    framework = publish_framework(create_from_spec(spec_with(count)))
    assessment_round = open_test_round(framework, name="รอบประเมินปีงบประมาณ พ.ศ. 2567")
    assessment = assessment_round.assessments.get(local_government=world.local_government)
    for number, indicator in enumerate(Indicator.objects.filter(framework=framework).order_by("order")):
        if indicator.kind == "ratio":
            fields = {"base": Decimal(13502 + number), "delivered": Decimal(360 * (number % 5) + 12)}
        elif indicator.kind == "count":
            fields = {"count": number % 4}
        else:
            fields = {"answer": number % 3 != 0}
        Answer.objects.create(assessment=assessment, indicator=indicator, **fields)
    for question in SatisfactionQuestion.objects.filter(framework=framework):
        SatisfactionAnswer.objects.create(assessment=assessment, question=question, satisfied=46, needs_improvement=14)
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=Status.ACCEPTED)
    assessment = (
        Assessment.objects.unscoped()
        .select_related("round", "framework", "local_government__province")
        .get(pk=assessment.pk)
    )
    rescore_assessment(assessment)
    return assessment


def layout(assessment: Assessment):
    return services.results_pdf_document(services.build_results(assessment, standing=False, previous=False))


def test_35_indicators_take_at_most_3_pages_with_the_header_row_on_each(world):
    document = layout(accepted_return(world, 35))
    assert len(document.pages) <= 3  # was 7–8: a narrow indicator column wrapped each indicator onto 6–9 lines
    rows = row_classes(document, "results")
    table_pages = [page for page in rows if page]
    assert len(table_pages) >= 2  # the table does cross a page
    for page in table_pages:
        assert page[0] == "thead" and page.count("thead") == 1  # the header row opens every page of the table
    texts = page_texts(document)
    for number, page in enumerate(rows):
        if page:
            assert "เกณฑ์ชี้วัด" in texts[number] and "ส่วนที่ขาด" in texts[number]


@pytest.mark.parametrize("count", [19, 23, 29, 35])
def test_no_area_or_mission_heading_is_left_at_the_foot_of_a_page(world, count):
    rows = row_classes(layout(accepted_return(world, count)), "results")
    last_rows = [page[-1] for page in rows if page]
    assert not [css for css in last_rows if css in ("area-row", "mission-row")], last_rows


@pytest.mark.parametrize("count", [24, 30])
def test_summary_tables_are_not_split_across_pages(world, count):
    texts = page_texts(layout(accepted_return(world, count)))

    def pages_with(fragment: str) -> list[int]:
        return [number for number, text in enumerate(texts) if fragment in text]

    assert len(pages_with("สรุปผลรายด้าน")) == 1
    assert pages_with("สรุปผลรายด้าน") == pages_with("ทั้งแบบประเมิน")  # heading, rows and total together
    assert len(pages_with("สรุปผลการประเมินความพึงพอใจ")) == 1
    assert pages_with("สรุปผลการประเมินความพึงพอใจ") == pages_with("รวมทุกคำถาม")
