"""模拟: the editable input fields, their limits, and before/after."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from dashboard.views.common import (
    md,
    signed,
    value_text,
    wording,
)
from kpi.inputs import BY_KEY, SUMMARY_COLUMNS, over_limit
from kpi.money import fmt2
from kpi.reports.scorecards import show
from kpi.rules.rulebook import Rulebook
from kpi.scoring.cliffs import Cliff, cliffs
from kpi.scoring.scorecard import Scorecard
from kpi.scoring.whatif import Move


# ------------------------------------------------------------------ 模拟
@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # "count" | "rate" | "score"
    value: int | Fraction | None


def input_fields(inputs: dict) -> list[Field]:
    """The summary sheet's figures of a vendor-month, in the sheet's column order."""
    return [
        Field(c.key, wording(c.header), c.kind, inputs.get(c.key))
        for c in SUMMARY_COLUMNS
        if c.kind in ("count", "rate", "score")
    ]


def over_limits(inputs: dict) -> list[str]:
    """Counts above the column they may not exceed (e.g. more correct dial tests than tests)."""
    return [
        f"「{wording(column.header)}」大于「{wording(BY_KEY[column.at_most].header)}」"
        for column, _, _ in over_limit(inputs)
    ]


def comparison(before: Scorecard, after: Scorecard) -> pd.DataFrame:
    rows = []
    for a, b in zip(before.metrics, after.metrics, strict=True):
        rows.append(
            {
                "指标": a.label,
                "原值": value_text(a.value, a.unit) if a.assessed else "未考核",
                "模拟值": value_text(b.value, b.unit) if b.assessed else "未考核",
                "原得分": fmt2(a.points),
                "模拟得分": fmt2(b.points),
                "变化": signed(b.points - a.points),
            }
        )
    for a, b in zip(before.adjustments, after.adjustments, strict=True):
        if a.points or b.points:
            rows.append(
                {
                    "指标": a.label,
                    "原值": show(a.value) + (a.unit if a.value is not None else ""),
                    "模拟值": show(b.value) + (b.unit if b.value is not None else ""),
                    "原得分": fmt2(a.points),
                    "模拟得分": fmt2(b.points),
                    "变化": signed(b.points - a.points),
                }
            )
    return pd.DataFrame(rows)


def widget_value(field: Field) -> int | float | None:
    """What the input box shows for a field: counts as int, rates and scores as float."""
    if field.value is None:
        return None
    return int(field.value) if field.kind == "count" else float(field.value)


def ranked_moves(moves: list[Move]) -> list[Move]:
    """The ways to the next point that change the payout, most 元 gained first (then the total)."""
    useful = [m for m in moves if m.kind not in ("full", "not_assessed")]
    return sorted(
        useful,
        key=lambda m: (-(m.payout_after - m.payout_before), -(m.total_after - m.total_before), m.label),
    )


def move_line(move: Move) -> str:
    """One action as a Markdown list item: what it brings in 元 first (the label escaped)."""
    gain = move.payout_after - move.payout_before
    head = f"**应付 {signed(gain)} 元**" if gain else "应付不变"
    effect = (
        f"（总分 {signed(move.total_after - move.total_before)}）"
        if move.total_after != move.total_before
        else ""
    )
    return f"- {head}　{md(move.label)}：{md(move.text)}{effect}"


def near_cliffs(record, rules: Rulebook, share: Fraction = Fraction(1, 100), least: int = 10) -> list[Cliff]:
    """The cliffs within reach: at most `least` counts, or `share` of the metric's denominator, away."""
    out = []
    for cliff in cliffs(record, rules):
        ratio = rules.metric(cliff.metric_id).ratio
        denominator = sum(int(record.get(k) or 0) for k in ratio.denominator)
        if abs(cliff.change) <= max(least, int(denominator * share)):
            out.append(cliff)
    return out


def became_unassessed(before: Scorecard, after: Scorecard, changes: dict) -> str | None:
    """Why the total jumps when a count goes to 0 (接通量 = 0): the metrics that can no longer be
    computed become 未考核, and their maximum leaves their category."""
    lost = [
        b.label for a, b in zip(before.metrics, after.metrics, strict=True) if a.assessed and not b.assessed
    ]
    if not lost:
        return None
    zeroed = [wording(BY_KEY[k].header) for k, v in changes.items() if v == 0 and k in BY_KEY]
    cause = f"「{'」「'.join(zeroed)}」为 0，" if zeroed else ""
    return (
        f"{cause}{'、'.join(lost)} 无法计算，按未考核处理：其满分不计入所属类别，类别得分按其余指标折算，"
        f"所以总分 {signed(after.total - before.total)}。这不是改善，实际结算时请核对数据。"
    )
