from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.reports.statement import statement_rows
from kpi.rules.rulebook import SettlementRule
from kpi.scoring.scorecard import score
from kpi.scoring.settlement import settle
from tests.builders import vendor_month


def test_spec_settlement(rules):
    s = settle(9800, Decimal("63.53"), Fraction(10), rules)
    assert [s.base_fee, s.coefficient, s.adjusted_fee, s.security_deduction, s.payout] == [
        Decimal("8330.00"),
        Decimal("0.6353"),
        Decimal("5292.05"),
        Decimal("833.00"),
        Decimal("4459.05"),
    ]


def test_payout_never_below_zero(rules):
    s = settle(1000, Decimal("5.00"), Fraction(20), rules)  # adjusted 42.50, security 170.00
    assert (s.adjusted_fee, s.security_deduction, s.payout) == (
        Decimal("42.50"),
        Decimal("170.00"),
        Decimal("0.00"),
    )
    assert "下限" in s.note


def test_score_bands(rules):
    bands = SettlementRule(
        "bands",
        ((Fraction(90), Fraction(1)), (Fraction(60), Fraction("0.9")), (Fraction(0), Fraction("0.7"))),
        Decimal(0),
    )
    banded = replace(rules, settlement=bands)
    assert settle(9800, Decimal("63.53"), Fraction(0), banded).adjusted_fee == Decimal(
        "7497.00"
    )  # 8330 × 0.9
    assert settle(9800, Decimal("90.00"), Fraction(0), banded).coefficient == Decimal("1.0000")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 3), st.integers(0, 2000)), min_size=1, max_size=12
    )
)
def test_statement_totals_equal_the_sum_of_lines(rules, lines):
    cards = [
        score(vendor_month(valid_calls=valid, security_incidents=incidents, repeat_2h_calls=repeats), rules)
        for valid, incidents, repeats in lines
    ]
    rows, totals = statement_rows(cards)
    for key in ("base_fee", "adjusted_fee", "security_deduction", "payout"):
        assert totals[key] == sum(r[key] for r in rows)
    assert totals["valid_calls"] == sum(valid for valid, _, _ in lines)
    for r in rows:
        assert r["payout"] == max(Decimal(0), r["adjusted_fee"] - r["security_deduction"])
        assert r["base_fee"].as_tuple().exponent == -2


def curve_rules(rules):
    from importlib import resources

    from kpi.rules.rulebook import parse_rulebook

    text = resources.files("kpi.rules").joinpath("default.toml").read_text("utf-8")
    old = '[settlement]\nmode = "linear"'
    assert old in text
    new = '[settlement]\nmode = "curve"\ncurve = [["60", "0.6"], ["100", "1"]]\ncoefficient_max = "1.1"'
    return parse_rulebook(text.replace(old, new))


def test_settlement_curve_may_pay_a_bonus_up_to_its_maximum(rules):
    curved = curve_rules(rules)
    coefficients = [
        settle(9800, Decimal(s), Fraction(0), curved).coefficient
        for s in ("50.00", "63.53", "105.00", "130.00")
    ]
    # below the first point: its 0.6; between: linear; above the last: the line continued, at most 1.1
    assert coefficients == [Decimal("0.6000"), Decimal("0.6353"), Decimal("1.0500"), Decimal("1.1000")]
    assert settle(9800, Decimal("105.00"), Fraction(0), curved).adjusted_fee == Decimal("8746.50")


def test_every_settlement_says_which_rule_was_assumed(rules):
    assert settle(9800, Decimal("63.53"), Fraction(10), rules).rule == (
        "系数 = 总分 ÷ 100（合同未规定得分与金额的换算，此为规则本的假设）"
    )
    assert settle(9800, Decimal("63.53"), Fraction(10), curve_rules(rules)).rule == (
        "按结算曲线：60 分 → 0.6、100 分 → 1（之间线性，高于末点沿直线延伸，系数最高 1.1）"
        "（合同未规定得分与金额的换算，此为规则本的假设）"
    )


def test_security_deduction_from_the_adjusted_fee(rules):
    s = settle(9800, Decimal("63.53"), Fraction(0), rules, security_percent_adjusted=Fraction(10))
    # 10% of the adjusted 5,292.05 = 529.205 → 529.21
    assert (s.adjusted_fee, s.security_deduction, s.payout) == (
        Decimal("5292.05"),
        Decimal("529.21"),
        Decimal("4762.84"),
    )


def test_settlement_curve_is_checked(rules):
    from importlib import resources

    import pytest

    from kpi.rules.rulebook import RulebookError, parse_rulebook

    text = resources.files("kpi.rules").joinpath("default.toml").read_text("utf-8")
    broken = text.replace(
        '[settlement]\nmode = "linear"',
        '[settlement]\nmode = "curve"\ncurve = [["60", "0.6"], ["100", "1.2"]]\ncoefficient_max = "1.1"',
    )
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(broken, source="t.toml")
    assert [str(p) for p in caught.value.problems] == [
        "文件「t.toml」，键「settlement.curve」：曲线上的系数必须在 0 到 coefficient_max 1.1 之间"
    ]
