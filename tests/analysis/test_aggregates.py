"""National, regional, provincial and district aggregates equal the figures worked out by hand (conftest.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from localstandards.analysis.aggregates import percentile, refresh_round
from localstandards.analysis.models import AggregateCell, RoundAnalysis
from localstandards.assessments import services as assessment_services
from localstandards.assessments.models import Status
from tests.analysis.conftest import SAO_ONLY

pytestmark = pytest.mark.django_db


def cell(assessment_round, level, code, item_kind, item_code, lg_type=""):
    return AggregateCell.objects.get(
        round=assessment_round, level=level, code=code, lg_type=lg_type, item_kind=item_kind, item_code=item_code
    )


def figures(c) -> dict:
    return {
        "returns": c.returns,
        "applicable": c.applicable,
        "met": c.met,
        "labels": (c.above, c.meets, c.develop, c.no_service, c.not_done),
        "quartiles": (c.q1, c.median, c.q3),
        "shortfall": c.shortfall,
    }


def test_percentiles_interpolate_between_ranks_as_excel_quartile_inc():
    values = [Decimal(v) for v in (50, 80, 90)]
    assert percentile(values, Decimal("0.25")) == 65
    assert percentile(values, Decimal("0.5")) == 80
    assert percentile(values, Decimal("0.75")) == 85
    assert percentile([Decimal(7)], Decimal("0.25")) == 7
    assert percentile([], Decimal("0.5")) is None


def test_the_aggregates_follow_acceptance_without_a_command(analysed_round):
    assessment_round, _returns = analysed_round
    analysis = RoundAnalysis.objects.get(round=assessment_round)
    assert analysis.final_returns == 4 and not analysis.is_stale


def test_national_indicator_figures(analysed_round):
    assessment_round, _returns = analysed_round
    # 1.1.1: LG1 90 % ABOVE, LG2 50 % DEVELOP (short 8 − 5 = 3), LG3 NO_SERVICE (no value), LG_OUT 80 % ABOVE.
    assert figures(cell(assessment_round, "nation", "", "indicator", "1.1.1")) == {
        "returns": 4,
        "applicable": 3,
        "met": 2,
        "labels": (2, 0, 1, 1, 0),
        "quartiles": (Decimal(65), Decimal(80), Decimal(85)),
        "shortfall": Decimal(3),
    }
    # 1.1.3 yes/no: no is short by 1.
    assert cell(assessment_round, "nation", "", "indicator", "1.1.3").shortfall == 1


def test_an_indicator_for_saos_only_counts_only_saos(analysed_round):
    assessment_round, _returns = analysed_round
    # LG2 0 NOT_DONE (short 1), LG3 2 ABOVE, LG_OUT 1 ABOVE; LG1 (a subdistrict municipality) is not asked.
    assert figures(cell(assessment_round, "nation", "", "indicator", SAO_ONLY)) == {
        "returns": 3,
        "applicable": 3,
        "met": 2,
        "labels": (2, 0, 0, 0, 1),
        "quartiles": (Decimal("0.5"), Decimal(1), Decimal("1.5")),
        "shortfall": Decimal(1),
    }
    assert not AggregateCell.objects.filter(
        round=assessment_round, lg_type="SUBDISTRICT", item_kind="indicator", item_code=SAO_ONLY
    ).exists()
    assert cell(assessment_round, "nation", "", "indicator", "1.1.1", "SUBDISTRICT").met == 1
    by_sao = cell(assessment_round, "nation", "", "indicator", "1.1.1", "SAO")
    assert (by_sao.returns, by_sao.applicable, by_sao.met) == (3, 2, 1)


def test_mission_area_and_score_figures(analysed_round):
    assessment_round, _returns = analysed_round
    # Per return, compliance in mission 1.1 (= area 1): LG1 3/3, LG2 0/4, LG3 3/3 (NO_SERVICE left out), LG_OUT 4/4.
    for kind, code in (("mission", "1.1"), ("area", "1")):
        c = cell(assessment_round, "nation", "", kind, code)
        assert (c.returns, c.applicable, c.met) == (4, 14, 10)
        assert (c.q1, c.median, c.q3) == (Decimal(75), Decimal(100), Decimal(100))
    # Overall score 0.8 × compliance + 0.2 × 80: 96, 16, 96, 96; the pass mark is 60.
    score = cell(assessment_round, "nation", "", "score", "")
    assert (score.returns, score.met) == (4, 3)
    assert (score.q1, score.median, score.q3) == (Decimal(76), Decimal(96), Decimal(96))


def test_region_province_and_district_figures(analysed_round):
    assessment_round, _returns = analysed_round
    north = cell(assessment_round, "region", "NORTH", "indicator", "1.1.1")
    assert (north.returns, north.applicable, north.met, north.shortfall) == (3, 2, 1, Decimal(3))
    south = cell(assessment_round, "province", "90", "indicator", "1.1.1")
    assert (south.returns, south.met, south.median) == (1, 1, Decimal(80))
    district = cell(assessment_round, "district", "5001", "indicator", "1.1.1")
    assert (district.returns, district.applicable, district.met) == (2, 2, 1)
    assert (district.q1, district.median, district.q3) == (Decimal(60), Decimal(70), Decimal(80))
    assert cell(assessment_round, "district", "5002", "indicator", "1.1.1").no_service == 1


def test_a_reopened_return_leaves_the_totals(analysed_round, users):
    assessment_round, returns = analysed_round
    reopened = returns["LG_OUT"]
    assessment_services.reopen(reopened, users.national_admin, "ตัวเลขผิด")
    reopened.refresh_from_db()
    assert reopened.status not in Status.FINAL
    national = cell(assessment_round, "nation", "", "indicator", "1.1.1")
    # LG1 90, LG2 50, LG3 NO_SERVICE: LG_OUT's 80 is gone.
    assert (national.returns, national.applicable, national.met) == (3, 2, 1)
    assert (national.q1, national.median, national.q3) == (Decimal(60), Decimal(70), Decimal(80))
    assert not AggregateCell.objects.filter(round=assessment_round, level="province", code="90").exists()
    assert RoundAnalysis.objects.get(round=assessment_round).final_returns == 3


def test_a_rebuild_gives_the_same_cells(analysed_round):
    assessment_round, _returns = analysed_round

    def snapshot():
        return sorted(
            AggregateCell.objects.filter(round=assessment_round).values_list(
                "level", "code", "lg_type", "item_kind", "item_code", "returns", "met", "median", "shortfall"
            )
        )

    before = snapshot()
    refresh_round(assessment_round)
    assert snapshot() == before


def test_results_of_returns_that_are_not_and_were_not_final_leave_the_figures_alone(analysed_round):
    from localstandards.assessments.models import Assessment
    from localstandards.scoring.models import ReturnScore
    from localstandards.scoring.services import rescore_assessment

    assessment_round, returns = analysed_round
    draft = returns["LG1"]
    Assessment.objects.unscoped().filter(pk=draft.pk).update(status=Status.RETURNED)
    ReturnScore.objects.unscoped().filter(assessment=draft).update(
        assessment_status=Status.RETURNED
    )  # scored while returned
    before = RoundAnalysis.objects.get(round=assessment_round)
    rescore_assessment(draft)  # e.g. a return sent back again, or a submission: no final return involved
    after = RoundAnalysis.objects.get(round=assessment_round)
    assert (after.changed_at, after.computed_at) == (before.changed_at, before.computed_at)
