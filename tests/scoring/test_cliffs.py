"""Cliffs ahead: the smallest worsening that drops a metric past its baseline, with its cost."""

from __future__ import annotations

from decimal import Decimal

from kpi.rules.rulebook import load_rulebook
from kpi.scoring.cliffs import cliffs
from kpi.scoring.scorecard import score
from tests.scoring.test_whatif import vm

RULES = load_rulebook()


def test_two_more_repeats_fall_off_the_baseline():
    # the worked example has 10,000 connected calls: 1,699 repeats (16.99%) score 7.01; 1,700 (17%,
    # exactly the baseline) score 7.00; 1,701 (17.01%) score 0 — two more repeats lose 7.01 points
    record = vm(repeat_2h_calls=1699)
    (cliff,) = [c for c in cliffs(record, RULES) if c.metric_id == "repeat_2h"]
    assert cliff.change == 2
    assert (cliff.points_before, cliff.points_after) == (Decimal("7.01"), Decimal("0.00"))
    after = score(vm(repeat_2h_calls=1701), RULES)
    assert cliff.total_after == after.total and cliff.payout_after == after.settlement.payout
    base = score(record, RULES)
    assert cliff.text == (
        f"再多 2 次2小时重复呼叫，二小时重复拨打率将失去 7.01 分（7.01 → 0 分），"
        f"总分 {after.total - base.total:+.2f}，应付 {after.settlement.payout - base.settlement.payout:+,.2f} 元"
    )


def test_a_value_already_past_the_baseline_has_no_cliff_ahead():
    assert not [c for c in cliffs(vm(repeat_2h_calls=1800), RULES) if c.metric_id == "repeat_2h"]


def test_within_keeps_only_the_near_ones_nearest_first():
    near = cliffs(vm(repeat_2h_calls=1699), RULES, within=5)
    assert "repeat_2h" in [c.metric_id for c in near]
    assert all(abs(c.change) <= 5 for c in near)
    assert [abs(c.change) for c in near] == sorted(abs(c.change) for c in near)
