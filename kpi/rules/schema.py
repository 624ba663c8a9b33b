"""The rulebook's closed schema: every section's keys with their kinds, and `check_shape`, which names
the key path of any unknown, missing or mistyped key before anything else looks at the rulebook.

Over ~250 lines: most of it is the declaration of every section's keys (one line a key), which a
reader should find in one place; the walk that checks it is short."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from kpi.errors import Problem

NUM, INT, STR, BOOL, KEYS, PAIRS, TABLE, LIST = (
    "数字",
    "整数",
    "文本",
    "true/false",
    "输入键列表",
    "[[x, 分], …] 列表",
    "表",
    "表数组",
)

SECTIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "": {
        "contract": (TABLE, True),
        "rounding": (TABLE, True),
        "categories": (LIST, True),
        "metrics": (LIST, True),
        "adjustments": (LIST, False),
        "settlement": (TABLE, True),
        "detail": (TABLE, True),
        "readings": (LIST, False),
        "cycle": (TABLE, False),
    },
    "contract": {
        "name": (STR, True),
        "effective_month": (STR, True),
        "unit_price": (NUM, True),
        "unit_price_clause": (STR, False),
        "score_clause": (STR, False),
    },
    "rounding": {
        "points_places": (INT, True),
        "money_places": (INT, True),
        "coefficient_places": (INT, False),
    },
    "categories": {
        "id": (STR, True),
        "label": (STR, True),
        "weight": (NUM, True),
        "scale_to_weight": (BOOL, False),
        "not_assessed": (STR, False),
    },
    "metrics": {
        "id": (STR, True),
        "label": (STR, True),
        "category": (STR, True),
        "max_points": (NUM, True),
        "kind": (STR, False),
        "clause": (STR, True),
        "not_assessed_when_zero": (KEYS, False),
        "numerator": (KEYS, False),
        "denominator": (KEYS, False),
        "scale": (NUM, False),
        "unit": (STR, False),
        "direction": (STR, False),
        "curve": (PAIRS, False),
        "below": (STR, False),
        "above": (STR, False),
        "gate": (TABLE, False),
        "exam": (TABLE, False),
    },
    "metrics.gate": {
        "label": (STR, True),
        "numerator": (KEYS, True),
        "denominator": (KEYS, True),
        "scale": (NUM, False),
        "unit": (STR, False),
        "operator": (STR, True),
        "threshold": (NUM, True),
        "points_if_failed": (NUM, False),
    },
    "metrics.exam": {
        "takers": (STR, True),
        "agents": (STR, True),
        "average": (STR, True),
        "participation_min": (NUM, True),
        "participation_deduction": (NUM, True),
        "basis": (STR, True),
        "no_takers": (STR, False),
        "bands": (LIST, True),
    },
    "metrics.exam.bands": {"below": (NUM, True), "deduct": (NUM, True)},
    "adjustments": {
        "id": (STR, True),
        "label": (STR, True),
        "kind": (STR, True),
        "clause": (STR, True),
        "input": (STR, False),
        "points_per_unit": (NUM, False),
        "threshold": (NUM, False),
        "points_per_point": (NUM, False),
        "shortfall": (STR, False),
        "percent_per_unit": (NUM, False),
        "fee_base": (STR, False),
        "numerator": (KEYS, False),
        "denominator": (KEYS, False),
        "scale": (NUM, False),
        "unit": (STR, False),
        "curve": (PAIRS, False),
        "below": (STR, False),
        "above": (STR, False),
    },
    "settlement": {
        "mode": (STR, True),
        "bands": (LIST, False),
        "curve": (PAIRS, False),
        "coefficient_max": (NUM, False),
        "payout_floor": (NUM, False),
    },
    "settlement.bands": {"min_score": (NUM, True), "coefficient": (NUM, True)},
    "detail": {
        "repeat_window_minutes": (INT, True),
        "repeat_anchor": (STR, True),
        "test_numbers": (KEYS, True),
        "min_talk_seconds": (INT, True),
        "new_agent_months": (INT, True),
        "repeat_count": (STR, False),
        "timezone": (STR, False),
        "clock_skew_seconds": (INT, False),
        "same_queue_only": (BOOL, False),
        "reentry_must_connect": (BOOL, False),
        "exclude_transfers": (BOOL, False),
    },
    "readings": {
        "topic": (STR, True),
        "clause": (STR, True),
        "label": (STR, True),
        "literal": (BOOL, False),
        "changes": (TABLE, True),
    },
    "cycle": {"dispute_days": (INT, True)},
}


NUMBER_LIMIT = 10**9  # no rulebook number (price, points, percent, count) is anywhere near this
NUMBER_PLACES = 10  # decimals
INT_LIMIT = 10**9
MAX_DEPTH = 8  # tables and arrays inside each other (the default rulebook goes 6 deep)


def number_problem(v: object) -> str:
    """Why a number of the rulebook cannot be used ('' when it can): NaN, infinity, or absurdly
    large or fine-grained (1e400 would make exact arithmetic run for minutes)."""
    if isinstance(v, Decimal) and not v.is_finite():
        return "不是有限的数（nan/inf）"
    text = str(v).strip()
    if isinstance(v, Decimal):
        exponent = v.as_tuple().exponent
        if abs(v.adjusted()) > 12 or (isinstance(exponent, int) and exponent < -NUMBER_PLACES):
            return f"数字超出合理范围（绝对值不超过 {NUMBER_LIMIT:,}，小数不超过 {NUMBER_PLACES} 位）"
        magnitude = abs(v)
    else:
        whole, _, decimals = text.lstrip("-").partition(".")
        if len(whole.lstrip("0")) > 12 or len(decimals) > NUMBER_PLACES:
            return f"数字超出合理范围（绝对值不超过 {NUMBER_LIMIT:,}，小数不超过 {NUMBER_PLACES} 位）"
        magnitude = abs(Decimal(text))
    if magnitude > NUMBER_LIMIT:
        return f"数字超出合理范围（绝对值不超过 {NUMBER_LIMIT:,}，小数不超过 {NUMBER_PLACES} 位）"
    return ""


def too_deep(data: object) -> str:
    """The key path of the first value nested deeper than MAX_DEPTH ('' if none); iterative, so a
    rulebook nested thousands deep cannot exhaust the stack."""
    stack: list[tuple[object, str, int]] = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            return path or "（根）"
        if isinstance(value, dict):
            children = [(f"{path}.{key}" if path else str(key), child) for key, child in value.items()]
        else:
            children = [(f"{path}[{i + 1}]", child) for i, child in enumerate(value)]
        stack.extend((child, name, depth + 1) for name, child in children)
    return ""


def fraction_of(v: object) -> Fraction:
    """A checked rulebook number (int, Decimal or numeric text) as an exact Fraction."""
    return Fraction(str(v).strip()) if isinstance(v, str) else Fraction(v)


def is_num(v: object) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | Decimal):
        return True
    return isinstance(v, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", v) is not None


def _type_ok(kind: str, v: object) -> bool:
    checks: dict[str, Callable[[object], bool]] = {
        NUM: is_num,
        INT: lambda x: isinstance(x, int) and not isinstance(x, bool) and x >= 0,
        STR: lambda x: isinstance(x, str),
        BOOL: lambda x: isinstance(x, bool),
        KEYS: lambda x: isinstance(x, list) and all(isinstance(i, str) for i in x),
        PAIRS: lambda x: (
            isinstance(x, list)
            and all(isinstance(p, list) and len(p) == 2 and all(is_num(i) for i in p) for p in x)
        ),
        TABLE: lambda x: isinstance(x, dict),
        LIST: lambda x: isinstance(x, list) and all(isinstance(i, dict) for i in x),
    }
    return checks[kind](v)


def check_shape(data: dict, source: str) -> list[Problem]:
    """Closed schema: every key known, every required key present, every value of its type."""
    problems: list[Problem] = []

    def walk(table: dict, section: str, path: str) -> None:
        fields = SECTIONS[section]
        for key in table:
            if key not in fields:
                problems.append(
                    Problem(
                        "未知的键（拼写错误？）",
                        file=source,
                        key=f"{path}{key}",
                        expected="、".join(fields),
                    )
                )
        for key, (kind, required) in fields.items():
            where = f"{path}{key}"
            if key not in table:
                if required:
                    problems.append(Problem("缺少必填的键", file=source, key=where))
                continue
            value = table[key]
            if not _type_ok(kind, value):
                shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
                problems.append(Problem("类型不对", file=source, key=where, value=shown[:60], expected=kind))
                continue
            if kind == NUM and number_problem(value):
                problems.append(Problem(number_problem(value), file=source, key=where, value=str(value)[:60]))
                continue
            if kind == INT and value > INT_LIMIT:
                problems.append(
                    Problem(
                        f"整数超出合理范围（不超过 {INT_LIMIT:,}）",
                        file=source,
                        key=where,
                        value=str(value)[:60],
                    )
                )
                continue
            child = f"{section}.{key}" if section else key
            if kind == TABLE and child in SECTIONS:
                walk(value, child, f"{where}.")
            elif kind == LIST and child in SECTIONS:
                for i, item in enumerate(value):
                    walk(item, child, f"{where}[{i + 1}].")

    walk(data, "", "")
    return problems
