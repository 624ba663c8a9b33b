"""Self-audit arithmetic: change a vendor-month's inputs and see what moves, and what the next point costs.

Everything goes through `kpi.scoring`, so the answers use the same exact arithmetic and rounding as
the scorecard: "2小时重复呼叫再减少 N 次可多得 1 分" means that with N fewer repeats the *printed*
points rise by at least 1 (or to the maximum when less than 1 point is missing), and that N − 1
would not be enough. Counts move in whole units; the denominator (e.g. connected calls) stays put.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kpi.columns import BY_KEY
from kpi.columns import label as input_label
from kpi.curves import evaluate
from kpi.money import F, round_half_up
from kpi.records import Value, VendorMonth
from kpi.rulebook import Adjustment, Metric, Rulebook
from kpi.scoring import Scorecard, gate_passes, ratio_value, score, score_adjustment, score_metric

# How a count is named in a sentence, and its measure word. Unknown keys fall back to the header.
PHRASES: dict[str, tuple[str, str]] = {
    "repeat_2h_calls": ("2小时重复呼叫", "次"),
    "dispatched_tickets": ("分派工单", "个"),
    "expert_transfers": ("转接专家席", "次"),
    "dial_tests_correct": ("质量拨测正确数", "次"),
    "monitored_correct": ("在线监听正确数", "次"),
    "service_complaints": ("成立服务投诉", "件"),
    "tickets_correct": ("工单抽测正确数", "张"),
    "tickets_created": ("建单数", "张"),
    "dissatisfied_callbacks": ("不满意回访", "次"),
    "exam_takers": ("参考人数", "人"),
    "escalated_complaints": ("升级投诉", "件"),
    "missing_audit_records": ("台账自查缺失", "例"),
    "security_incidents": ("信息安全事件", "宗"),
}


def phrase(keys: tuple[str, ...]) -> tuple[str, str]:
    """The noun for a sum of counts and its measure word, e.g. ("2小时重复呼叫", "次")."""
    nouns, units = [], []
    for key in keys:
        noun, unit = PHRASES.get(key, (input_label(key).removesuffix("数"), "个"))
        nouns.append(noun)
        units.append(unit)
    unit = units[0] if len(set(units)) == 1 else "次"
    return ("与".join(nouns), unit)


def show_points(value: Decimal) -> str:
    """Points in a sentence: 1 rather than 1.00, 0.5 rather than 0.50."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Move:
    """One way to earn more points: change `keys` by `change`, and what it does to the scorecard."""

    item_id: str  # metric or adjustment id
    label: str  # the metric's or adjustment's label
    kind: str  # "count" | "rate" | "average" | "gate" | "money" | "full" | "not_assessed" | "unreachable"
    keys: tuple[str, ...]
    change: Fraction  # signed change of the summed input (0 when nothing to move)
    points_before: Decimal
    points_after: Decimal
    total_before: Decimal
    total_after: Decimal
    payout_before: Decimal
    payout_after: Decimal
    text: str

    @property
    def gain(self) -> Decimal:
        return self.points_after - self.points_before


# ------------------------------------------------------------------ changing inputs
def with_inputs(vm: VendorMonth, changes: Mapping[str, Value]) -> VendorMonth:
    """A copy of `vm` with some inputs replaced (the record itself is never changed)."""
    inputs = dict(vm.inputs)
    inputs.update(changes)
    return VendorMonth(vm.vendor, vm.month, inputs, dict(vm.sources), vm.row, vm.exam_scores)


def simulate(vm: VendorMonth, rules: Rulebook, changes: Mapping[str, Value]) -> Scorecard:
    """The scorecard the vendor-month would get with `changes` applied."""
    return score(with_inputs(vm, changes), rules)


def moved(vm: VendorMonth, keys: tuple[str, ...], change: int) -> VendorMonth:
    """Move the sum of count inputs `keys` by `change`: a rise goes to the first key, a fall takes
    from the keys in order (never below 0)."""
    if change >= 0:
        return with_inputs(vm, {keys[0]: int(vm.get(keys[0]) or 0) + change})
    left, changes = -change, {}
    for key in keys:
        have = int(vm.get(key) or 0)
        take = min(have, left)
        changes[key] = have - take
        left -= take
    return with_inputs(vm, changes)


def _room_up(vm: VendorMonth, keys: tuple[str, ...], fallback: int) -> int:
    """How far the first key may rise: up to the column it may not exceed, else `fallback`."""
    limit_key = BY_KEY[keys[0]].at_most if keys[0] in BY_KEY else None
    if limit_key is not None and vm.get(limit_key) is not None:
        return max(0, int(vm.get(limit_key)) - int(vm.get(keys[0]) or 0))
    return fallback


def smallest(ok, upper: int) -> int | None:
    """The smallest n in 1..upper with ok(n), assuming ok is monotone (False … False True … True)."""
    if upper < 1 or not ok(upper):
        return None
    lo, hi = 1, upper
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


# ------------------------------------------------------------------ the next point
def next_points(vm: VendorMonth, rules: Rulebook) -> list[Move]:
    """For each metric, and each deduction that can shrink, the cheapest way to the next point."""
    base = score(vm, rules)
    moves: list[Move] = []
    for metric in rules.metrics:
        moves.extend(next_point(vm, rules, metric.id, base))
    for adjustment in rules.adjustments:
        move = _adjustment_move(vm, rules, adjustment, base)
        if move is not None:
            moves.append(move)
    return moves


def next_point(vm: VendorMonth, rules: Rulebook, metric_id: str, base: Scorecard | None = None) -> list[Move]:
    """The ways one metric can earn its next point (usually one; the exam can have two)."""
    base = base or score(vm, rules)
    metric = rules.metric(metric_id)
    current = next(m for m in base.metrics if m.id == metric_id)
    still = _builder(vm, rules, base, metric.id, metric.label, current.points)
    if not current.assessed:
        return [still("not_assessed", (), 0, current.points, vm, f"{metric.label}本月未考核")]
    if current.points >= current.max_points:
        return [still("full", (), 0, current.points, vm, f"{metric.label}已得满分")]
    if metric.kind == "exam":
        return _exam_moves(vm, rules, metric, current.points, current.max_points, still)
    if metric.gate is not None:
        gate = metric.gate
        value = ratio_value(vm, gate.ratio)
        if value is not None and not gate_passes(value, gate.operator, gate.threshold):
            return [_gate_move(vm, rules, metric, current.points, still)]
    return [_ratio_move(vm, rules, metric, current.points, current.max_points, still)]


def _builder(vm: VendorMonth, rules: Rulebook, base: Scorecard, item_id: str, label: str, before: Decimal):
    def build(
        kind: str, keys: tuple[str, ...], change, after: Decimal, new_vm: VendorMonth, text: str
    ) -> Move:
        card = base if new_vm is vm else score(new_vm, rules)
        return Move(
            item_id,
            label,
            kind,
            keys,
            F(change),
            before,
            after,
            base.total,
            card.total,
            base.settlement.payout,
            card.settlement.payout,
            text,
        )

    return build


def _target(before: Decimal, top: Decimal) -> tuple[Decimal, str]:
    if top - before >= 1:
        return before + 1, ""
    return top, "满分"


def _gain_text(before: Decimal, after: Decimal, target_word: str) -> str:
    if target_word and after >= before:
        return f"可得满分（多得 {show_points(after - before)} 分）"
    return f"可多得 {show_points(after - before)} 分"


def _ratio_move(vm, rules, metric: Metric, before: Decimal, top: Decimal, build) -> Move:
    places = rules.points_places
    keys = metric.ratio.numerator
    noun, unit = phrase(keys)
    target, word = _target(before, top)
    down = metric.direction == "lower_better"
    have = sum(int(vm.get(k) or 0) for k in keys)
    upper = have if down else _room_up(vm, keys, max(have, 1) * 10 + 10_000)
    sign = -1 if down else 1

    def points(n: int) -> Decimal:
        return score_metric(metric, moved(vm, keys, sign * n), places).points

    n = smallest(lambda n: points(n) >= target, upper)
    if n is None:
        where = "减少到 0" if down else "增加到上限"
        return build("unreachable", keys, 0, before, vm, f"{noun}即使{where}也无法多得 1 分")
    new_vm = moved(vm, keys, sign * n)
    after = points(n)
    verb = "减少" if down else "增加"
    return build(
        "count",
        keys,
        sign * n,
        after,
        new_vm,
        f"{noun}再{verb} {n:,} {unit}{_gain_text(before, after, word)}",
    )


def _gate_move(vm, rules, metric: Metric, before: Decimal, build) -> Move:
    gate = metric.gate
    keys = gate.ratio.numerator
    noun, unit = phrase(keys)
    places = rules.points_places
    rising = gate.operator in (">", ">=")
    sign = 1 if rising else -1
    have = sum(int(vm.get(k) or 0) for k in keys)
    den = sum(int(vm.get(k) or 0) for k in gate.ratio.denominator)
    upper = max(den, 1) * 2 + 10 if rising else have

    def passes(n: int) -> bool:
        new = moved(vm, keys, sign * n)
        value = ratio_value(new, gate.ratio)
        return value is not None and gate_passes(value, gate.operator, gate.threshold)

    n = smallest(passes, upper)
    if n is None:
        return build("unreachable", keys, 0, before, vm, f"{gate.label}门槛无法通过调整{noun}满足")
    new_vm = moved(vm, keys, sign * n)
    after = score_metric(metric, new_vm, places).points
    verb = "增加" if rising else "减少"
    text = (
        f"{noun}再{verb} {n:,} {unit}可满足{gate.label}门槛（{gate.operator} {_num(gate.threshold)}"
        f"{gate.ratio.unit}），{metric.label}由 {show_points(before)} 分变为 {show_points(after)} 分"
    )
    return build("gate", keys, sign * n, after, new_vm, text)


def _exam_moves(vm, rules, metric: Metric, before: Decimal, top: Decimal, build) -> list[Move]:
    e = metric.exam
    places = rules.points_places
    moves: list[Move] = []
    takers, agents = int(vm.get(e.takers) or 0), int(vm.get(e.agents) or 0)
    if agents and F(takers) / agents * 100 < e.participation_min:
        need = math.ceil(e.participation_min * agents / 100) - takers
        need = min(need, agents - takers)
        new_vm = with_inputs(vm, {e.takers: takers + need})
        after = score_metric(metric, new_vm, places).points
        if after > before:
            moves.append(
                build(
                    "count",
                    (e.takers,),
                    need,
                    after,
                    new_vm,
                    f"参考人数再增加 {need:,} 人（参考率达到 {_num(e.participation_min)}%）"
                    f"{_gain_text(before, after, '满分' if after >= top else '')}",
                )
            )
    average = vm.get(e.average)
    if average is not None and e.basis == "average":
        above = [below for below, _ in e.bands if F(average) < below]
        if above:
            goal = min(above)
            new_vm = with_inputs(vm, {e.average: goal})
            after = score_metric(metric, new_vm, places).points
            if after > before:
                moves.append(
                    build(
                        "average",
                        (e.average,),
                        goal - F(average),
                        after,
                        new_vm,
                        f"考试平均分提高到 {_num(goal)} 分"
                        f"{_gain_text(before, after, '满分' if after >= top else '')}",
                    )
                )
    if not moves:
        moves.append(build("unreachable", (), 0, before, vm, f"{metric.label}无法通过调整考试数据多得分"))
    return moves


def _adjustment_move(vm, rules: Rulebook, a: Adjustment, base: Scorecard) -> Move | None:
    line = next(x for x in base.adjustments if x.id == a.id)
    places = rules.points_places
    if a.kind == "fee_percent" and line.fee_percent > 0 and int(vm.get(a.input) or 0) > 0:
        build = _builder(vm, rules, base, a.id, a.label, line.points)
        new_vm = moved(vm, (a.input,), -1)
        noun, _ = phrase((a.input,))
        card = score(new_vm, rules)
        saved = card.settlement.payout - base.settlement.payout
        return build(
            "money",
            (a.input,),
            -1,
            line.points,
            new_vm,
            f"{noun}每减少 1 宗可少扣话务酬金的 {_num(a.percent_per_unit)}%，应付金额多 {saved:,.2f} 元",
        )
    if line.points >= 0 or a.kind not in ("per_count", "below_rate"):
        return None
    build = _builder(vm, rules, base, a.id, a.label, line.points)
    if a.kind == "per_count":
        keys = (a.input,)
        noun, unit = phrase(keys)
        new_vm = moved(vm, keys, -1)
        after = score_adjustment(a, new_vm, places).points
        return build(
            "count",
            keys,
            -1,
            after,
            new_vm,
            f"{noun}每减少 1 {unit}可少扣 {show_points(after - line.points)} 分",
        )
    # below_rate: raise the rate until one point less is deducted, or to the threshold
    value = F(vm.get(a.input) or 0)
    gap = a.threshold - value
    if a.shortfall == "started_points":  # ceil(gap) deducted: one whole point less at gap = ceil − 1
        goal = a.threshold - (math.ceil(gap) - 1)
    elif a.shortfall == "whole_points":  # floor(gap) deducted: just past the next whole point
        goal = a.threshold - math.floor(gap) + Fraction(1, 100)
    else:
        goal = value + 1 / abs(a.points_per_point)
    goal = min(a.threshold, goal)
    new_vm = with_inputs(vm, {a.input: goal})
    after = score_adjustment(a, new_vm, places).points
    return build(
        "rate",
        (a.input,),
        goal - value,
        after,
        new_vm,
        f"{a.label}提高到 {_num(goal)}% 可少扣 {show_points(after - line.points)} 分",
    )


# ------------------------------------------------------------------ agents (call detail)
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
    curve, scale, unit = metric.curve, metric.ratio.scale, metric.ratio.unit
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
        return round_half_up(evaluate(curve, value, unit).points, rules.points_places)

    out = []
    for agent_id, vendor, connected, repeats in rows:
        allowed = math.floor(F(int(connected)) * best_x / scale)
        excess = max(0, int(repeats) - allowed)
        vc, vr = totals[vendor]
        cost = points(vc, vr - excess) - points(vc, vr)
        out.append(AgentCost(str(agent_id), str(vendor), int(connected), int(repeats), excess, cost))
    out.sort(key=lambda c: (-c.points_cost, -c.excess, c.agent_id))
    return out


# ------------------------------------------------------------------ small helpers
def _num(value: Fraction) -> str:
    return show_points(round_half_up(value, 4))
