"""Unit tests of the pure scoring functions, with exact expected values (docs/scoring.md)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from localstandards.frameworks.rules import ABOVE, DEVELOP, MEETS, NO_SERVICE, NOT_DONE
from localstandards.scoring import scoring
from localstandards.scoring.scoring import (
    AreaInput,
    IndicatorInput,
    ReturnInput,
    SatisfactionInput,
    ScoringParameters,
    display,
    score_indicator,
    score_return,
)

# ABOVE from 10 points over the target, MEETS from the target: all five labels can appear.
SPLIT = {ABOVE: D(10), MEETS: D(0)}


def ratio(base, delivered, target="80", thresholds=SPLIT, **fields):
    item = IndicatorInput(
        1,
        1,
        "ratio",
        target=None if target is None else D(target),
        base=None if base is None else D(base),
        delivered=None if delivered is None else D(delivered),
        **fields,
    )
    return score_indicator(item, thresholds)


def count(value, target="2", thresholds=SPLIT):
    return score_indicator(IndicatorInput(1, 1, "count", target=D(target), count=value), thresholds)


def yesno(answer, thresholds=SPLIT):
    return score_indicator(IndicatorInput(1, 1, "yesno", answer=answer), thresholds)


class TestRatio:
    def test_above(self):
        result = ratio("7200", "7200")
        assert (result.label, result.value, result.shortfall) == (ABOVE, D(100), D(0))
        assert result.applicable and result.met

    def test_exactly_the_target_meets_it(self):
        result = ratio("10", "8")
        assert result.percentage == D(80)
        assert (result.label, result.shortfall) == (MEETS, D(0))

    def test_exactly_the_above_threshold_is_above(self):
        assert ratio("10", "9").label == ABOVE  # 90 − 80 = 10 ≥ 10

    def test_just_below_the_target_is_develop_even_if_it_displays_as_the_target(self):
        # 79.996 % displays as 80.00 but the decision uses the exact value.
        result = ratio("100000", "79996")
        assert display(result.percentage) == D("80.00")
        assert result.label == DEVELOP
        assert result.shortfall == D("4")
        assert result.applicable and not result.met

    def test_thakham_concrete_roads(self):
        result = ratio("13502", "360")
        assert result.label == DEVELOP
        assert display(result.percentage) == D("2.67")
        assert result.shortfall == D("10441.6")  # 80 % × 13502 − 360

    def test_base_zero_is_no_service_not_applicable(self):
        result = ratio("0", None)
        assert (result.label, result.value, result.percentage, result.shortfall) == (NO_SERVICE, None, None, None)
        assert result.scored and not result.applicable and not result.met

    def test_base_zero_with_something_delivered_is_still_no_service(self):
        assert ratio("0", "5").label == NO_SERVICE

    def test_delivered_zero_is_not_done_applicable_not_met(self):
        result = ratio("2", "0", target="75")
        assert (result.label, result.value, result.shortfall) == (NOT_DONE, D(0), D("1.5"))
        assert result.applicable and not result.met

    def test_blanks_are_not_scored(self):
        for result in (ratio(None, None), ratio("10", None), ratio(None, "3")):
            assert result.label is None and not result.scored and not result.applicable
            assert (result.value, result.shortfall) == (None, None)

    def test_more_delivered_than_the_base(self):
        result = ratio("2", "3")
        assert (result.label, result.value, result.shortfall) == (ABOVE, D(150), D(0))

    def test_no_target_compares_with_zero(self):
        assert ratio("100", "5", target=None).label == MEETS  # 5 − 0 < 10

    def test_default_thresholds_say_above_for_at_or_over_the_target(self):
        assert ratio("10", "8", thresholds=None).label == ABOVE
        assert ratio("10", "7", thresholds=None).label == DEVELOP

    def test_weight_defaults_to_one(self):
        assert ratio("10", "8").weight == D(1)
        assert ratio("10", "8", weight=D("2.5")).weight == D("2.5")


class TestCount:
    def test_meets_and_above(self):
        assert (count(2).label, count(2).shortfall, count(2).value) == (MEETS, D(0), D(2))
        assert count(12).label == ABOVE

    def test_below(self):
        assert (count(1).label, count(1).shortfall) == (DEVELOP, D(1))

    def test_zero_is_not_done(self):
        result = count(0)
        assert (result.label, result.shortfall, result.value) == (NOT_DONE, D(2), D(0))
        assert result.applicable and not result.met

    def test_blank(self):
        assert count(None).label is None


class TestYesNo:
    def test_yes_is_the_first_achievement_label(self):
        assert (yesno(True).label, yesno(True).value, yesno(True).shortfall) == (ABOVE, D(1), D(0))
        assert yesno(True, thresholds={ABOVE: None, MEETS: D(0)}).label == MEETS

    def test_no_is_develop(self):
        result = yesno(False)
        assert (result.label, result.value, result.shortfall) == (DEVELOP, D(0), D(1))

    def test_blank(self):
        assert yesno(None).label is None


def test_unknown_kind():
    with pytest.raises(ValueError):
        score_indicator(IndicatorInput(1, 1, "stars"))


def test_display_rounds_half_up():
    assert display(D("2.665")) == D("2.67")
    assert display(D("2.675")) == D("2.68")
    assert display(D("52.003840")) == D("52.00")
    assert display(None) is None


# ---------------------------------------------------------------- the worked example in docs/scoring.md


def worked_example(**parameters) -> ReturnInput:
    defaults = {"satisfaction_share": D("0.2"), "pass_threshold": D("60")}
    defaults.update(parameters)
    return ReturnInput(
        areas=(AreaInput(1, D(2), "1"), AreaInput(2, D(1), "2")),
        indicators=(
            IndicatorInput(11, 1, "ratio", D(80), base=D(7200), delivered=D(7200), code="1.1"),
            IndicatorInput(12, 1, "ratio", D(80), base=D(13502), delivered=D(360), code="1.2"),
            IndicatorInput(13, 1, "ratio", D(75), base=D(2), delivered=D(0), code="1.3"),
            IndicatorInput(14, 1, "ratio", D(85), base=D(0), code="1.4"),
            IndicatorInput(21, 2, "count", D(2), count=1, code="2.1"),
            IndicatorInput(22, 2, "yesno", weight=D(2), answer=True, code="2.2"),
        ),
        satisfaction=(
            SatisfactionInput(1, 1, 46, 14),
            SatisfactionInput(2, 1, 45, 15),
            SatisfactionInput(3, 2, 38, 22),
        ),
        parameters=ScoringParameters(**defaults),
    )


def test_worked_example_indicators():
    results = {r.code: r for r in score_return(worked_example()).indicators}
    assert [results[c].label for c in ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2")] == [
        ABOVE,
        DEVELOP,
        NOT_DONE,
        NO_SERVICE,
        DEVELOP,
        ABOVE,
    ]
    assert [display(results[c].value) for c in ("1.1", "1.2", "1.3", "2.1", "2.2")] == [
        D("100.00"),
        D("2.67"),
        D("0.00"),
        D("1.00"),
        D("1.00"),
    ]
    assert [results[c].shortfall for c in ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2")] == [
        D(0),
        D("10441.6"),
        D("1.5"),
        None,
        D(1),
        D(0),
    ]


def test_worked_example_summaries():
    summary = score_return(worked_example()).summary
    one, two = summary.areas
    assert (one.indicators, one.scored, one.applicable, one.met) == (4, 4, 3, 1)
    assert one.label_counts == {ABOVE: 1, MEETS: 0, DEVELOP: 1, NO_SERVICE: 1, NOT_DONE: 1}
    assert display(one.compliance) == D("33.33")
    assert (one.satisfied, one.respondents, display(one.satisfaction)) == (91, 120, D("75.83"))
    assert (two.applicable, two.met, display(two.compliance)) == (2, 1, D("50.00"))
    assert display(two.weighted_compliance) == D("66.67")  # weights: 2.1 → 1, 2.2 → 2
    assert (two.satisfied, two.respondents, display(two.satisfaction)) == (38, 60, D("63.33"))
    assert (summary.indicators, summary.applicable, summary.met, summary.unscored) == (6, 5, 2, 0)
    assert display(summary.compliance) == D("40.00")
    assert display(summary.indicator_score) == D("44.44")  # (2 × 33.33… + 1 × 66.67…) ÷ 3
    assert display(summary.satisfaction_score) == D("71.67")  # 129 ÷ 180
    assert display(summary.score) == D("49.89")  # 0.8 × 44.44… + 0.2 × 71.67… = 449 ÷ 9
    assert summary.passed is False


def test_worked_example_with_a_formula():
    summary = score_return(worked_example(score_formula="min(100, indicator_score + 10)")).summary
    assert display(summary.score) == D("54.44")
    same = score_return(
        worked_example(
            score_formula="(1 - satisfaction_share) * indicator_score + satisfaction_share * satisfaction_score"
        )
    ).summary
    assert display(same.score) == D("49.89")


def test_pass_threshold_and_satisfaction_pass_threshold():
    assert score_return(worked_example(pass_threshold=D("49.88"))).summary.passed is True
    assert score_return(worked_example(pass_threshold=D("49.89"))).summary.passed is False
    held_back = worked_example(pass_threshold=D("40"), satisfaction_pass_threshold=D("75"))
    assert score_return(held_back).summary.passed is False  # satisfaction 71.67 < 75


def test_formula_result_is_clamped_and_errors_give_no_score():
    assert score_return(worked_example(score_formula="indicator_score * 10")).summary.score == D(100)
    assert score_return(worked_example(score_formula="0 - indicator_score")).summary.score == D(0)
    broken = score_return(worked_example(score_formula="indicator_score / 0")).summary
    assert (broken.score, broken.passed) == (None, None)
    assert broken.formula_error
    refused = score_return(worked_example(score_formula="__import__('os')")).summary
    assert refused.score is None and refused.formula_error


def test_missing_parts_take_the_other_value():
    only_indicators = scoring.overall_score(D(40), None, ScoringParameters(satisfaction_share=D("0.5")))
    assert only_indicators == (D(40), "")
    only_satisfaction = scoring.overall_score(None, D(70), ScoringParameters(satisfaction_share=D("0.5")))
    assert only_satisfaction == (D(70), "")
    assert scoring.overall_score(None, None, ScoringParameters()) == (None, "")


def test_nothing_applicable_and_nobody_answered():
    data = ReturnInput(
        areas=(AreaInput(1),),
        indicators=(IndicatorInput(1, 1, "ratio", D(80), base=D(0)), IndicatorInput(2, 1, "count", D(2))),
        satisfaction=(SatisfactionInput(1, 1, None, None),),
    )
    summary = score_return(data).summary
    assert (summary.applicable, summary.scored, summary.unscored, summary.respondents) == (0, 1, 1, 0)
    assert (summary.compliance, summary.satisfaction, summary.score, summary.passed) == (None, None, None, None)


def test_weights_of_zero_leave_an_area_out_of_the_score():
    data = ReturnInput(
        areas=(AreaInput(1, D(0)), AreaInput(2, D(1))),
        indicators=(
            IndicatorInput(1, 1, "count", D(2), count=0),
            IndicatorInput(2, 2, "count", D(2), count=5),
        ),
    )
    summary = score_return(data).summary
    assert summary.indicator_score == D(100)
    assert display(summary.compliance) == D("50.00")


def test_a_result_for_an_unknown_area_is_refused():
    with pytest.raises(ValueError):
        scoring.summarise([AreaInput(1)], [score_indicator(IndicatorInput(1, 9, "yesno", answer=True))])
