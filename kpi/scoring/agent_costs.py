"""Which agents cost their vendor points: each agent's repeats above the metric's target rate, and what
the vendor's metric would gain without them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kpi.money import F, round_half_up
from kpi.rules.curves import points_at
from kpi.rules.rulebook import Rulebook


@dataclass(frozen=True)
class AgentCost:
    agent_id: str
    vendor: str
    connected_calls: int
    repeat_2h_calls: int
    excess: int  # repeats above the metric's target rate for the agent's own calls
    points_cost: Decimal  # what the vendor's metric would gain if the agent were at the target


def agent_costs(
    rules: Rulebook, rows: Iterable[tuple[str, str, int, int]], metric_id: str = "repeat_2h"
) -> list[AgentCost]:
    """For each agent (agent_id, vendor, connected, repeats): the repeats above the target rate and
    the points the vendor's metric would gain without them, worst first."""
    rows = list(rows)
    metric = rules.metric(metric_id)
    curve, scale = metric.curve, metric.ratio.scale
    best_x = curve.points[0][0] if metric.direction == "lower_better" else curve.points[-1][0]
    totals: dict[str, list[int]] = {}
    for _, vendor, connected, repeats in rows:
        t = totals.setdefault(vendor, [0, 0])
        t[0] += int(connected)
        t[1] += int(repeats)

    def points(vendor_connected: int, vendor_repeats: int) -> Decimal:
        if vendor_connected == 0:
            return Decimal(0)
        value = F(vendor_repeats) / vendor_connected * scale
        return round_half_up(points_at(curve, value), rules.points_places)

    out = []
    for agent_id, vendor, connected, repeats in rows:
        allowed = math.floor(F(int(connected)) * best_x / scale)
        excess = max(0, int(repeats) - allowed)
        vc, vr = totals[vendor]
        cost = points(vc, vr - excess) - points(vc, vr)
        out.append(AgentCost(str(agent_id), str(vendor), int(connected), int(repeats), excess, cost))
    out.sort(key=lambda c: (-c.points_cost, -c.excess, c.agent_id))
    return out
