"""Straight-line scoring curves: exact interpolation, exact thresholds, declared ends."""

from __future__ import annotations

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
    pts = curve.points
    first_x, first_p = pts[0]
    last_x, last_p = pts[-1]
    if x < first_x:
        if curve.below == EXTEND and len(pts) > 1:
            return _extended(curve, pts[0], pts[1], x, f"低于 {_x(first_x, unit)}")
        return _beyond(curve.below, first_x, first_p, f"低于 {_x(first_x, unit)}", unit)
    if x > last_x:
        if curve.above == EXTEND and len(pts) > 1:
            return _extended(curve, pts[-2], pts[-1], x, f"高于 {_x(last_x, unit)}")
        return _beyond(curve.above, last_x, last_p, f"高于 {_x(last_x, unit)}", unit)
    for xi, pi in pts:
        if x == xi:
            return CurveResult(pi, f"恰为端点 {_x(xi, unit)}：{_p(pi)} 分")
    for (x0, p0), (x1, p1) in pairwise(pts):
        if x0 < x < x1:
            points = p0 + (p1 - p0) * (x - x0) / (x1 - x0)
            return CurveResult(points, f"{_x(x0, unit)}～{_x(x1, unit)} 之间线性：{_p(p0)} → {_p(p1)} 分")
    raise AssertionError(f"value {x} not placed on curve {pts}")  # unreachable for an ordered curve


def _extended(
    curve: Curve, a: tuple[Fraction, Fraction], b: tuple[Fraction, Fraction], x: Fraction, where: str
) -> CurveResult:
    """The line through the end segment a–b, continued to x and kept within the curve's bounds."""
    (x0, p0), (x1, p1) = a, b
    points = p0 + (p1 - p0) * (x - x0) / (x1 - x0)
    text = f"{where}：沿端段直线延伸"
    if curve.bounds is not None:
        low, high = curve.bounds
        if points < low or points > high:
            points = max(low, min(high, points))
            text += f"，限于 {_p(low)}～{_p(high)}"
    return CurveResult(points, f"{text}：{_p(points)} 分")


def _beyond(end: Fraction | str | None, x: Fraction, p: Fraction, where: str, unit: str) -> CurveResult:
    if end is None or end == EXTEND:  # a one-point curve has no line to extend
        return CurveResult(p, f"{where}：按端点 {_x(x, unit)} 计 {_p(p)} 分")
    return CurveResult(end, f"{where}：{_p(end)} 分")
