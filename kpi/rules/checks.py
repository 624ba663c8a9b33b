"""The rulebook's named checks of meaning, run after `kpi.rules.schema.check_shape` and before any data
is touched: ids unique, weights positive, curves in order, inputs known …; each returns (key path, message).

A little over ~250 lines: one small function per named check, each beside the others so the list
`RULES` reads as the rulebook's whole meaning.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from fractions import Fraction
from itertools import pairwise

from kpi.errors import Problem
from kpi.inputs import INPUT_KEYS
from kpi.rules.ranges import (
    gate_operator_known,
    money_sound,
    numbers_in_range,
    points_within_max,
    scales_positive,
    sizes_capped,
    test_numbers_not_blank,
)
from kpi.rules.schema import fraction_of, is_num

_num = fraction_of


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
                if end in item and item[end] not in ("clamp", "extend") and not is_num(item[end]):
                    found.append((f"{where}.{end}", f'应为 "clamp"、"extend" 或数字，发现「{item[end]}」'))
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
    if s["mode"] == "curve":
        return _settlement_curve(s)
    if s["mode"] != "bands":
        return [("settlement.mode", f"应为 linear、bands 或 curve，发现「{s['mode']}」")]
    mins = [_num(b["min_score"]) for b in s.get("bands", [])]
    if not mins:
        return [("settlement.bands", 'mode = "bands" 需要至少一个分档')]
    if any(a <= b for a, b in pairwise(mins)):
        return [("settlement.bands", "分档必须按 min_score 从高到低排列")]
    return []


def _settlement_curve(s: dict) -> list[tuple[str, str]]:
    points = _curve_points(s.get("curve", []))
    if not points:
        return [("settlement.curve", 'mode = "curve" 需要至少一个点 [[总分, 系数], …]')]
    if "coefficient_max" not in s:
        return [("settlement.coefficient_max", 'mode = "curve" 需要系数上限 coefficient_max')]
    if any(a >= b for a, b in pairwise(x for x, _ in points)):
        return [("settlement.curve", "曲线的点必须按总分严格递增排列")]
    top = _num(s["coefficient_max"])
    if any(c < 0 or c > top for _, c in points):
        return [("settlement.curve", f"曲线上的系数必须在 0 到 coefficient_max {s['coefficient_max']} 之间")]
    return []


# Options of a contested clause: (section, key under each entry, allowed values, default first).
OPTIONS = (
    ("categories", "not_assessed", ("drop_from_max", "full", "zero")),
    ("metrics", "exam.no_takers", ("lowest_band", "participation_only", "not_assessed")),
    ("adjustments", "fee_base", ("base_fee", "adjusted_fee")),
    ("detail", "repeat_count", ("calls", "customers")),
)


def options_known(data: dict) -> list[tuple[str, str]]:
    """Each contested-clause option is one of its readings."""
    found = []
    for section, path, allowed in OPTIONS:
        entries = data.get(section, [])
        for i, entry in enumerate(entries if isinstance(entries, list) else [entries]):
            value: object = entry
            for part in path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            where = f"{section}[{i + 1}].{path}" if isinstance(entries, list) else f"{section}.{path}"
            if value is not None and value not in allowed:
                found.append((where, f"应为 {'、'.join(allowed)}，发现「{value}」"))
    return found


def exam_bands_in_order(data: dict) -> list[tuple[str, str]]:
    found = []
    for i, m in enumerate(data["metrics"]):
        bands = [_num(b["below"]) for b in m.get("exam", {}).get("bands", [])]
        if any(a >= b for a, b in pairwise(bands)):
            found.append((f"metrics[{i + 1}].exam.bands", "考试分档必须按 below 从低到高排列"))
    return found


def detail_sound(data: dict) -> list[tuple[str, str]]:
    d = data.get("detail", {})
    found = []
    if d.get("repeat_anchor", "answer_time") not in ("answer_time", "queue_time", "end_time"):
        found.append(("detail.repeat_anchor", "应为 answer_time、queue_time 或 end_time"))
    try:
        zoneinfo.ZoneInfo(d.get("timezone", "Asia/Shanghai"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        found.append(
            ("detail.timezone", f"不认识的时区「{d['timezone']}」，应为 IANA 时区名，如 Asia/Shanghai")
        )
    if d.get("clock_skew_seconds", 0) > 3600:
        found.append(("detail.clock_skew_seconds", "时钟误差应在 0 到 3600 秒之间"))
    return found


def effective_month_is_a_month(data: dict) -> list[tuple[str, str]]:
    month = data["contract"]["effective_month"]
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        return []
    return [("contract.effective_month", f"应写成 YYYY-MM（如 2024-01），发现「{month}」")]


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
    options_known,
)


def check_rules(data: dict, source: str) -> list[Problem]:
    return [Problem(message, file=source, key=where) for rule in RULES for where, message in rule(data)]
