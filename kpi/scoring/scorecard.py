"""Scoring: a vendor-month's figures → a scorecard, walking the rulebook's declarations.

Pure functions over exact numbers. Each metric's points are rounded half up to the rulebook's
places; a category scores the sum of its printed points over the sum of its assessed maxima times
its weight (rounded again); the total is the sum of the printed category and adjustment lines.

Over ~250 lines: the scorecard records and the walk that fills them are kept together, with the
contested readings each step honours (an exam not held or sat by nobody, a category's not-assessed
metrics, the fee a percent deduction is taken from).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kpi.inputs import label as input_label
from kpi.money import F, round_half_up
from kpi.records import VendorMonth
from kpi.rules.curves import evaluate
from kpi.rules.rulebook import Adjustment, Category, Metric, Ratio, Rulebook
from kpi.scoring.settlement import Settlement, settle

Inputs = tuple[tuple[str, str, object], ...]  # (key, Chinese label, value)


@dataclass(frozen=True)
class MetricScore:
    id: str
    label: str
    category: str
    assessed: bool
    inputs: Inputs
    value: Fraction | None
    unit: str
    points: Decimal
    max_points: Decimal
    segment: str
    clause: str


@dataclass(frozen=True)
class CategoryScore:
    id: str
    label: str
    weight: Decimal
    points: Decimal  # sum of the assessed metrics' printed points
    max_points: Decimal  # sum of the assessed metrics' max points
    score: Decimal
    formula: str


@dataclass(frozen=True)
class AdjustmentLine:
    id: str
    label: str
    kind: str
    inputs: Inputs
    value: Fraction | None
    unit: str
    points: Decimal
    fee_percent: Fraction
    rule: str
    clause: str
    fee_base: str = "base_fee"  # the fee `fee_percent` is taken from: "base_fee" | "adjusted_fee"


@dataclass(frozen=True)
class Scorecard:
    vendor: str
    month: str
    metrics: tuple[MetricScore, ...]
    categories: tuple[CategoryScore, ...]
    adjustments: tuple[AdjustmentLine, ...]
    total: Decimal
    settlement: Settlement
    sources: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


def _inputs(vm: VendorMonth, keys: tuple[str, ...]) -> Inputs:
    return tuple((k, input_label(k), vm.get(k)) for k in keys)


def ratio_value(vm: VendorMonth, ratio: Ratio) -> Fraction | None:
    """sum(numerator) / sum(denominator) × scale, exactly; None when the denominator is 0."""
    den = sum(F(vm.get(k) or 0) for k in ratio.denominator)
    if den == 0:
        return None
    return sum(F(vm.get(k) or 0) for k in ratio.numerator) / den * ratio.scale


def gate_passes(value: Fraction, operator: str, threshold: Fraction) -> bool:
    return {
        ">": value > threshold,
        ">=": value >= threshold,
        "<": value < threshold,
        "<=": value <= threshold,
    }[operator]


def score_metric(m: Metric, vm: VendorMonth, places: int) -> MetricScore:
    top = round_half_up(m.max_points, places)
    keys = (
        (m.ratio.numerator + m.ratio.denominator)
        if m.ratio
        else (m.exam.takers, m.exam.agents, m.exam.average)
    )
    base = dict(
        id=m.id,
        label=m.label,
        category=m.category,
        inputs=_inputs(vm, keys),
        max_points=top,
        clause=m.clause,
        unit=m.ratio.unit if m.ratio else "分",
    )
    zero = [k for k in m.not_assessed_when_zero if not vm.get(k)]
    if zero:
        why = "、".join(input_label(k) for k in zero)
        return MetricScore(
            **base, assessed=False, value=None, points=round_half_up(0, places), segment=f"{why}为 0：未考核"
        )
    if m.kind == "exam" and (why_not := _exam_not_assessed(m, vm)):
        return MetricScore(
            **base, assessed=False, value=None, points=round_half_up(0, places), segment=why_not
        )
    if m.kind == "exam":
        points, value, segment = _exam_points(m, vm)
    else:
        value = ratio_value(vm, m.ratio)
        result = evaluate(m.curve, value, m.ratio.unit)
        points, segment = result.points, result.segment
        if m.gate:
            gate_value = ratio_value(vm, m.gate.ratio) or Fraction(0)
            shown = f"{m.gate.label} {round_half_up(gate_value, 2)}{m.gate.ratio.unit}"
            if not gate_passes(gate_value, m.gate.operator, m.gate.threshold):
                points = m.gate.points_if_failed
                segment = (
                    f"{shown} 未满足 {m.gate.operator} {m.gate.threshold}{m.gate.ratio.unit}：{points} 分"
                )
            else:
                segment = f"{shown} 满足门槛；{segment}"
    return MetricScore(
        **base, assessed=True, value=value, points=round_half_up(points, places), segment=segment
    )


def _exam_not_assessed(m: Metric, vm: VendorMonth) -> str:
    """Why the exam is not assessed: none held (stated in the sheet), or held, sat by nobody, and the
    rulebook reads that as not assessed; "" when it is assessed."""
    e = m.exam
    if e.average in vm.not_held:
        return f"{input_label(e.average)}写明本月未组织考试：未考核"
    if not vm.get(e.takers) and e.no_takers == "not_assessed":
        return (
            f"{input_label(e.takers)}为 0（考试已组织、无人参加），按规则本 no_takers = not_assessed：未考核"
        )
    return ""


def _exam_points(m: Metric, vm: VendorMonth) -> tuple[Fraction, Fraction | None, str]:
    e = m.exam
    takers, agents = F(vm.get(e.takers) or 0), F(vm.get(e.agents) or 0)
    participation = takers / agents * 100 if agents else Fraction(0)
    deductions, steps = Fraction(0), [f"参考率 {round_half_up(participation, 2)}%"]
    if not takers:
        steps[0] = f"{input_label(e.takers)}为 0（考试已组织、无人参加）：{steps[0]}"
    if participation < e.participation_min:
        deductions += e.participation_deduction
        steps[0] += f" < {e.participation_min}%，扣 {e.participation_deduction}"
    average = vm.get(e.average)
    if not takers:
        if e.no_takers == "lowest_band" and e.bands:
            worst = e.bands[0][1]
            deductions += worst
            steps.append(f"无人参考，按最低档扣 {worst}（不参考不应比参考不及格得分高）")
        else:
            steps.append("无人参考，只扣参考率（规则本 no_takers = participation_only）")
    elif e.basis == "per_taker" and vm.exam_scores:
        per = sum(_band(e.bands, s) for s in vm.exam_scores)
        deductions += per
        steps.append(f"逐人计：{len(vm.exam_scores)} 人共扣 {per}")
    elif average is not None:
        band = _band(e.bands, F(average))
        deductions += band
        steps.append(f"平均分 {round_half_up(F(average), 2)}，扣 {band}")
        if e.basis == "per_taker":
            steps.append("（无逐人成绩，按平均分计）")
    capped = min(deductions, m.max_points)
    points = m.max_points - capped
    return (
        points,
        F(average) if average is not None else None,
        "；".join(steps) + f"；共扣 {capped}（扣完为止）",
    )


def _band(bands: tuple[tuple[Fraction, Fraction], ...], score: Fraction) -> Fraction:
    return next((deduct for below, deduct in bands if score < below), Fraction(0))


NOT_ASSESSED_COUNT = {"full": "按满分计入", "zero": "按 0 分计入"}


def metric_share(s: MetricScore, c: Category) -> tuple[Decimal, Decimal]:
    """What a metric adds to its category's (points, maximum): its own when assessed; when not, its
    maximum as full marks ("full"), as 0 of it ("zero"), or nothing ("drop_from_max"), as the
    category's `not_assessed` says."""
    if s.assessed:
        return s.points, s.max_points
    if c.not_assessed == "full":
        return s.max_points, s.max_points
    if c.not_assessed == "zero":
        return Decimal(0), s.max_points
    return Decimal(0), Decimal(0)


def skipped_note(c: Category, labels: list[str]) -> str:
    """What the category line says of its not-assessed metrics that still count (full or zero)."""
    if not labels or c.not_assessed not in NOT_ASSESSED_COUNT:
        return ""
    return f"（未考核的{'、'.join(labels)}{NOT_ASSESSED_COUNT[c.not_assessed]}）"


def score_category(c: Category, metrics: list[MetricScore], places: int) -> CategoryScore:
    """The category's score from its metrics (see `metric_share` for the not-assessed ones)."""
    mine = [s for s in metrics if s.category == c.id]
    shares = [metric_share(s, c) for s in mine]
    points = sum((p for p, _ in shares), Decimal(0))
    top = sum((m for _, m in shares), Decimal(0))
    note = skipped_note(c, [s.label for s in mine if not s.assessed])
    return category_from_sums(c, points, top, places, note)


def category_from_sums(
    c: Category, points: Decimal, top: Decimal, places: int, note: str = ""
) -> CategoryScore:
    """A category's line from the sums of its metrics' shares of points and maxima (top 0: none
    counted, as every max is above 0: the category counts full)."""
    weight = round_half_up(c.weight, places)
    if not top:
        return CategoryScore(c.id, c.label, weight, points, top, weight, "本类指标均未考核：按满分计")
    if c.scale_to_weight:
        score = round_half_up(F(points) / F(top) * c.weight, places)
        return CategoryScore(
            c.id, c.label, weight, points, top, score, f"{points} ÷ {top} × {weight} = {score}{note}"
        )
    score = min(points, weight)
    return CategoryScore(c.id, c.label, weight, points, top, score, f"{points}（上限 {weight}）{note}")


def score_adjustment(a: Adjustment, vm: VendorMonth, places: int) -> AdjustmentLine:
    if a.kind == "ratio_report":
        value = ratio_value(vm, a.ratio) if all(vm.get(k) is not None for k in a.ratio.denominator) else None
        inputs = _inputs(vm, a.ratio.numerator + a.ratio.denominator)
        if value is None:
            points, rule = Fraction(0), "未提供数据：不计分"
        elif a.curve is None:
            points, rule = Fraction(0), "仅报告比例：规则本未配置计分"
        else:
            result = evaluate(a.curve, value, a.ratio.unit)
            points, rule = result.points, result.segment
        return AdjustmentLine(
            a.id,
            a.label,
            a.kind,
            inputs,
            value,
            a.ratio.unit,
            round_half_up(points, places),
            Fraction(0),
            rule,
            a.clause,
        )
    amount = F(vm.get(a.input) or 0)
    inputs, fee, unit = _inputs(vm, (a.input,)), Fraction(0), ""
    if a.kind == "per_count":
        points, rule = a.points_per_unit * amount, f"{amount} × {a.points_per_unit}"
    elif a.kind == "below_rate":
        gap = max(Fraction(0), a.threshold - amount)
        gap = {
            "proportional": gap,
            "whole_points": Fraction(math.floor(gap)),
            "started_points": Fraction(math.ceil(gap)),
        }[a.shortfall]
        points, unit = a.points_per_point * gap, "%"
        rule = f"低于 {a.threshold}% 的差额 {round_half_up(gap, 4).normalize()} × {a.points_per_point}"
    else:  # fee_percent
        points, fee = Fraction(0), a.percent_per_unit * amount
        fee_name = "考核后酬金" if a.fee_base == "adjusted_fee" else "话务酬金"
        rule = f"{amount} × {a.percent_per_unit}% {fee_name}（扣款，不扣分）"
    return AdjustmentLine(
        a.id,
        a.label,
        a.kind,
        inputs,
        amount,
        unit,
        round_half_up(points, places),
        fee,
        rule,
        a.clause,
        a.fee_base,
    )


def score(vm: VendorMonth, rules: Rulebook) -> Scorecard:
    """The whole scorecard of one vendor-month, with its settlement."""
    places = rules.points_places
    metrics = [score_metric(m, vm, places) for m in rules.metrics]
    by_id = {c.id: c for c in rules.categories}
    sums = {c.id: [Decimal(0), Decimal(0)] for c in rules.categories}  # one pass, not one per category
    skipped: dict[str, list[str]] = {c.id: [] for c in rules.categories}
    for s in metrics:
        points, top = metric_share(s, by_id[s.category])
        sums[s.category][0] += points
        sums[s.category][1] += top
        if not s.assessed:
            skipped[s.category].append(s.label)
    categories = tuple(
        category_from_sums(c, *sums[c.id], places, skipped_note(c, skipped[c.id])) for c in rules.categories
    )
    adjustments = tuple(score_adjustment(a, vm, places) for a in rules.adjustments)
    total = sum((c.score for c in categories), Decimal(0)) + sum((a.points for a in adjustments), Decimal(0))
    fee_percent = sum((a.fee_percent for a in adjustments if a.fee_base == "base_fee"), Fraction(0))
    of_adjusted = sum((a.fee_percent for a in adjustments if a.fee_base == "adjusted_fee"), Fraction(0))
    settlement = settle(int(vm.get("valid_calls") or 0), total, fee_percent, rules, of_adjusted)
    return Scorecard(
        vm.vendor,
        vm.month,
        tuple(metrics),
        categories,
        adjustments,
        total,
        settlement,
        tuple(sorted(vm.sources.items())),
        vm.notes,
    )
