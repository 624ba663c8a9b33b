"""kpi.scoring.whatif against hand-computed figures (the spec's worked scorecard, section 3) and properties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.records import VendorMonth
from kpi.rules.rulebook import load_rulebook
from kpi.scoring.agent_costs import agent_costs
from kpi.scoring.next_point import next_point, next_points
from kpi.scoring.scorecard import score, score_metric
from kpi.scoring.whatif import moved, show_points, simulate, with_inputs

RULES = load_rulebook()

# The spec's worked example: total 63.53, payout 4,459.05.
WORKED = dict(
    valid_calls=9800,
    connected_calls=10000,
    repeat_2h_calls=1550,
    dial_tests=100,
    dial_tests_correct=94,
    monitored_calls=50,
    monitored_correct=46,
    dispatched_tickets=60,
    expert_transfers=42,
    service_complaints=4,
    tickets_created=6000,
    tickets_sampled=200,
    tickets_correct=170,
    dissatisfied_ratings=40,
    dissatisfied_callbacks=36,
    agents_total=100,
    exam_takers=65,
    exam_average=Fraction(72),
    escalated_complaints=2,
    audit_pass_rate=Fraction(935, 10),
    missing_audit_records=2,
    security_incidents=1,
    emergency_expected=None,
    emergency_handled=None,
)


def vm(**changes) -> VendorMonth:
    return VendorMonth("甲公司", "2024-05", {**WORKED, **changes})


def by_item(moves):
    out = {}
    for m in moves:
        out.setdefault(m.item_id, []).append(m)
    return out


def test_worked_example_is_the_starting_point():
    card = score(vm(), RULES)
    assert card.total == Decimal("63.53")
    assert card.settlement.payout == Decimal("4459.05")


def test_repeat_next_point_by_hand():
    # 15.5% → 8.5 points; 9.5 points needs ≤ 14.5%, i.e. ≤ 1,450 repeats of 10,000: 100 fewer.
    (move,) = next_point(vm(), RULES, "repeat_2h")
    assert move.kind == "count"
    assert move.change == -100
    assert move.points_before == Decimal("8.50") and move.points_after == Decimal("9.50")
    assert move.text == "2小时重复呼叫再减少 100 次可多得 1 分"
    # operations (9.5 + 4.2) / 15 × 30 = 27.40 instead of 25.40: total 65.53
    assert move.total_after == Decimal("65.53")
    # 8,330.00 × 0.6553 = 5,458.649 → 5,458.65; less 833.00 security
    assert move.payout_after == Decimal("4625.65")


def test_every_metric_by_hand():
    moves = by_item(next_points(vm(), RULES))
    # support 102 / 10,000 = 1.02% → 4.2; less than 1 point to full marks: ≤ 1.00% → 2 fewer
    assert [m.text for m in moves["support_rate"]] == [
        "分派工单与转接专家席再减少 2 次可得满分（多得 0.8 分）"
    ]
    # dial 94% → 8.5; 9.5 needs 95.33%: 95 gives 9.25, 96 gives 10
    assert [m.text for m in moves["dial_test_accuracy"]] == ["质量拨测正确数再增加 2 次可多得 1.5 分"]
    # monitoring 92% → 8.2; 9.2 needs 93.67%: 47/50 = 94% → 9.4
    assert [m.text for m in moves["monitoring_accuracy"]] == ["在线监听正确数再增加 1 次可多得 1.2 分"]
    # complaints 4 per 10k → 4.25; full marks at ≤ 3
    assert [m.text for m in moves["complaints_per_10k"]] == [
        "成立服务投诉再减少 1 件可得满分（多得 0.75 分）"
    ]
    # tickets 85% → 3.75; 4.75 needs 89%: 178 of 200 (177 gives 4.625 → 4.63)
    assert [m.text for m in moves["ticket_accuracy"]] == ["工单抽测正确数再增加 8 张可多得 1 分"]
    # callbacks 90% → 4.25; full marks at 100%: 40 of 40
    assert [m.text for m in moves["callback_rate"]] == ["不满意回访再增加 4 次可得满分（多得 0.75 分）"]
    # exam: participation 65% (−2) and average 72 (−2) → 1 point
    assert [m.text for m in moves["business_exam"]] == [
        "参考人数再增加 5 人（参考率达到 70%）可多得 2 分",
        "考试平均分提高到 75 分可多得 1 分",
    ]
    assert [m.text for m in moves["escalated_complaints"]] == ["升级投诉每减少 1 件可少扣 5 分"]
    assert [m.text for m in moves["audit_pass_rate"]] == ["业务稽核合格率提高到 94.5% 可少扣 1 分"]
    assert [m.text for m in moves["missing_audit_records"]] == ["台账自查缺失每减少 1 例可少扣 1 分"]
    # 1 incident withholds 10% of 8,330.00 = 833.00; without it the payout is 5,292.05
    (security,) = moves["security_incidents"]
    assert security.kind == "money" and security.payout_after == Decimal("5292.05")
    assert security.text == "信息安全事件每减少 1 宗可少扣话务酬金的 10%，应付金额多 833.00 元"
    assert security.total_after == security.total_before
    assert "emergency_coverage" not in moves


def test_full_marks_and_not_assessed():
    (full,) = next_point(vm(repeat_2h_calls=1400), RULES, "repeat_2h")
    assert full.kind == "full" and full.text == "二小时重复拨打率已得满分"
    (na,) = next_point(vm(monitored_calls=0, monitored_correct=0), RULES, "monitoring_accuracy")
    assert na.kind == "not_assessed"


def test_jump_at_the_baseline_is_reported_as_it_is():
    # 17.01% scores 0; at exactly 17% (1,700 repeats) it scores 7: one fewer repeat gains 7 points
    (move,) = next_point(vm(repeat_2h_calls=1701), RULES, "repeat_2h")
    assert move.change == -1
    assert move.text == "2小时重复呼叫再减少 1 次可多得 7 分"


def test_ticket_gate_is_the_first_step():
    # created 5,000 of 10,000 = 50%, not > 50%: 0 points; one more ticket passes the gate → 3.75
    (move,) = next_point(vm(tickets_created=5000), RULES, "ticket_accuracy")
    assert move.kind == "gate"
    assert move.change == 1
    assert move.points_before == Decimal("0.00") and move.points_after == Decimal("3.75")
    assert move.text == (
        "建单率 50%，未达门槛（> 50%，恰好等于门槛不算通过）：建单数再增加 1 张可满足门槛，工单准确率由 0 分变为 3.75 分"
    )


def test_a_gate_that_passes_without_points_says_the_shortfall_not_0_to_0():
    # 4,000 of 10,000 tickets created (40%, 10 points short of > 50%); accuracy 70% is below 80%:
    # passing the gate still leaves 0 points, and the sentence says so instead of "由 0 分变为 0 分"
    (move,) = next_point(
        vm(tickets_created=4000, tickets_correct=140, tickets_sampled=200), RULES, "ticket_accuracy"
    )
    assert move.kind == "gate" and move.change == 1001
    assert move.text.startswith(
        "建单率 40%，未达门槛（> 50%，差 10 个百分点）：建单数再增加 1,001 张可满足门槛，但工单准确率仍为 0 分（"
    )
    assert "由 0 分变为 0 分" not in move.text


def test_room_is_bounded_by_the_denominator():
    # all dial tests can be at most correct: 7 of 100 correct → 7 points; 100 of 100 would be 10
    (move,) = next_point(vm(dial_tests_correct=100, dial_tests=100), RULES, "dial_test_accuracy")
    assert move.kind == "full"
    # higher-better numerator capped by its denominator column: 1 test, 0 correct → needs 1 → full
    (move,) = next_point(vm(dial_tests=1, dial_tests_correct=0), RULES, "dial_test_accuracy")
    assert move.change == 1 and move.points_after == Decimal("10.00")


def test_simulate_changes_only_the_copy():
    record = vm()
    card = simulate(record, RULES, {"repeat_2h_calls": 1450})
    assert card.total == Decimal("65.53")
    assert record.get("repeat_2h_calls") == 1550
    assert with_inputs(record, {}).inputs == record.inputs


def test_moved_takes_from_keys_in_order():
    new = moved(vm(dispatched_tickets=3, expert_transfers=10), ("dispatched_tickets", "expert_transfers"), -5)
    assert (new.get("dispatched_tickets"), new.get("expert_transfers")) == (0, 8)
    up = moved(vm(), ("dispatched_tickets", "expert_transfers"), 4)
    assert (up.get("dispatched_tickets"), up.get("expert_transfers")) == (64, 42)


def test_show_points():
    assert show_points(Decimal("1.00")) == "1"
    assert show_points(Decimal("0.50")) == "0.5"
    assert show_points(Decimal("7")) == "7"


def test_agent_costs_by_hand():
    # vendor: 300 / 2,000 = 15% → 9 points. A (20%) has 60 repeats above 14% of 1,000; without them
    # the vendor is at 12% → 10 points: A costs 1.00. B (10%) costs nothing.
    costs = agent_costs(RULES, [("A", "甲", 1000, 200), ("B", "甲", 1000, 100), ("C", "乙", 500, 50)])
    assert [(c.agent_id, c.excess, c.points_cost) for c in costs] == [
        ("A", 60, Decimal("1.00")),
        ("B", 0, Decimal("0.00")),
        ("C", 0, Decimal("0.00")),
    ]


# ------------------------------------------------------------------ properties
@settings(max_examples=150, deadline=None)
@given(
    connected=st.integers(min_value=1, max_value=200_000),
    share=st.fractions(min_value=0, max_value=1),
)
def test_repeat_move_is_the_smallest_that_earns_the_point(connected, share):
    repeats = int(connected * share)
    record = vm(connected_calls=connected, repeat_2h_calls=repeats)
    metric = RULES.metric("repeat_2h")
    (move,) = next_point(record, RULES, "repeat_2h")
    before = score_metric(metric, record, 2).points
    assert move.points_before == before
    if move.kind == "full":
        assert before == Decimal("10.00")
        return
    assert move.kind == "count"
    n = -int(move.change)
    target = min(before + 1, Decimal("10.00"))
    assert score_metric(metric, moved(record, ("repeat_2h_calls",), -n), 2).points >= target
    assert score_metric(metric, moved(record, ("repeat_2h_calls",), -(n - 1)), 2).points < target
    assert move.points_after - move.points_before >= min(Decimal(1), Decimal("10.00") - before)


@settings(max_examples=150, deadline=None)
@given(tests=st.integers(min_value=1, max_value=5000), share=st.fractions(min_value=0, max_value=1))
def test_dial_move_is_the_smallest_that_earns_the_point(tests, share):
    correct = int(tests * share)
    record = vm(dial_tests=tests, dial_tests_correct=correct)
    metric = RULES.metric("dial_test_accuracy")
    (move,) = next_point(record, RULES, "dial_test_accuracy")
    before = score_metric(metric, record, 2).points
    if move.kind == "full":
        assert before == Decimal("10.00")
        return
    assert move.kind == "count"
    n = int(move.change)
    assert 1 <= n <= tests - correct
    target = min(before + 1, Decimal("10.00"))
    assert score_metric(metric, moved(record, ("dial_tests_correct",), n), 2).points >= target
    assert score_metric(metric, moved(record, ("dial_tests_correct",), n - 1), 2).points < target


@settings(max_examples=60, deadline=None)
@given(repeats=st.integers(min_value=0, max_value=3000))
def test_move_totals_match_scoring(repeats):
    record = vm(repeat_2h_calls=repeats)
    for move in next_points(record, RULES):
        assert move.total_before == Decimal("63.53") or move.total_before == score(record, RULES).total
        if move.change and move.kind == "count" and move.item_id == "repeat_2h":
            card = simulate(record, RULES, {"repeat_2h_calls": repeats + int(move.change)})
            assert card.total == move.total_after
            assert card.settlement.payout == move.payout_after


@pytest.mark.parametrize(
    "shortfall,rate,goal", [("proportional", "93.5", "94.5"), ("started_points", "93.5", "94")]
)
def test_audit_rate_goal(shortfall, rate, goal):
    import dataclasses

    adjusted = dataclasses.replace(
        RULES,
        adjustments=tuple(
            dataclasses.replace(a, shortfall=shortfall) if a.id == "audit_pass_rate" else a
            for a in RULES.adjustments
        ),
    )
    (move,) = [
        m for m in next_points(vm(audit_pass_rate=Fraction(rate)), adjusted) if m.item_id == "audit_pass_rate"
    ]
    assert Fraction(rate) + move.change == Fraction(goal)
    assert move.points_after - move.points_before == Decimal("1.00")


def test_a_change_keeps_the_exam_not_held_unless_it_gives_the_exam_figures(rules):
    from dataclasses import replace as copy

    held_none = copy(vm(exam_takers=0, exam_average=None), not_held=frozenset({"exam_average"}))
    assert with_inputs(held_none, {"connected_calls": 9000}).not_held == frozenset({"exam_average"})
    assert with_inputs(held_none, {"exam_takers": 70, "exam_average": 80}).not_held == frozenset()
    exam = next(
        m for m in simulate(held_none, rules, {"connected_calls": 9000}).metrics if m.id == "business_exam"
    )
    assert not exam.assessed


def test_no_exam_move_when_nobody_sat_the_exam(rules):
    moves = next_points(vm(exam_takers=0, exam_average=None), rules)
    assert [(m.kind, m.text) for m in moves if m.label == "业务考试"] == [
        ("unreachable", "本月考试无人参加：需座席参加考试（参考率达到 70%），得分取决于成绩")
    ]
