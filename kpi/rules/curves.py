"""Straight-line scoring curves: exact interpolation, exact thresholds, declared ends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from kpi.money import round_half_up
from kpi.rules.rulebook import EXTEND, Curve


@dataclass(frozen=True)
class CurveResult:
    points: Fraction
    segment: str  # how the points were found, in Chinese, for the explanation


def _x(x: Fraction, unit: str) -> str:
    text = str(round_half_up(x, 4)).rstrip("0").rstrip(".")
    return f"{text}{unit}"


def _p(p: Fraction) -> str:
    return str(round_half_up(p, 4)).rstrip("0").rstrip(".")


def evaluate(curve: Curve, x: Fraction, unit: str = "") -> CurveResult:
    """Points for value `x` on `curve`; a value exactly on a point gets that point's points."""
    points, segment = _place(curve, x)
    return CurveResult(points, segment(unit))


def points_at(curve: Curve, x: Fraction) -> Fraction:
    """`evaluate(curve, x).points` without writing the explanation (thousands of agents a month)."""
    return _place(curve, x)[0]


Segment = Callable[[str], str]  # the explanation, written for a unit only when it is asked for


def _place(curve: Curve, x: Fraction) -> tuple[Fraction, Segment]:
    pts = curve.points
    first_x, first_p = pts[0]
    last_x, last_p = pts[-1]
    if x < first_x:
        if curve.below == EXTEND and len(pts) > 1:
            return _extended(curve, pts[0], pts[1], x, lambda u: f"低于 {_x(first_x, u)}")
        return _beyond(curve.below, first_x, first_p, lambda u: f"低于 {_x(first_x, u)}")
    if x > last_x:
        if curve.above == EXTEND and len(pts) > 1:
            return _extended(curve, pts[-2], pts[-1], x, lambda u: f"高于 {_x(last_x, u)}")
        return _beyond(curve.above, last_x, last_p, lambda u: f"高于 {_x(last_x, u)}")
    for xi, pi in pts:
        if x == xi:
            return pi, lambda u, xi=xi, pi=pi: f"恰为端点 {_x(xi, u)}：{_p(pi)} 分"
    for (x0, p0), (x1, p1) in pairwise(pts):
        if x0 < x < x1:
            points = p0 + (p1 - p0) * (x - x0) / (x1 - x0)
            return (
                points,
                lambda u, x0=x0, x1=x1, p0=p0, p1=p1: (
                    f"{_x(x0, u)}～{_x(x1, u)} 之间线性：{_p(p0)} → {_p(p1)} 分"
                ),
            )
    raise AssertionError(f"value {x} not placed on curve {pts}")  # unreachable for an ordered curve


def _extended(
    curve: Curve, a: tuple[Fraction, Fraction], b: tuple[Fraction, Fraction], x: Fraction, where: Segment
) -> tuple[Fraction, Segment]:
    """The line through the end segment a–b, continued to x and kept within the curve's bounds."""
    (x0, p0), (x1, p1) = a, b
    points = p0 + (p1 - p0) * (x - x0) / (x1 - x0)
    bound = ""
    if curve.bounds is not None:
        low, high = curve.bounds
        if points < low or points > high:
            points = max(low, min(high, points))
            bound = f"，限于 {_p(low)}～{_p(high)}"
    return points, lambda u: f"{where(u)}：沿端段直线延伸{bound}：{_p(points)} 分"


def _beyond(end: Fraction | str | None, x: Fraction, p: Fraction, where: Segment) -> tuple[Fraction, Segment]:
    if end is None or end == EXTEND:  # a one-point curve has no line to extend
        return p, lambda u: f"{where(u)}：按端点 {_x(x, u)} 计 {_p(p)} 分"
    return end, lambda u: f"{where(u)}：{_p(end)} 分"
