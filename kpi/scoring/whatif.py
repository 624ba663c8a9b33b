"""Self-audit arithmetic: change a vendor-month's inputs and see what moves; the words and the `Move`
record that `kpi.scoring.next_point` uses to say what the next point costs.

Everything goes through `kpi.scoring.scorecard`, so the answers use the same exact arithmetic and rounding
as the scorecard. Counts move in whole units; the denominator (e.g. connected calls) stays put.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kpi.inputs import BY_KEY
from kpi.inputs import label as input_label
from kpi.money import round_half_up
from kpi.records import Value, VendorMonth
from kpi.rules.rulebook import Rulebook
from kpi.scoring.scorecard import Scorecard, score

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
    held = vm.not_held - {k for k, v in changes.items() if v}  # a figure given: the thing was held
    return VendorMonth(vm.vendor, vm.month, inputs, dict(vm.sources), vm.row, vm.exam_scores, not_held=held)


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


def room_up(vm: VendorMonth, keys: tuple[str, ...], fallback: int) -> int:
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


# ------------------------------------------------------------------ small helpers
def show_number(value: Fraction) -> str:
    return show_points(round_half_up(value, 4))
