"""Exact numbers: one way in (`D`), one way to round (`round_half_up`).

Rates are `Fraction`s of counts; printed points and money are `Decimal`s rounded half up
(ROUND_HALF_UP: 2.875 → 2.88, −1.125 → −1.13, i.e. halves go away from zero) on each printed
line. Floats are refused: `Decimal(2.675)` is 2.67499…, which would print the wrong fen.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

Number = int | Decimal | Fraction

CENT = Decimal("0.01")


def D(value: str | int | Decimal | Fraction) -> Decimal:
    """A Decimal from a str, int or Decimal; refuses float so no binary error slips in."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"D() refuses {type(value).__name__} {value!r}: pass a str or Decimal")
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return Decimal(value.numerator)
        raise TypeError(f"D() refuses inexact Fraction {value}: round it with round_half_up")
    return Decimal(value)


def F(value: str | int | Decimal | Fraction) -> Fraction:
    """An exact Fraction from a str, int, Decimal or Fraction (never float)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"F() refuses {type(value).__name__} {value!r}: pass a str or Decimal")
    return Fraction(value)


def round_half_up(value: Number, places: int = 2) -> Decimal:
    """Round an exact number half up (away from zero on a half) to `places` decimals; in integers,
    so any number of digits is exact and no Decimal context is asked (a negative value that rounds
    to zero is 0.00, not -0.00)."""
    exact = value if type(value) is Fraction else F(value)  # (a Fraction as it is: thousands of agents)
    n, d = exact.numerator, exact.denominator
    whole = (2 * abs(n) * 10**places + d) // (2 * d)  # floor(|value| × 10^places + 1/2)
    return Decimal(f"{'-' if n < 0 and whole else ''}{whole}E-{places}")  # exact: no context asked


def fmt2(value: Decimal) -> str:
    """A printed line: exactly two decimals (points, scores, yuan)."""
    return str(value.quantize(CENT))


def fmt_number(value: Number, places: int = 2) -> str:
    """A human figure with thousands separators, rounded half up."""
    return f"{round_half_up(value, places):,}"


def fmt_percent(value: Fraction | None, places: int = 2) -> str:
    """A percentage already scaled to 0–100, e.g. Fraction(31, 2) → '15.50%'."""
    if value is None:
        return "—"
    return f"{round_half_up(value, places)}%"
