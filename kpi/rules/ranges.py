"""The rulebook's named checks of size and range, run with those of `kpi.rules.checks`: how many metrics,
curve points and bands a rulebook may declare, and the sane range of each number (rounding places, the
repeat window, prices, deductions …), so that a typing slip can neither freeze the server nor pay a
wrong amount without a word. Each returns (key path, message), as the checks there do.
"""

from __future__ import annotations

from kpi.rules.schema import fraction_of as _num
from kpi.rules.schema import is_num, number_problem

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
