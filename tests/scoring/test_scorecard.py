"""Scoring through the library: the spec's worked figures and its whole-scorecard example."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.scoring.scorecard import score
from tests.builders import vendor_month


def points(card, metric_id):
    return next(m for m in card.metrics if m.id == metric_id)


def test_whole_scorecard_by_hand(rules):
    card = score(vendor_month(), rules)
    assert [str(m.points) for m in card.metrics] == [
        "8.50",
        "4.20",
        "8.50",
        "8.20",
        "4.25",
        "3.75",
        "4.25",
        "1.00",
    ]
    assert {c.id: str(c.score) for c in card.categories} == {
        "operations": "25.40",
        "service": "49.63",
        "other": "2.00",
    }
    assert [str(a.points) for a in card.adjustments] == ["-10.00", "-1.50", "-2.00", "0.00", "0.00"]
    assert card.total == Decimal("63.53")
    s = card.settlement
    assert (s.base_fee, s.coefficient, s.adjusted_fee) == (
        Decimal("8330.00"),
        Decimal("0.6353"),
        Decimal("5292.05"),
    )
    assert (s.security_deduction, s.payout) == (Decimal("833.00"), Decimal("4459.05"))


def test_ticket_accuracy_163_of_200_prints_2_88(rules):
    card = score(vendor_month(tickets_correct=163), rules)
    assert str(points(card, "ticket_accuracy").points) == "2.88"  # 2.875 half up; float gives 2.87


def test_repeat_exactly_on_threshold_earns_7(rules):
    card = score(vendor_month(repeat_2h_calls=1547, connected_calls=9100), rules)
    assert points(card, "repeat_2h").value == 17
    assert str(points(card, "repeat_2h").points) == "7.00"


@pytest.mark.parametrize(
    ("created", "correct", "expected"),
    [(6000, 170, "3.75"), (5000, 170, "0.00"), (6000, 158, "0.00")],  # 85% created 60%; created 50%; 79%
)
def test_ticket_gate(rules, created, correct, expected):
    card = score(vendor_month(tickets_created=created, tickets_correct=correct), rules)
    assert str(points(card, "ticket_accuracy").points) == expected


@pytest.mark.parametrize(
    ("takers", "average", "expected"),
    [
        (65, Fraction(72), "1.00"),
        (80, Fraction(58), "0.00"),
        (60, Fraction(55), "0.00"),
        (100, Fraction(88), "5.00"),
    ],
)
def test_business_exam(rules, takers, average, expected):
    card = score(vendor_month(exam_takers=takers, exam_average=average), rules)
    assert str(points(card, "business_exam").points) == expected


def test_no_exam_held_is_not_assessed_and_other_scores_full(rules):
    from dataclasses import replace

    held_none = replace(vendor_month(exam_takers=0, exam_average=None), not_held=frozenset({"exam_average"}))
    card = score(held_none, rules)
    exam = points(card, "business_exam")
    assert not exam.assessed and exam.segment == "考试平均分写明本月未组织考试：未考核"
    other = next(c for c in card.categories if c.id == "other")
    assert other.score == Decimal("10.00") and "均未考核" in other.formula
    assert card.total == Decimal("71.53")


def test_exam_held_with_no_takers_scores_the_lowest_band_by_default(rules):
    card = score(vendor_month(exam_takers=0, exam_average=None), rules)
    exam = points(card, "business_exam")
    assert exam.assessed and exam.points == Decimal("0.00")
    assert exam.segment == (
        "参考人数为 0（考试已组织、无人参加）：参考率 0.00% < 70%，扣 2；"
        "无人参考，按最低档扣 5（不参考不应比参考不及格得分高）；共扣 5（扣完为止）"
    )
    assert [str(c.score) for c in card.categories] == ["25.40", "49.63", "0.00"]
    assert (str(card.total), str(card.settlement.payout)) == ("61.53", "4292.45")


@pytest.mark.parametrize(
    "reading, exam_points, other, total, payout",
    [
        ("participation_only", "3.00", "6.00", "67.53", "4792.25"),
        ("not_assessed", "0.00", "10.00", "71.53", "5125.45"),
    ],
)
def test_exam_held_with_no_takers_other_readings(rules, reading, exam_points, other, total, payout):
    from dataclasses import replace

    exam_metric = rules.metric("business_exam")
    changed = replace(exam_metric, exam=replace(exam_metric.exam, no_takers=reading))
    rules = replace(rules, metrics=tuple(changed if m.id == "business_exam" else m for m in rules.metrics))
    card = score(vendor_month(exam_takers=0, exam_average=None), rules)
    exam = points(card, "business_exam")
    assert (exam.assessed, str(exam.points)) == (reading != "not_assessed", exam_points)
    assert str(card.categories[2].score) == other
    assert (str(card.total), str(card.settlement.payout)) == (total, payout)


@pytest.mark.parametrize(
    "mode, service, formula_note",
    [
        ("drop_from_max", "49.80", ""),  # 20.75 / 25 × 60
        ("full", "52.71", "（未考核的在线监听正确率按满分计入）"),  # 30.75 / 35 × 60 = 52.714…
        ("zero", "35.57", "（未考核的在线监听正确率按 0 分计入）"),  # 20.75 / 35 × 60 = 35.571…
    ],
)
def test_not_assessed_metric_readings(rules, mode, service, formula_note):
    from dataclasses import replace

    rules = replace(rules, categories=tuple(replace(c, not_assessed=mode) for c in rules.categories))
    card = score(vendor_month(monitored_calls=0, monitored_correct=0), rules)
    category = next(c for c in card.categories if c.id == "service")
    assert str(category.score) == service
    assert category.formula.endswith(formula_note)


def test_no_new_agents_leaves_the_category_maximum(rules):
    card = score(vendor_month(monitored_calls=0, monitored_correct=0), rules)
    service = next(c for c in card.categories if c.id == "service")
    # 8.50 + 4.25 + 3.75 + 4.25 = 20.75 of 25 → × 60 = 49.80
    assert (service.points, service.max_points, service.score) == (
        Decimal("20.75"),
        Decimal("25.00"),
        Decimal("49.80"),
    )


def test_audit_rate_shortfall_choices(rules):
    from dataclasses import replace

    line = lambda r: next(a for a in score(vendor_month(), r).adjustments if a.id == "audit_pass_rate")  # noqa: E731
    assert str(line(rules).points) == "-1.50"
    whole = replace(rules, adjustments=tuple(replace(a, shortfall="whole_points") for a in rules.adjustments))
    started = replace(
        rules, adjustments=tuple(replace(a, shortfall="started_points") for a in rules.adjustments)
    )
    assert (str(line(whole).points), str(line(started).points)) == ("-1.00", "-2.00")


def test_emergency_coverage_is_reported_without_points(rules):
    card = score(vendor_month(emergency_expected=1200, emergency_handled=1080), rules)
    line = next(a for a in card.adjustments if a.id == "emergency_coverage")
    assert line.value == 90 and line.points == 0 and "未配置计分" in line.rule


counts = st.integers(min_value=0, max_value=50000)


@settings(max_examples=200, deadline=None)
@given(
    connected=st.integers(min_value=1, max_value=50000),
    repeats=counts,
    complaints=counts,
    sampled=counts,
    correct=counts,
    takers=st.integers(min_value=0, max_value=100),
    average=st.integers(min_value=0, max_value=100),
)
def test_category_scores_within_zero_and_weight(
    rules, connected, repeats, complaints, sampled, correct, takers, average
):
    vm = vendor_month(
        connected_calls=connected,
        repeat_2h_calls=min(repeats, connected),
        service_complaints=complaints,
        tickets_sampled=sampled,
        tickets_correct=min(correct, sampled),
        exam_takers=takers,
        exam_average=Fraction(average) if takers else None,
    )
    card = score(vm, rules)
    for category in card.categories:
        assert 0 <= category.score <= category.weight
    for metric in card.metrics:
        assert 0 <= metric.points <= metric.max_points
    assert card.total == sum(c.score for c in card.categories) + sum(a.points for a in card.adjustments)


def test_exam_per_taker_basis(rules):
    from dataclasses import replace

    per_taker = replace(
        rules,
        metrics=tuple(
            replace(m, exam=replace(m.exam, basis="per_taker")) if m.exam else m for m in rules.metrics
        ),
    )
    vm = replace(vendor_month(exam_takers=3), exam_scores=(Fraction(80), Fraction(90), Fraction(88)))
    exam = points(score(vm, per_taker), "business_exam")  # 3 of 100 take it: −2; one taker in [75, 85): −1
    assert (str(exam.points), exam.segment) == (
        "2.00",
        "参考率 3.00% < 70%，扣 2；逐人计：3 人共扣 1；共扣 3（扣完为止）",
    )
    many = replace(vendor_month(exam_takers=80), exam_scores=(Fraction(55), Fraction(70), Fraction(80)))
    assert str(points(score(many, per_taker), "business_exam").points) == "0.00"  # 5 + 2 + 1 = 8, capped at 5


def test_category_as_a_plain_sum_capped_at_its_weight(rules):
    from dataclasses import replace

    plain = replace(rules, categories=tuple(replace(c, scale_to_weight=False) for c in rules.categories))
    card = score(vendor_month(), plain)
    # operations 8.50 + 4.20 = 12.70 (cap 30); service 28.95 (cap 60); other 1.00 (cap 10)
    assert [(c.score, c.formula) for c in card.categories] == [
        (Decimal("12.70"), "12.70（上限 30.00）"),
        (Decimal("28.95"), "28.95（上限 60.00）"),
        (Decimal("1.00"), "1.00（上限 10.00）"),
    ]


def test_emergency_coverage_scores_once_the_rulebook_gives_a_curve(rules):
    from dataclasses import replace

    from kpi.rules.rulebook import Curve

    bonus = Curve(((Fraction(80), Fraction(0)), (Fraction(100), Fraction(2))), None, None)
    scored = replace(
        rules,
        adjustments=tuple(
            replace(a, curve=bonus) if a.kind == "ratio_report" else a for a in rules.adjustments
        ),
    )
    card = score(vendor_month(emergency_expected=1200, emergency_handled=1080), scored)
    line = next(a for a in card.adjustments if a.id == "emergency_coverage")
    assert (line.value, line.points) == (90, Decimal("1.00"))  # 90% halfway from 80% (0) to 100% (2)
    assert card.total == Decimal("64.53")


def test_per_taker_basis_without_scores_says_it_used_the_average(rules):
    from dataclasses import replace

    per_taker = replace(
        rules,
        metrics=tuple(
            replace(m, exam=replace(m.exam, basis="per_taker")) if m.exam else m for m in rules.metrics
        ),
    )
    exam = points(score(vendor_month(), per_taker), "business_exam")
    assert exam.points == Decimal("1.00") and "（无逐人成绩，按平均分计）" in exam.segment
