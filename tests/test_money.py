from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi.money import D, fmt2, fmt_percent, round_half_up


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(23, 8), 2, "2.88"),  # 2.875: half up, where float and half-even give 2.87
        (Decimal("10.125"), 2, "10.13"),  # Python's default (half even) gives 10.12
        (Decimal("-1.125"), 2, "-1.13"),  # halves go away from zero
        (Fraction(5292049, 1000), 2, "5292.05"),
        (Fraction(1, 3), 4, "0.3333"),
        (0, 2, "0.00"),
        (Decimal("2.675"), 2, "2.68"),
        (Fraction(-1, 1000), 2, "0.00"),  # no negative zero
        (Fraction(-5, 1000), 2, "-0.01"),
        (Fraction(7, 2), 0, "4"),
    ],
)
def test_round_half_up(value, places, expected):
    assert str(round_half_up(value, places)) == expected


def test_d_refuses_float():
    with pytest.raises(TypeError):
        D(2.675)
    assert D("2.675") == Decimal("2.675")


def test_formatting():
    assert fmt2(Decimal("5")) == "5.00"
    assert fmt_percent(Fraction(31, 2)) == "15.50%"
    assert fmt_percent(None) == "—"


def test_round_half_up_of_a_number_beyond_28_digits_is_exact():
    """Decimal's default 28 digits would raise InvalidOperation on quantize (issue 9)."""
    assert str(round_half_up(Fraction(10**40, 3))) == "3" * 40 + ".33"
    assert str(round_half_up(Fraction(-(10**30) - 1, 2), 1)) == "-" + "5" + "0" * 29 + ".5"


@given(st.integers(-(10**30), 10**30), st.integers(1, 10**12), st.integers(0, 6))
def test_round_half_up_is_the_nearest_with_halves_away_from_zero(numerator, denominator, places):
    value = Fraction(numerator, denominator)
    rounded = round_half_up(value, places)
    assert rounded.as_tuple().exponent == -places and not (rounded.is_zero() and rounded.is_signed())
    error = abs(Fraction(rounded) - value)
    half = Fraction(1, 2 * 10**places)
    assert error <= half
    if error == half:  # a half goes away from zero
        assert abs(Fraction(rounded)) > abs(value)
