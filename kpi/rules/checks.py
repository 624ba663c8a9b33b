"""The rulebook's named checks of meaning, run after `kpi.rules.schema.check_shape` and before any data
is touched: ids unique, weights positive, curves in order, inputs known …; each returns (key path, message).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from itertools import pairwise

from kpi.errors import Problem
from kpi.inputs import INPUT_KEYS
from kpi.rules.schema import is_num, number_problem


def _num(v: object) -> Fraction:
    return Fraction(str(v).strip()) if isinstance(v, str) else Fraction(v)


def _curve_points(raw: list) -> list[tuple[Fraction, Fraction]]:
    return [(_num(x), _num(p)) for x, p in raw]


def ids_unique(data: dict) -> list[tuple[str, str]]:
    found = []
    for section in ("categories", "metrics", "adjustments"):
        seen: set[str] = set()
        for i, item in enumerate(data.get(section, [])):
            if item["id"] in seen:
                found.append((f"{section}[{i + 1}].id", f"重复的 id「{item['id']}」"))
            seen.add(item["id"])
    return found


def weights_positive(data: dict) -> list[tuple[str, str]]:
    found = [
        (f"categories[{i + 1}].weight", "权重必须大于 0")
        for i, c in enumerate(data["categories"])
        if _num(c["weight"]) <= 0
    ]
    found += [
        (f"metrics[{i + 1}].max_points", "满分必须大于 0")
        for i, m in enumerate(data["metrics"])
        if _num(m["max_points"]) <= 0
    ]
    return found


def metric_in_category(data: dict) -> list[tuple[str, str]]:
    ids = [c["id"] for c in data["categories"]]
    found = [
        (
            f"metrics[{i + 1}].category",
            f"指标「{m['id']}」的类别「{m['category']}」不存在（可选：{'、'.join(ids)}）",
        )
        for i, m in enumerate(data["metrics"])
        if m["category"] not in ids
    ]
    used = {m["category"] for m in data["metrics"]}
    found += [
        (f"categories[{i + 1}].id", f"类别「{c['id']}」下没有任何指标")
        for i, c in enumerate(data["categories"])
        if c["id"] not in used
    ]
    return found


def metric_kind_complete(data: dict) -> list[tuple[str, str]]:
    found = []
    for i, m in enumerate(data["metrics"]):
        kind = m.get("kind", "ratio")
        where = f"metrics[{i + 1}]"
        if kind == "ratio":
            found += [
                (f"{where}.{k}", "比率型指标缺少此键")
                for k in ("numerator", "denominator", "direction", "curve")
                if k not in m
            ]
            if m.get("direction", "lower_better") not in ("lower_better", "higher_better"):
                found.append((f"{where}.direction", "应为 lower_better 或 higher_better"))
        elif kind == "exam":
            if "exam" not in m:
                found.append((f"{where}.exam", "考试型指标缺少 [metrics.exam]"))
            elif m["exam"]["basis"] not in ("average", "per_taker"):
                found.append((f"{where}.exam.basis", "应为 average 或 per_taker"))
        else:
            found.append((f"{where}.kind", f"未知的指标类型「{kind}」，应为 ratio 或 exam"))
    return found


def curves_in_order(data: dict) -> list[tuple[str, str]]:
    found = []
    for section in ("metrics", "adjustments"):
        for i, item in enumerate(data.get(section, [])):
            where = f"{section}[{i + 1}]"
            points = _curve_points(item.get("curve", []))
            xs = [x for x, _ in points]
            if any(a >= b for a, b in pairwise(xs)):
                found.append((f"{where}.curve", "曲线的点必须按 x 严格递增排列"))
            elif section == "metrics" and item.get("kind", "ratio") == "ratio":
                found += _curve_fits_metric(item, points, where)
            for end in ("below", "above"):
                if end in item and item[end] != "clamp" and not is_num(item[end]):
                    found.append((f"{where}.{end}", f'应为 "clamp" 或数字，发现「{item[end]}」'))
    return found


def _curve_fits_metric(m: dict, points: list, where: str) -> list[tuple[str, str]]:
    if not points:
        return [(f"{where}.curve", "比率型指标的曲线至少需要一个点")]
    top = _num(m["max_points"])
    ps = [p for _, p in points]
    if any(p < 0 or p > top for p in ps):
        return [(f"{where}.curve", f"曲线上的分数必须在 0 到满分 {top} 之间")]
    rising = m.get("direction") == "higher_better"
    if any((b < a) if rising else (b > a) for a, b in pairwise(ps)):
        return [(f"{where}.curve", f"曲线的分数与方向 {m.get('direction')} 不一致")]
    return []


def inputs_known(data: dict) -> list[tuple[str, str]]:
    found = []

    def check(keys: list[str], where: str) -> None:
        found.extend((where, f"未知的输入「{k}」") for k in keys if k not in INPUT_KEYS)

    for section in ("metrics", "adjustments"):
        for i, item in enumerate(data.get(section, [])):
            where = f"{section}[{i + 1}]"
            for key in ("numerator", "denominator", "not_assessed_when_zero"):
                check(item.get(key, []), f"{where}.{key}")
            if "input" in item:
                check([item["input"]], f"{where}.input")
            if "gate" in item:
                check(item["gate"]["numerator"] + item["gate"]["denominator"], f"{where}.gate")
            if "exam" in item:
                e = item["exam"]
                check([e["takers"], e["agents"], e["average"]], f"{where}.exam")
    return found


def adjustments_complete(data: dict) -> list[tuple[str, str]]:
    needs = {
        "per_count": ("input", "points_per_unit"),
        "below_rate": ("input", "threshold", "points_per_point"),
        "fee_percent": ("input", "percent_per_unit"),
        "ratio_report": ("numerator", "denominator"),
    }
    found = []
    for i, a in enumerate(data.get("adjustments", [])):
        where = f"adjustments[{i + 1}]"
        if a["kind"] not in needs:
            found.append((f"{where}.kind", f"未知的类型「{a['kind']}」，应为 {'、'.join(needs)}"))
            continue
        found += [(f"{where}.{k}", f"类型 {a['kind']} 缺少此键") for k in needs[a["kind"]] if k not in a]
        if a.get("shortfall", "proportional") not in ("proportional", "whole_points", "started_points"):
            found.append((f"{where}.shortfall", "应为 proportional、whole_points 或 started_points"))
    return found


def settlement_sound(data: dict) -> list[tuple[str, str]]:
    s = data["settlement"]
    if s["mode"] == "linear":
        return []
    if s["mode"] != "bands":
        return [("settlement.mode", f"应为 linear 或 bands，发现「{s['mode']}」")]
    mins = [_num(b["min_score"]) for b in s.get("bands", [])]
    if not mins:
        return [("settlement.bands", 'mode = "bands" 需要至少一个分档')]
    if any(a <= b for a, b in pairwise(mins)):
        return [("settlement.bands", "分档必须按 min_score 从高到低排列")]
    return []


def exam_bands_in_order(data: dict) -> list[tuple[str, str]]:
    found = []
    for i, m in enumerate(data["metrics"]):
        bands = [_num(b["below"]) for b in m.get("exam", {}).get("bands", [])]
        if any(a >= b for a, b in pairwise(bands)):
            found.append((f"metrics[{i + 1}].exam.bands", "考试分档必须按 below 从低到高排列"))
    return found


def detail_sound(data: dict) -> list[tuple[str, str]]:
    d = data.get("detail", {})
    if d.get("repeat_anchor", "answer_time") not in ("answer_time", "queue_time"):
        return [("detail.repeat_anchor", "应为 answer_time 或 queue_time")]
    return []


def effective_month_is_a_month(data: dict) -> list[tuple[str, str]]:
    month = data["contract"]["effective_month"]
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        return []
    return [("contract.effective_month", f"应写成 YYYY-MM（如 2024-01），发现「{month}」")]


# How many of each a rulebook may declare: the contract has 8 metrics, 5 adjustments, 3 categories.
CAPS = {"categories": 20, "metrics": 100, "adjustments": 100}
CAP_LABELS = {"categories": "类别", "metrics": "指标", "adjustments": "扣分/加分项"}
MAX_CURVE_POINTS = 50
MAX_BANDS = 50
MAX_KEYS = 20  # inputs added up in one numerator/denominator
MAX_TEST_NUMBERS = 10_000
# (section, key): (lowest, highest) a sane rulebook uses
RANGES = {
    ("rounding", "points_places"): (0, 6),
    ("rounding", "money_places"): (0, 4),
    ("rounding", "coefficient_places"): (0, 8),
    ("detail", "repeat_window_minutes"): (1, 7 * 24 * 60),
    ("detail", "min_talk_seconds"): (0, 24 * 60 * 60),
    ("detail", "new_agent_months"): (0, 120),
}


def _over(count: int, cap: int, what: str) -> str:
    return f"{what}最多 {cap:,} 个，发现 {count:,} 个"


def sizes_capped(data: dict) -> list[tuple[str, str]]:
    """A rulebook declares few metrics, points and bands: explanations and the what-if stay quick."""
    found = [
        (section, _over(len(data.get(section, [])), cap, CAP_LABELS[section]))
        for section, cap in CAPS.items()
        if len(data.get(section, [])) > cap
    ]
    for section in ("metrics", "adjustments"):
        for i, item in enumerate(data.get(section, [])[: CAPS[section]]):
            where = f"{section}[{i + 1}]"
            if len(item.get("curve", [])) > MAX_CURVE_POINTS:
                found.append((f"{where}.curve", _over(len(item["curve"]), MAX_CURVE_POINTS, "曲线的点")))
            bands = item.get("exam", {}).get("bands", [])
            if len(bands) > MAX_BANDS:
                found.append((f"{where}.exam.bands", _over(len(bands), MAX_BANDS, "考试分档")))
            for key in ("numerator", "denominator", "not_assessed_when_zero"):
                if len(item.get(key, [])) > MAX_KEYS:
                    found.append((f"{where}.{key}", _over(len(item[key]), MAX_KEYS, "输入")))
    if len(data["settlement"].get("bands", [])) > MAX_BANDS:
        found.append(("settlement.bands", _over(len(data["settlement"]["bands"]), MAX_BANDS, "结算分档")))
    if len(data["detail"]["test_numbers"]) > MAX_TEST_NUMBERS:
        found.append(
            ("detail.test_numbers", _over(len(data["detail"]["test_numbers"]), MAX_TEST_NUMBERS, "测试号码"))
        )
    return found


def numbers_in_range(data: dict) -> list[tuple[str, str]]:
    """Rounding places, the repeat window, talk seconds and month counts within what a contract uses
    (100,000,000 decimals or a window of a million minutes would freeze every page)."""
    found = []
    for (section, key), (low, high) in RANGES.items():
        value = data[section].get(key)
        if value is not None and not low <= value <= high:
            found.append((f"{section}.{key}", f"应在 {low:,} 到 {high:,} 之间，发现 {value:,}"))
    return found


def test_numbers_not_blank(data: dict) -> list[tuple[str, str]]:
    """An empty test number would match every withheld (empty) caller and drop those valid calls."""
    return [
        (
            f"detail.test_numbers[{i + 1}]",
            "测试号码不能为空（空号码会把所有隐藏号码的来电从有效话务量中去掉）",
        )
        for i, number in enumerate(data["detail"]["test_numbers"][:MAX_TEST_NUMBERS])
        if not number.strip()
    ]


def money_sound(data: dict) -> list[tuple[str, str]]:
    """A price at or below 0 pays nothing without a word; a floor or a percent below 0 makes no sense."""
    found = []
    if _num(data["contract"]["unit_price"]) <= 0:
        found.append(("contract.unit_price", f"单价必须大于 0，发现「{data['contract']['unit_price']}」"))
    if _num(data["settlement"].get("payout_floor", 0)) < 0:
        found.append(("settlement.payout_floor", "保底金额不能小于 0"))
    for i, band in enumerate(data["settlement"].get("bands", [])[:MAX_BANDS]):
        if not 0 <= _num(band["coefficient"]) <= 2:
            found.append((f"settlement.bands[{i + 1}].coefficient", "系数应在 0 到 2 之间"))
    for i, a in enumerate(data.get("adjustments", [])[: CAPS["adjustments"]]):
        if "percent_per_unit" in a and not 0 <= _num(a["percent_per_unit"]) <= 100:
            found.append((f"adjustments[{i + 1}].percent_per_unit", "百分比应在 0 到 100 之间"))
    return found


def points_within_max(data: dict) -> list[tuple[str, str]]:
    """No metric can give more than its max points or fewer than 0: the ends of its curve, a failed
    gate and the exam's deductions (a negative deduction would add points)."""
    found = []
    for i, m in enumerate(data["metrics"][: CAPS["metrics"]]):
        where, top = f"metrics[{i + 1}]", _num(m["max_points"])
        within = f"应在 0 到满分 {m['max_points']} 之间"
        for end in ("below", "above"):
            if is_num(m.get(end)) and not 0 <= _num(m[end]) <= top:
                found.append((f"{where}.{end}", f"{within}，发现「{m[end]}」"))
        gate = m.get("gate", {})
        if "points_if_failed" in gate and not 0 <= _num(gate["points_if_failed"]) <= top:
            found.append((f"{where}.gate.points_if_failed", within))
        exam = m.get("exam")
        if exam:
            if not 0 <= _num(exam["participation_deduction"]) <= top:
                found.append((f"{where}.exam.participation_deduction", f"扣分{within}"))
            if not 0 <= _num(exam["participation_min"]) <= 100:
                found.append((f"{where}.exam.participation_min", "参考比例应在 0 到 100 之间"))
            for j, band in enumerate(exam["bands"][:MAX_BANDS]):
                if not 0 <= _num(band["deduct"]) <= top:
                    found.append(
                        (f"{where}.exam.bands[{j + 1}].deduct", f"扣分{within}，发现「{band['deduct']}」")
                    )
    return found


GATE_OPERATORS = (">", ">=", "<", "<=")


def gate_operator_known(data: dict) -> list[tuple[str, str]]:
    return [
        (
            f"metrics[{i + 1}].gate.operator",
            f"应为 {'、'.join(GATE_OPERATORS)} 之一，发现「{m['gate']['operator']}」",
        )
        for i, m in enumerate(data["metrics"][: CAPS["metrics"]])
        if "gate" in m and m["gate"]["operator"] not in GATE_OPERATORS
    ]


def scales_positive(data: dict) -> list[tuple[str, str]]:
    found = []
    for section in ("metrics", "adjustments"):
        for i, item in enumerate(data.get(section, [])[: CAPS[section]]):
            for key, table in (("scale", item), ("gate.scale", item.get("gate", {}))):
                value = table.get("scale")
                if value is not None and _num(value) <= 0:
                    found.append((f"{section}[{i + 1}].{key}", "比例系数 scale 必须大于 0"))
            for end in ("below", "above"):
                if is_num(item.get(end)) and number_problem(item[end]):
                    found.append((f"{section}[{i + 1}].{end}", number_problem(item[end])))
    return found


RULES: tuple[Callable[[dict], list[tuple[str, str]]], ...] = (
    sizes_capped,
    numbers_in_range,
    test_numbers_not_blank,
    money_sound,
    points_within_max,
    gate_operator_known,
    scales_positive,
    ids_unique,
    weights_positive,
    metric_in_category,
    metric_kind_complete,
    curves_in_order,
    inputs_known,
    adjustments_complete,
    settlement_sound,
    exam_bands_in_order,
    detail_sound,
    effective_month_is_a_month,
)


def check_rules(data: dict, source: str) -> list[Problem]:
    return [Problem(message, file=source, key=where) for rule in RULES for where, message in rule(data)]
