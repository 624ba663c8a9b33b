"""评分卡: the waterfall's steps, the bullet charts' bands, the explanation tables."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd

from dashboard.views.common import (
    AMBER,
    GREEN,
    RED,
    md,
    money,
    value_text,
    wording,
)
from kpi.money import fmt2, round_half_up
from kpi.reports.scorecards import show
from kpi.rules.rulebook import Metric
from kpi.scoring.scorecard import MetricScore, Scorecard


# ------------------------------------------------------------------ 评分卡
def waterfall_steps(card: Scorecard) -> tuple[Decimal, list[tuple[str, Decimal]], Decimal]:
    """Full marks, then what each metric, rounding, deduction and bonus cost or added, then the total.

    A metric's step is its lost points scaled into its category (lost / assessed max × weight),
    rounded like the category; any rounding difference of the category is its own step, so
    start + sum(steps) == total exactly.
    """
    start = sum((c.weight for c in card.categories), Decimal(0))
    steps: list[tuple[str, Decimal]] = []
    for c in card.categories:
        assessed = [m for m in card.metrics if m.category == c.id and m.assessed]
        if not assessed:
            continue
        shown = Decimal(0)
        for m in assessed:
            if m.points == m.max_points:
                continue
            lost = round_half_up(
                -(Fraction(m.max_points - m.points) / Fraction(c.max_points)) * Fraction(c.weight)
            )
            steps.append((m.label, lost))
            shown += lost
        rest = (c.score - c.weight) - shown
        if rest:
            steps.append((f"取整差额（{c.label}）", rest))
    for a in card.adjustments:
        if a.points:
            steps.append((a.label, a.points))
    return start, steps, card.total


def bullet_spec(rule: Metric, value: Fraction | None) -> dict:
    """Axis and red–amber–green bands of a ratio metric: the bands' edges are the curve's ends
    (baseline = the worst point, target = the best point)."""
    xs = [x for x, _ in rule.curve.points]
    lower = rule.direction == "lower_better"
    target, baseline = (xs[0], xs[-1]) if lower else (xs[-1], xs[0])
    span = abs(baseline - target) or Fraction(1)
    points = [target, baseline] + ([value] if value is not None else [])
    lo = max(Fraction(0), min(points) - span)
    hi = max(points) + span
    if rule.ratio.unit == "%" and not lower:
        hi = min(hi, Fraction(100))
    if lower:
        bands = [(lo, target, GREEN), (target, baseline, AMBER), (baseline, hi, RED)]
    else:
        bands = [(lo, baseline, RED), (baseline, target, AMBER), (target, hi, GREEN)]
    return {
        "lo": lo,
        "hi": hi,
        "target": target,
        "baseline": baseline,
        "bands": bands,
        "unit": rule.ratio.unit,
    }


def money_lines(card: Scorecard) -> list[tuple[str, str, str]]:
    """Every money line of the statement, as `kpi explain` prints it: (label, figure, how)."""
    s = card.settlement
    return [
        ("话务酬金(元)", money(s.base_fee), f"有效话务量 {s.valid_calls:,} × 单价 {s.unit_price} 元"),
        ("考核系数", str(s.coefficient), s.note),
        ("考核后酬金(元)", money(s.adjusted_fee), f"{money(s.base_fee)} × {s.coefficient}"),
        (
            "信息安全扣款(元)",
            money(s.security_deduction),
            f"{money(s.base_fee)} × {show(s.security_percent)}%",
        ),
        ("应付金额(元)", money(s.payout), f"{money(s.adjusted_fee)} − {money(s.security_deduction)}"),
    ]


def bullet_heading(m: MetricScore) -> str:
    """The line above a bullet chart: metric, value and points as text (wraps, never clipped)."""
    return f"**{md(m.label)}**　{value_text(m.value, m.unit)}　得分 {fmt2(m.points)} / {fmt2(m.max_points)}"


def explanation(card: Scorecard) -> pd.DataFrame:
    """The explanation table, points first after the metric (the clauses are shown as text below it:
    in a table they ran off the screen)."""
    labels = {c.id: c.label for c in card.categories}
    rows = []
    for m in card.metrics:
        rows.append(
            {
                "指标": m.label,
                "值": value_text(m.value, m.unit) if m.assessed else "—",
                "得分": fmt2(m.points) if m.assessed else "未考核",
                "满分": fmt2(m.max_points),
                "计分说明": m.segment,
                "输入": "，".join(f"{wording(label)} {show(v)}" for _, label, v in m.inputs),
                "类别": labels.get(m.category, m.category),
            }
        )
    return pd.DataFrame(rows)


def clauses(card: Scorecard) -> list[tuple[str, str]]:
    """(label, clause) of every metric and adjustment: what a dispute quotes, in full."""
    return [(m.label, m.clause) for m in card.metrics] + [(a.label, a.clause) for a in card.adjustments]


def categories(card: Scorecard) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"类别": c.label, "权重": fmt2(c.weight), "计算": c.formula, "得分": fmt2(c.score)}
            for c in card.categories
        ]
    )


def adjustments(card: Scorecard) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"项目": a.label, "分数": fmt2(a.points), "数据": show(a.value), "计算": a.rule}
            for a in card.adjustments
        ]
    )
