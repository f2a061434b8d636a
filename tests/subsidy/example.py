"""The worked example of docs/subsidy-analysis.md §7, read from the doc's own tables and built as data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.test.html import Element

from localstandards.assessments.models import Answer, Assessment, Status
from localstandards.registry.models import LocalGovernmentType
from localstandards.scoring.services import rescore_assessment
from localstandards.subsidy.services import import_fiscal, set_unit_costs
from tests.assessments import factories
from tests.assessments.factories import COUNT, RATIO, YESNO
from tests.factories import DistrictFactory, LocalGovernmentFactory, ProvinceFactory
from tests.html import text

DOC = Path(__file__).resolve().parents[2] / "docs" / "subsidy-analysis.md"
MARKER = re.compile(r"<!-- example: ([a-z-]+) -->")


def doc_tables(text: str | None = None) -> dict[str, list[list[str]]]:
    """Each table after an `<!-- example: name -->` marker: its rows (header and separator left out) as cell texts."""
    text = DOC.read_text(encoding="utf-8") if text is None else text
    tables: dict[str, list[list[str]]] = {}
    lines = text.splitlines()
    for index, line in enumerate(lines):
        found = MARKER.fullmatch(line.strip())
        if not found:
            continue
        rows = []
        for row in lines[index + 1 :]:
            if not row.startswith("|"):
                break
            rows.append([cell.strip() for cell in row.strip().strip("|").split("|")])
        tables[found.group(1)] = rows[2:]
    return tables


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


@dataclass
class Example:
    local_governments: dict[str, object]
    assessment_round: object


def build_example(framework, tables: dict[str, list[list[str]]] | None = None) -> Example:
    """The local governments (before the round opens, so each gets a return), the accepted returns with their
    answers and stored results, the FY 2567 fiscal data (through the import) and the unit costs."""
    tables = tables or doc_tables()
    provinces: dict[str, object] = {}
    local_governments = {}
    for code, name, province_name, kind, *_rest in tables["input"]:
        if province_name not in provinces:
            province = ProvinceFactory(code=code[:2], name_th=province_name)
            provinces[province_name] = (province, DistrictFactory(code=f"{code[:2]}01", province=province))
        _province, district = provinces[province_name]
        local_governments[code] = LocalGovernmentFactory(
            district=district, dla_code=code, name_th=name, type=LocalGovernmentType[kind]
        )
    assessment_round = factories.open_test_round(framework)
    csv_lines = ["dla_code,total_revenue,general_subsidy,specific_subsidy,population"]
    for code, _n, _p, _k, revenue, general, specific, population, base, delivered, projects, plan in tables["input"]:
        csv_lines.append(",".join(str(number(value)) for value in (code, revenue, general, specific, population)))
        assessment = Assessment.objects.unscoped().get(round=assessment_round, local_government=local_governments[code])
        Answer.objects.create(
            assessment=assessment,
            indicator=factories.indicator(framework, RATIO),
            base=number(base),
            delivered=number(delivered),
        )
        Answer.objects.create(
            assessment=assessment, indicator=factories.indicator(framework, COUNT), count=int(projects)
        )
        Answer.objects.create(
            assessment=assessment, indicator=factories.indicator(framework, YESNO), answer=plan == "yes"
        )
        Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=Status.ACCEPTED)
        assessment.refresh_from_db()
        rescore_assessment(assessment)
    import_fiscal(("\n".join(csv_lines) + "\n").encode(), assessment_round.fiscal_year, filename="example.csv")
    set_unit_costs(assessment_round.fiscal_year, {code: number(cost) for code, cost in tables["unit-costs"]})
    return Example(local_governments, assessment_round)


def body_rows(section: Element) -> list[list[str]]:
    """The cell texts of each row in the <tbody> of a page section."""
    rows = []

    def walk(node, in_body: bool):
        if not isinstance(node, Element):
            return
        if node.name == "tr" and in_body:
            rows.append([text(cell) for cell in node.children if isinstance(cell, Element)])
            return
        for child in node.children:
            walk(child, in_body or node.name == "tbody")

    walk(section, False)
    return rows
