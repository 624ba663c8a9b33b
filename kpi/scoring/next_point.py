"""What the next point costs: for each metric and adjustment, the smallest whole change of its counts that
raises the printed points by at least 1 (or to the maximum), with the total and payout it would bring.

Everything goes through `kpi.scoring.scorecard`, so the answers use the scorecard's exact arithmetic and
rounding; N is the smallest count that is enough (N − 1 would not be).

Over ~250 lines: one search per kind of rule (a ratio's curve, a gate, the exam's bands, an
adjustment), each with the sentence it says; they share the search and the wording helpers here.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from kpi.money import F, round_half_up
from kpi.records import VendorMonth
from kpi.rules.rulebook import Adjustment, Metric, Rulebook
from kpi.scoring.rescore import Rescorer
from kpi.scoring.scorecard import Scorecard, gate_passes, ratio_value, score, score_adjustment, score_metric
from kpi.scoring.whatif import Move, moved, phrase, room_up, show_number, show_points, smallest, with_inputs


def next_points(vm: VendorMonth, rules: Rulebook) -> list[Move]:
    """For each metric, and each deduction that can shrink, the cheapest way to the next point.
    Each move rescores only what its inputs touch (kpi.scoring.rescore), so the whole list costs
    time linear in the number of metrics, not its square."""
    base = score(vm, rules)
    rescorer = Rescorer(rules, base)
    moves: list[Move] = []
    for metric in rules.metrics:
        moves.extend(next_point(vm, rules, metric.id, base, rescorer))
    for i, adjustment in enumerate(rules.adjustments):
        move = _adjustment_move(vm, rules, adjustment, base.adjustments[i], rescorer)
        if move is not None:
            moves.append(move)
    return moves


def next_point(
    vm: VendorMonth,
    rules: Rulebook,
    metric_id: str,
    base: Scorecard | None = None,
    rescorer: Rescorer | None = None,
) -> list[Move]:
    """The ways one metric can earn its next point (usually one; the exam can have two)."""
    base = base or score(vm, rules)
    rescorer = rescorer or Rescorer(rules, base)
    at = rescorer.metric_at[metric_id]
    metric, current = rules.metrics[at], base.metrics[at]
    still = _builder(vm, rescorer, metric.id, metric.label, current.points)
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


def _builder(vm: VendorMonth, rescorer: Rescorer, item_id: str, label: str, before: Decimal):
    base = rescorer.base

    def build(
        kind: str, keys: tuple[str, ...], change, after: Decimal, new_vm: VendorMonth, text: str
    ) -> Move:
        total, payout = (base.total, base.settlement.payout) if new_vm is vm else rescorer.total(new_vm, keys)
        return Move(
            item_id,
            label,
            kind,
            keys,
            F(change),
            before,
            after,
            base.total,
            total,
            base.settlement.payout,
            payout,
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
    upper = have if down else room_up(vm, keys, max(have, 1) * 10 + 10_000)
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
    passed = score_metric(metric, new_vm, places)
    after = passed.points
    verb = "增加" if rising else "减少"
    value = ratio_value(vm, gate.ratio)
    now = "无法计算" if value is None else f"{show_number(round_half_up(value, 2))}{gate.ratio.unit}"
    word = "个百分点" if gate.ratio.unit == "%" else gate.ratio.unit
    gap = None if value is None else round_half_up(abs(gate.threshold - value), 2)
    shortfall = (
        "" if gap is None else "，恰好等于门槛不算通过" if gap == 0 else f"，差 {show_number(gap)} {word}"
    )
    text = (
        f"{gate.label} {now}，未达门槛（{gate.operator} {show_number(gate.threshold)}{gate.ratio.unit}"
        f"{shortfall}）：{noun}再{verb} {n:,} {unit}可满足门槛，"
    )
    if after > before:
        text += f"{metric.label}由 {show_points(before)} 分变为 {show_points(after)} 分"
    else:
        text += f"但{metric.label}仍为 {show_points(after)} 分（{passed.segment}）"
    return build("gate", keys, sign * n, after, new_vm, text)


def _exam_moves(vm, rules, metric: Metric, before: Decimal, top: Decimal, build) -> list[Move]:
    e = metric.exam
    places = rules.points_places
    moves: list[Move] = []
    takers, agents = int(vm.get(e.takers) or 0), int(vm.get(e.agents) or 0)
    # with nobody sitting the exam, what more takers would score is unknown (their marks are not)
    if takers and agents and F(takers) / agents * 100 < e.participation_min:
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
                    f"参考人数再增加 {need:,} 人（参考率达到 {show_number(e.participation_min)}%）"
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
                        f"考试平均分提高到 {show_number(goal)} 分"
                        f"{_gain_text(before, after, '满分' if after >= top else '')}",
                    )
                )
    if not moves and not takers:
        text = f"本月考试无人参加：需座席参加考试（参考率达到 {show_number(e.participation_min)}%），得分取决于成绩"
        moves.append(build("unreachable", (e.takers,), 0, before, vm, text))
    elif not moves:
        moves.append(build("unreachable", (), 0, before, vm, f"{metric.label}无法通过调整考试数据多得分"))
    return moves


def _adjustment_move(vm, rules: Rulebook, a: Adjustment, line, rescorer: Rescorer) -> Move | None:
    places = rules.points_places
    base = rescorer.base
    if a.kind == "fee_percent" and line.fee_percent > 0 and int(vm.get(a.input) or 0) > 0:
        build = _builder(vm, rescorer, a.id, a.label, line.points)
        new_vm = moved(vm, (a.input,), -1)
        noun, _ = phrase((a.input,))
        saved = rescorer.total(new_vm, (a.input,))[1] - base.settlement.payout
        return build(
            "money",
            (a.input,),
            -1,
            line.points,
            new_vm,
            f"{noun}每减少 1 宗可少扣{'考核后酬金' if a.fee_base == 'adjusted_fee' else '话务酬金'}的 "
            f"{show_number(a.percent_per_unit)}%，应付金额多 {saved:,.2f} 元",
        )
    if line.points >= 0 or a.kind not in ("per_count", "below_rate"):
        return None
    build = _builder(vm, rescorer, a.id, a.label, line.points)
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
        f"{a.label}提高到 {show_number(goal)}% 可少扣 {show_points(after - line.points)} 分",
    )
