"""Scoring curves: the spec's worked figures, and properties every curve must have."""

from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi.rules.curves import evaluate
from kpi.rules.rulebook import load_rulebook
from kpi.scoring.scorecard import ratio_value

RULES = load_rulebook()
CURVE_METRICS = [m for m in RULES.metrics if m.curve is not None]


@pytest.mark.parametrize(
    ("metric", "value", "points"),
    [
        ("repeat_2h", "13.0", "10"),
        ("repeat_2h", "14.0", "10"),
        ("repeat_2h", "15.5", "8.5"),
        ("repeat_2h", "17.0", "7"),
        ("repeat_2h", "17.01", "0"),
        ("dial_test_accuracy", "97", "10"),
        ("dial_test_accuracy", "94", "8.5"),
        ("dial_test_accuracy", "91", "7"),
        ("monitoring_accuracy", "92", "8.2"),
        ("support_rate", "0.90", "5"),
        ("support_rate", "1.02", "4.2"),
        ("support_rate", "1.08", "1.2"),
        ("support_rate", "1.20", "0"),
        ("complaints_per_10k", "2.5", "5"),
        ("complaints_per_10k", "4", "4.25"),
        ("complaints_per_10k", "5", "3.5"),
        ("complaints_per_10k", "6", "0"),
        ("ticket_accuracy", "85", "3.75"),
        ("ticket_accuracy", "79", "0"),
        ("ticket_accuracy", "80", "2.5"),
        ("callback_rate", "90", "4.25"),
        ("callback_rate", "79", "0"),
    ],
)
def test_worked_figures(metric, value, points):
    curve = RULES.metric(metric).curve
    assert evaluate(curve, Fraction(value)).points == Fraction(points)


def test_segment_says_how():
    curve = RULES.metric("repeat_2h").curve
    assert evaluate(curve, Fraction("15.5"), "%").segment == "14%～17% 之间线性：10 → 7 分"
    assert evaluate(curve, Fraction(17), "%").segment == "恰为端点 17%：7 分"
    assert evaluate(curve, Fraction(18), "%").segment == "高于 17%：0 分"


values = st.fractions(min_value=-5, max_value=20000, max_denominator=10000)


@pytest.mark.parametrize("metric", CURVE_METRICS, ids=lambda m: m.id)
@given(a=values, b=values)
def test_curve_monotone_in_its_direction(metric, a, b):
    low, high = min(a, b), max(a, b)
    p_low, p_high = evaluate(metric.curve, low).points, evaluate(metric.curve, high).points
    if metric.direction == "higher_better":
        assert p_low <= p_high
    else:
        assert p_low >= p_high


@pytest.mark.parametrize("metric", CURVE_METRICS, ids=lambda m: m.id)
@given(x=values)
def test_curve_within_zero_and_max(metric, x):
    assert 0 <= evaluate(metric.curve, x).points <= metric.max_points


@pytest.mark.parametrize("metric", CURVE_METRICS, ids=lambda m: m.id)
@given(
    t=st.fractions(min_value=0, max_value=1, max_denominator=1000),
    h=st.integers(min_value=1, max_value=10**6),
)
def test_curve_continuous_inside_its_range(metric, t, h):
    """Inside [first x, last x] a small step moves the points by at most slope × step."""
    xs = [x for x, _ in metric.curve.points]
    lo, hi = xs[0], xs[-1]
    x = lo + (hi - lo) * t
    step = (hi - lo) / h
    slopes = [abs((p1 - p0) / (x1 - x0)) for (x0, p0), (x1, p1) in pairwise(metric.curve.points)]
    y = min(x + step, hi)
    assert abs(evaluate(metric.curve, y).points - evaluate(metric.curve, x).points) <= max(
        slopes, default=0
    ) * (y - x)


def test_ratio_value_exact():
    from tests.builders import vendor_month

    metric = RULES.metric("repeat_2h")
    assert ratio_value(vendor_month(repeat_2h_calls=1547, connected_calls=9100), metric.ratio) == 17


def extended(metric):
    from dataclasses import replace

    return replace(metric.curve, below="extend", above="extend")


@pytest.mark.parametrize(
    ("metric", "value", "points"),
    [
        ("repeat_2h", "18", "6"),  # slope −1 per point past 17%
        ("repeat_2h", "24", "0"),
        ("repeat_2h", "30", "0"),  # floored at 0
        ("repeat_2h", "10", "10"),  # capped at the max
        ("complaints_per_10k", "7", "2"),  # −0.75 per ‱ past 5
        ("callback_rate", "60", "2"),  # 3.5 − 0.075 × 20
        ("callback_rate", "20", "0"),
        ("callback_rate", "79", "3.425"),
    ],
)
def test_extend_continues_the_end_segment(metric, value, points):
    assert evaluate(extended(RULES.metric(metric)), Fraction(value)).points == Fraction(points)


def test_extend_says_how():
    curve = extended(RULES.metric("repeat_2h"))
    assert evaluate(curve, Fraction(18), "%").segment == "高于 17%：沿端段直线延伸：6 分"
    assert evaluate(curve, Fraction(30), "%").segment == "高于 17%：沿端段直线延伸，限于 0～10：0 分"


@pytest.mark.parametrize("metric", CURVE_METRICS, ids=lambda m: m.id)
@given(a=values, b=values)
def test_extended_curve_monotone_and_within_zero_and_max(metric, a, b):
    curve = extended(metric)
    low, high = min(a, b), max(a, b)
    p_low, p_high = evaluate(curve, low).points, evaluate(curve, high).points
    assert 0 <= p_low <= metric.max_points and 0 <= p_high <= metric.max_points
    assert (p_low <= p_high) if metric.direction == "higher_better" else (p_low >= p_high)
