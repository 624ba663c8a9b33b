"""Cliffs: where a little worse costs a lot. For each curve metric whose value is still on the good
side of its baseline, the smallest whole worsening of its counts that takes it past the baseline,
when that step loses at least one point at once (the curve's drop below the baseline), with what it
does to the total and the payout: 「再多 2 次2小时重复呼叫，二小时重复拨打率将失去 7 分，应付约 −714 元」.

Everything goes through `kpi.scoring.scorecard`, so the figures use the scorecard's exact arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kpi.records import VendorMonth
from kpi.rules.rulebook import Metric, Rulebook
from kpi.scoring.scorecard import ratio_value, score, score_metric
from kpi.scoring.whatif import moved, phrase, room_up, show_points, smallest


@dataclass(frozen=True)
class Cliff:
    metric_id: str
    label: str
    keys: tuple[str, ...]
    change: int  # signed change of the summed counts that reaches the cliff
    points_before: Decimal
    points_after: Decimal
    total_before: Decimal
    total_after: Decimal
    payout_before: Decimal
    payout_after: Decimal
    text: str


def _past_baseline(metric: Metric, value: Fraction | None) -> bool:
    xs = [x for x, _ in metric.curve.points]
    if value is None:
        return False
    return value > xs[-1] if metric.direction == "lower_better" else value < xs[0]


def cliffs(vm: VendorMonth, rules: Rulebook, within: int | None = None) -> list[Cliff]:
    """The cliffs ahead of a vendor-month, nearest first; `within`: only those at most that many
    counts away (None: all)."""
    base = score(vm, rules)
    out: list[Cliff] = []
    for metric in rules.metrics:
        if metric.curve is None or metric.ratio is None:
            continue
        current = next(m for m in base.metrics if m.id == metric.id)
        if not current.assessed or _past_baseline(metric, ratio_value(vm, metric.ratio)):
            continue
        cliff = _cliff(vm, rules, metric, base, current.points)
        if cliff is not None and (within is None or abs(cliff.change) <= within):
            out.append(cliff)
    return sorted(out, key=lambda c: (abs(c.change), c.metric_id))


def _cliff(vm: VendorMonth, rules: Rulebook, metric: Metric, base, before: Decimal) -> Cliff | None:
    keys = metric.ratio.numerator
    worse_up = metric.direction == "lower_better"  # more repeats / complaints is worse
    have = sum(int(vm.get(k) or 0) for k in keys)
    upper = room_up(vm, keys, max(have, 1) * 10 + 10_000) if worse_up else have
    sign = 1 if worse_up else -1

    def past(n: int) -> bool:
        return _past_baseline(metric, ratio_value(moved(vm, keys, sign * n), metric.ratio))

    n = smallest(past, upper)
    if n is None:
        return None
    places = rules.points_places
    edge = score_metric(metric, moved(vm, keys, sign * (n - 1)), places).points
    new_vm = moved(vm, keys, sign * n)
    after = score_metric(metric, new_vm, places).points
    if edge - after < 1:  # a gentle slope, not a cliff
        return None
    card = score(new_vm, rules)
    noun, unit = phrase(keys)
    lost = before - after
    money = card.settlement.payout - base.settlement.payout
    text = (
        f"再{'多' if worse_up else '少'} {n:,} {unit}{noun}，{metric.label}将失去 {show_points(lost)} 分"
        f"（{show_points(before)} → {show_points(after)} 分），总分 {card.total - base.total:+.2f}，"
        f"应付 {money:+,.2f} 元"
    )
    return Cliff(
        metric.id,
        metric.label,
        keys,
        sign * n,
        before,
        after,
        base.total,
        card.total,
        base.settlement.payout,
        card.settlement.payout,
        text,
    )
