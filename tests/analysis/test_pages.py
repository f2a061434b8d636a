"""The national results pages: what each role may open, what the page shows, the XLSX, round over round."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.analysis.conftest import ANSWERS, build_round

pytestmark = pytest.mark.django_db


def url(assessment_round, level="nation", code="all", **query):
    address = reverse("analysis:level", args=[assessment_round.pk, level, code])
    if query:
        address += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return address


def test_the_national_page_shows_counted_and_uncounted_returns_and_the_regions(analysed_round, users, client_for):
    assessment_round, _returns = analysed_round
    response = client_for(users.committee_viewer).get(url(assessment_round))
    assert response.status_code == 200
    board = response.context["board"]
    assert board.final_returns == 4
    assert board.not_final_returns == assessment_round.assessments.count() - 4
    assert [row.code for row in board.children if row.figures.returns] == ["NORTH", "SOUTH"]
    # Passed (overall score ≥ 60): LG1 and LG3 of province 50's three, LG_OUT in 90.
    assert {code: round(value, 2) for code, value in board.map_values.items()} == {"50": Decimal("66.67"), "90": 100}
    text = response.content.decode()
    assert "province-map" in text and "OCHA/HDX" in text


def test_a_chosen_indicator_and_type_drive_the_breakdown(analysed_round, users, client_for):
    assessment_round, _returns = analysed_round
    response = client_for(users.national_admin).get(url(assessment_round, "region", "NORTH", item="indicator:1.1.1"))
    board = response.context["board"]
    assert [(row.code, row.figures.met, row.figures.applicable) for row in board.children] == [("50", 1, 2)]
    by_type = {code: (f.met, f.applicable) for code, _label, f in board.by_type}
    assert by_type == {"SUBDISTRICT": (1, 1), "SAO": (0, 1)}
    sao = client_for(users.national_admin).get(url(assessment_round, "province", "50", type="SAO"))
    assert sao.context["board"].final_returns == 2  # LG2 and LG3


def test_the_district_page_lists_its_local_governments_with_links_to_their_results(analysed_round, users, client_for):
    assessment_round, returns = analysed_round
    response = client_for(users.district_officer).get(url(assessment_round, "district", "5001"))
    rows = response.context["board"].children
    assert sorted(row.assessment_id for row in rows) == sorted([returns["LG1"].pk, returns["LG2"].pk])
    assert reverse("reports:results", args=[returns["LG1"].pk]) in response.content.decode()


def test_a_provincial_officer_sees_the_national_totals_and_their_province_only(analysed_round, users, client_for):
    assessment_round, _returns = analysed_round
    client = client_for(users.province_officer)
    national = client.get(url(assessment_round))
    assert national.status_code == 200
    assert national.context["board"].final_returns == 4  # the national totals
    assert national.context["board"].children == [] and national.context["board"].map_values == {}
    assert client.get(url(assessment_round, "province", "50")).status_code == 200
    assert client.get(url(assessment_round, "province", "90")).status_code == 404
    assert client.get(url(assessment_round, "region", "NORTH")).status_code == 404
    outsider = client_for(users.outsider_province_officer)
    assert outsider.get(url(assessment_round, "province", "50")).status_code == 404
    assert outsider.get(url(assessment_round, "district", "5001")).status_code == 404


def test_local_government_users_and_visitors_do_not_get_the_national_results(analysed_round, users, client_for):
    assessment_round, _returns = analysed_round
    assert client_for(users.staff).get(url(assessment_round)).status_code == 404
    anonymous = Client().get(url(assessment_round))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_the_xlsx_holds_the_tables_of_the_page(analysed_round, users, client_for):
    assessment_round, _returns = analysed_round
    response = client_for(users.national_admin).get(url(assessment_round, format="xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["items", "by-type", "breakdown"]
    rows = {row[0]: row for row in book["items"].iter_rows(min_row=3, values_only=True) if row[0]}
    ratio = next(row for name, row in rows.items() if name.startswith("1.1.1 "))
    assert ratio[1:4] == (4, pytest.approx(66.6667, abs=1e-3), 2)  # final returns, meeting %, above
    assert ratio[9:12] == (80, 85, 3)  # median, upper quartile, total shortfall


def test_round_over_round_counts_only_local_governments_final_in_both(world, users, client_for):
    earlier, _old = build_round(world, code="A-2566", name="รอบก่อน", opens_in=-40)
    later_answers = dict(ANSWERS)
    later_answers["LG2"] = {"1.1.1": (10, 9), "1.1.2": 2, "1.1.3": True, "1.1.4": 1}  # LG2 now meets everything
    del later_answers["LG3"]  # LG3 has no final return in the later round
    later, _new = build_round(world, code="A-2567", name="รอบนี้", answers=later_answers)
    response = client_for(users.national_admin).get(
        reverse("analysis:compare", args=[later.pk, earlier.pk, "nation", "all"])
    )
    comparison = response.context["comparison"]
    assert comparison.cohort == 3  # LG1, LG2, LG_OUT
    ratio = next(c for c in comparison.changes if c.item.code == "1.1.1")
    assert (ratio.before_met, ratio.before_applicable, ratio.after_met, ratio.after_applicable) == (2, 3, 3, 3)
    assert round(ratio.change, 4) == Decimal("33.3333")
    area = next(c for c in comparison.changes if c.item.kind == "area")
    # Earlier: LG1 3/3, LG2 0/4, LG_OUT 4/4 = 7/11; later: 3/3 + 4/4 + 4/4 = 11/11.
    assert (area.before_met, area.before_applicable, area.after_met, area.after_applicable) == (7, 11, 11, 11)
    lg = client_for(users.district_officer).get(
        reverse("analysis:compare-lg", args=[later.pk, earlier.pk, world.neighbour_same_district.pk])
    )
    assert lg.status_code == 200 and len(lg.context["rows"]) == 4
    outsider = client_for(users.outsider_province_officer).get(
        reverse("analysis:compare-lg", args=[later.pk, earlier.pk, world.neighbour_same_district.pk])
    )
    assert outsider.status_code == 404
