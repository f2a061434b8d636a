"""Property-based tests of the pure scoring functions (hypothesis)."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from localstandards.frameworks.rules import ABOVE, ACHIEVEMENT_ORDER, DEVELOP, MEETS, NO_SERVICE, NOT_DONE
from localstandards.scoring.scoring import (
    LABELS,
    AreaInput,
    IndicatorInput,
    ReturnInput,
    SatisfactionInput,
    ScoringParameters,
    score_indicator,
    score_return,
)

# Answers as the form stores them: up to 11 integer digits and 3 decimals, never negative.
amounts = st.decimals(min_value=0, max_value=D("99999999999"), places=3, allow_nan=False, allow_infinity=False)
positive = amounts.filter(lambda value: value > 0)
targets = st.decimals(min_value=0, max_value=100, places=2)
gaps = st.one_of(st.none(), st.decimals(min_value=-20, max_value=20, places=2))
thresholds = st.fixed_dictionaries({ABOVE: gaps, MEETS: gaps})
weights = st.one_of(st.none(), st.decimals(min_value=0, max_value=10, places=2))


@st.composite
def indicator_inputs(draw, area_ids=(1,)):
    kind = draw(st.sampled_from(["ratio", "count", "yesno"]))
    area_id = draw(st.sampled_from(area_ids))
    fields = {"weight": draw(weights)}
    if kind == "ratio":
        fields.update(
            target=draw(targets),
            base=draw(st.one_of(st.none(), amounts)),
            delivered=draw(st.one_of(st.none(), amounts)),
        )
    elif kind == "count":
        fields.update(target=D(draw(st.integers(0, 50))), count=draw(st.one_of(st.none(), st.integers(0, 99))))
    else:
        fields.update(answer=draw(st.one_of(st.none(), st.booleans())))
    return IndicatorInput(draw(st.integers(1, 10**6)), area_id, kind, **fields)


@given(base=positive, delivered=amounts, target=targets, limits=thresholds)
def test_ratio_percentage_is_never_negative_and_at_most_100_when_delivered_fits(base, delivered, target, limits):
    result = score_indicator(IndicatorInput(1, 1, "ratio", target, base=base, delivered=delivered), limits)
    assert result.percentage is not None and result.percentage >= 0
    if delivered <= base:
        assert result.percentage <= 100
    assert result.shortfall >= 0


@given(base=positive, delivered=positive, target=targets, limits=thresholds)
def test_ratio_label_follows_the_comparison(base, delivered, target, limits):
    result = score_indicator(IndicatorInput(1, 1, "ratio", target, base=base, delivered=delivered), limits)
    gap = delivered / base * 100 - target
    expected = next((key for key in ACHIEVEMENT_ORDER if limits[key] is not None and gap >= limits[key]), DEVELOP)
    assert result.label == expected
    assert result.met == (expected in ACHIEVEMENT_ORDER)
    if result.percentage >= target:
        assert result.shortfall == 0
    else:
        assert result.shortfall == target / 100 * base - delivered > 0


@given(count=st.integers(1, 10**6), target=st.integers(0, 10**6), limits=thresholds)
def test_count_label_and_shortfall_follow_the_comparison(count, target, limits):
    result = score_indicator(IndicatorInput(1, 1, "count", D(target), count=count), limits)
    gap = D(count - target)
    expected = next((key for key in ACHIEVEMENT_ORDER if limits[key] is not None and gap >= limits[key]), DEVELOP)
    assert result.label == expected
    assert result.shortfall == max(D(target - count), D(0))


@given(item=indicator_inputs(), limits=thresholds)
def test_edge_labels(item, limits):
    result = score_indicator(item, limits)
    if item.kind == "ratio" and item.base == 0:
        assert result.label == NO_SERVICE and not result.applicable
    elif item.kind == "ratio" and item.base is not None and item.delivered == 0:
        assert result.label == NOT_DONE and result.applicable and not result.met
    elif item.kind == "count" and item.count == 0:
        assert result.label == NOT_DONE
    if result.label is None:
        assert result.value is None and result.shortfall is None and not result.applicable
    assert result.label in (*LABELS, None)
    assert result.shortfall is None or result.shortfall >= 0


@given(
    items=st.lists(indicator_inputs(area_ids=(1, 2, 3)), max_size=25),
    area_weights=st.tuples(*[st.decimals(min_value=0, max_value=5, places=2)] * 3),
    answers=st.lists(
        st.tuples(st.sampled_from([1, 2, 3]), st.one_of(st.none(), st.integers(0, 500)), st.integers(0, 500)),
        max_size=8,
    ),
    share=st.decimals(min_value=0, max_value=1, places=3),
    limits=thresholds,
)
def test_summaries_are_the_sum_of_their_parts_and_the_score_is_0_to_100(items, area_weights, answers, share, limits):
    data = ReturnInput(
        areas=tuple(AreaInput(i, w, str(i)) for i, w in zip((1, 2, 3), area_weights, strict=True)),
        indicators=tuple(items),
        satisfaction=tuple(SatisfactionInput(n, a, s, ni) for n, (a, s, ni) in enumerate(answers)),
        parameters=ScoringParameters(thresholds=limits, satisfaction_share=share),
    )
    scored = score_return(data)
    summary = scored.summary
    results = scored.indicators
    assert summary.indicators == len(results) == sum(a.indicators for a in summary.areas)
    assert summary.applicable == sum(a.applicable for a in summary.areas) == sum(r.applicable for r in results)
    assert summary.met == sum(a.met for a in summary.areas) == sum(r.met for r in results)
    assert summary.scored == sum(a.scored for a in summary.areas)
    assert summary.satisfied == sum(a.satisfied for a in summary.areas)
    assert summary.respondents == sum(a.respondents for a in summary.areas)
    for area in (*summary.areas, summary):
        counts = area.label_counts
        assert sum(counts.values()) == area.scored
        assert area.applicable == counts[ABOVE] + counts[MEETS] + counts[DEVELOP] + counts[NOT_DONE]
        assert area.met == counts[ABOVE] + counts[MEETS] <= area.applicable
        for value in (area.compliance, area.satisfaction):
            assert value is None or 0 <= value <= 100
    for label in LABELS:
        assert summary.label_counts[label] == sum(a.label_counts[label] for a in summary.areas)
    for value in (summary.indicator_score, summary.satisfaction_score, summary.score):
        assert value is None or 0 <= value <= 100
    assert (summary.score is None) == (summary.passed is None)
