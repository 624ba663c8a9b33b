"""模拟: the editable input fields, their limits, and before/after."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from dashboard.views.common import (
    signed,
    value_text,
)
from kpi.inputs import BY_KEY, SUMMARY_COLUMNS, over_limit
from kpi.money import fmt2
from kpi.reports.scorecards import show
from kpi.scoring.scorecard import Scorecard


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
        Field(c.key, c.header, c.kind, inputs.get(c.key))
        for c in SUMMARY_COLUMNS
        if c.kind in ("count", "rate", "score")
    ]


def over_limits(inputs: dict) -> list[str]:
    """Counts above the column they may not exceed (e.g. more correct dial tests than tests)."""
    return [
        f"「{column.header}」大于「{BY_KEY[column.at_most].header}」" for column, _, _ in over_limit(inputs)
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
