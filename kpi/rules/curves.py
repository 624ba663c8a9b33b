"""Straight-line scoring curves: exact interpolation, exact thresholds, declared ends."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from kpi.money import round_half_up
from kpi.rules.rulebook import Curve


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
        return _beyond(curve.below, first_x, first_p, f"低于 {_x(first_x, unit)}", unit)
    if x > last_x:
        return _beyond(curve.above, last_x, last_p, f"高于 {_x(last_x, unit)}", unit)
    for xi, pi in pts:
        if x == xi:
            return CurveResult(pi, f"恰为端点 {_x(xi, unit)}：{_p(pi)} 分")
    for (x0, p0), (x1, p1) in pairwise(pts):
        if x0 < x < x1:
            points = p0 + (p1 - p0) * (x - x0) / (x1 - x0)
            return CurveResult(points, f"{_x(x0, unit)}～{_x(x1, unit)} 之间线性：{_p(p0)} → {_p(p1)} 分")
    raise AssertionError(f"value {x} not placed on curve {pts}")  # unreachable for an ordered curve


def _beyond(end: Fraction | None, x: Fraction, p: Fraction, where: str, unit: str) -> CurveResult:
    if end is None:
        return CurveResult(p, f"{where}：按端点 {_x(x, unit)} 计 {_p(p)} 分")
    return CurveResult(end, f"{where}：{_p(end)} 分")
