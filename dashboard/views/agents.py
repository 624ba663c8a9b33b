"""坐席: the per-agent table with each agent's cost to the vendor."""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd

from kpi.money import round_half_up
from kpi.rules.rulebook import Metric, Rulebook
from kpi.scoring.agent_costs import agent_costs

AGENT_COLUMNS = ["agent_id", "vendor", "connected_calls", "repeat_2h_calls", "rate", "points"]


def repeat_metric(rules: Rulebook) -> Metric | None:
    """The rulebook's metric scored on 2-hour repeats (None if a custom rulebook has none)."""
    return next((m for m in rules.metrics if m.ratio and "repeat_2h_calls" in m.ratio.numerator), None)


def agents_table(agents: pd.DataFrame, rules: Rulebook) -> pd.DataFrame:
    """The per-agent repeat table with Chinese headers and what each agent costs the vendor.

    The rate shown is recomputed from the counts in percent (repeats / connected × 100, rounded to
    2 places for display), whatever scale the frame's own `rate` column uses."""
    rule = repeat_metric(rules)
    rows = list(
        zip(
            agents["agent_id"].astype(str),
            agents["vendor"].astype(str),
            agents["connected_calls"].astype(int),
            agents["repeat_2h_calls"].astype(int),
            strict=True,
        )
    )
    costs = agent_costs(rules, rows, rule.id) if rule is not None and rule.curve is not None else []
    by_agent = {(c.agent_id, c.vendor): c for c in costs}
    out = pd.DataFrame(
        {
            "坐席工号": agents["agent_id"].astype(str),
            "外包公司": agents["vendor"].astype(str),
            "接通量": agents["connected_calls"].astype(int),
            "2小时重复呼叫数": agents["repeat_2h_calls"].astype(int),
            "重复拨打率(%)": [
                float(round_half_up(Fraction(int(r), int(c)) * 100, 2)) if int(c) else None
                for r, c in zip(agents["repeat_2h_calls"], agents["connected_calls"], strict=True)
            ],
            "得分": agents["points"].astype(float),
        }
    )
    keys = list(zip(out["坐席工号"], out["外包公司"], strict=True))
    out["超目标重复数"] = [by_agent[k].excess if k in by_agent else None for k in keys]
    out["拖累公司得分"] = [float(by_agent[k].points_cost) if k in by_agent else None for k in keys]
    return out


def above_baseline(table: pd.DataFrame, rules: Rulebook) -> pd.Series:
    """Each agent's repeats above the metric's baseline rate for the agent's own calls (repeats −
    ⌊calls × baseline⌋, at least 0): the repeats that pull the vendor towards losing the metric. Unlike
    the points one agent costs (0 for every agent of a vendor far past the baseline), it ranks them."""
    rule = repeat_metric(rules)
    if rule is None or rule.curve is None:
        return pd.Series([None] * len(table), index=table.index, dtype=object)
    xs = [x for x, _ in rule.curve.points]
    baseline = xs[-1] if rule.direction == "lower_better" else xs[0]
    return pd.Series(
        [
            max(0, int(r) - math.floor(Fraction(int(c)) * baseline / rule.ratio.scale))
            for r, c in zip(table["2小时重复呼叫数"], table["接通量"], strict=True)
        ],
        index=table.index,
        dtype="int64",
    )


def worst_agents(table: pd.DataFrame, rules: Rulebook, per_vendor: int = 10) -> pd.DataFrame:
    """The agents with the most repeats above the baseline rate, the first `per_vendor` of each vendor
    (so under 全部 every vendor is reached), vendors in name order."""
    ranked = table.assign(超基准重复数=above_baseline(table, rules))
    ranked = ranked[ranked["超基准重复数"] > 0]
    ranked = ranked.sort_values(
        ["外包公司", "超基准重复数", "2小时重复呼叫数", "坐席工号"], ascending=[True, False, False, True]
    )
    columns = ["外包公司", "坐席工号", "接通量", "2小时重复呼叫数", "重复拨打率(%)", "超基准重复数"]
    return ranked.groupby("外包公司", sort=True).head(per_vendor)[columns].reset_index(drop=True)
