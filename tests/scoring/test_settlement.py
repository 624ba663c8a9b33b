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
