"""趋势: one metric across months, and the baseline/target lines to draw."""

from __future__ import annotations

import pandas as pd

from kpi.money import round_half_up
from kpi.rules.rulebook import Metric
from kpi.scoring.scorecard import Scorecard


# ------------------------------------------------------------------ 趋势
def trend(cards: list[Scorecard], metric_id: str) -> pd.DataFrame:
    """month, vendor, value (float; None when not assessed) for a metric, or the total ("total")."""
    rows = []
    for c in sorted(cards, key=lambda c: (c.month, c.vendor)):
        if metric_id == "total":
            rows.append({"月份": c.month, "外包公司": c.vendor, "值": float(c.total)})
            continue
        m = next(x for x in c.metrics if x.id == metric_id)
        value = float(round_half_up(m.value, 4)) if m.assessed and m.value is not None else None
        rows.append({"月份": c.month, "外包公司": c.vendor, "值": value})
    return pd.DataFrame(rows)


def trend_lines_for(rule: Metric) -> tuple[float | None, float | None]:
    """(baseline, target) of a ratio metric for the trend chart."""
    if rule.curve is None:
        return None, None
    xs = [x for x, _ in rule.curve.points]
    if rule.direction == "lower_better":
        return float(xs[-1]), float(xs[0])
    return float(xs[0]), float(xs[-1])


def not_assessed(frame: pd.DataFrame) -> str:
    """「远景服务 2024-03、…」: the vendor-months of a trend with no value (not assessed)."""
    missing = frame[frame["值"].isna()]
    return "、".join(f"{v} {m}" for v, m in zip(missing["外包公司"], missing["月份"], strict=True))
