"""Readings of contested clauses as data: each `[[readings]]` entry of the rulebook quotes a clause,
names one reading of it, and lists the rulebook keys that reading sets.

A key is a dotted path into the rulebook: `section.key` for a table (`settlement.mode`,
`detail.repeat_count`), `section.<id>.key[.sub…]` for a list of entries (`metrics.callback_rate.curve`,
`metrics.business_exam.exam.no_takers`), with `*` for every entry (`categories.*.scale_to_weight`).
`apply_changes` gives the rulebook data with one reading's keys set; `check_readings` refuses a path
that names no entry or no known key, and a reading whose rulebook would not pass the checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kpi.errors import Problem
from kpi.rules import schema

LISTS = ("categories", "metrics", "adjustments")


@dataclass(frozen=True)
class Reading:
    topic: str  # the contested point, short: 「不满意回访率：80% 时的分数」
    clause: str  # the clause, verbatim
    label: str  # this reading
    literal: bool  # the clause says exactly this (False: a reading the text does not state)
    changes: tuple[tuple[str, object], ...]  # (key path, value), lists frozen as tuples


def freeze(value: object) -> object:
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    return value


def thaw(value: object) -> object:
    return [thaw(v) for v in value] if isinstance(value, tuple) else value


def build_readings(data: dict) -> tuple[Reading, ...]:
    return tuple(
        Reading(
            r["topic"],
            r["clause"],
            r["label"],
            r.get("literal", False),
            tuple((path, freeze(value)) for path, value in r["changes"].items()),
        )
        for r in data.get("readings", [])
    )


def _targets(data: dict, path: str) -> tuple[list[tuple[dict, str]], str]:
    """The tables a key path sets and the key set in each, or an empty list and why not. The tables
    on the path are replaced in `data` by copies (copy on write): the caller's originals stay as
    they were, so `data` need only be a shallow copy."""
    parts = path.split(".")
    section = parts[0]
    if section in LISTS:
        if len(parts) < 3:
            return [], f"应写成 {section}.<id>.<键>"
        items = data[section] = [dict(i) for i in data.get(section, [])]
        chosen = items if parts[1] == "*" else [i for i in items if i.get("id") == parts[1]]
        if not chosen:
            ids = "、".join(str(i.get("id")) for i in items)
            return [], f"{section} 中没有 id 为「{parts[1]}」的项（可选：{ids}，或 *）"
        rest, schema_section = parts[2:], section
    elif section in schema.SECTIONS[""] and schema.SECTIONS[""][section][0] == schema.TABLE:
        if len(parts) < 2:
            return [], f"应写成 {section}.<键>"
        data[section] = dict(data.get(section, {}))
        chosen, rest, schema_section = [data[section]], parts[1:], section
    else:
        return [], f"未知的规则本部分「{section}」"
    for depth, key in enumerate(rest):
        fields = schema.SECTIONS.get(schema_section, {})
        if key not in fields:
            return [], f"「{schema_section}」中没有键「{key}」（可选：{'、'.join(fields)}）"
        if depth == len(rest) - 1:
            return [(table, key) for table in chosen], ""
        schema_section = f"{schema_section}.{key}"
        for table in chosen:
            table[key] = dict(table.get(key, {}))
        chosen = [table[key] for table in chosen]
    return [], "键路径不完整"


def apply_changes(data: dict, changes: tuple[tuple[str, object], ...]) -> dict:
    """A copy of the rulebook data with each (path, value) set; a bad path raises ValueError.
    `data` itself is not changed."""
    out = {k: v for k, v in data.items() if k != "readings"}  # the altered rulebook is scored, not asked
    for path, value in changes:
        targets, why = _targets(out, path)
        if not targets:
            raise ValueError(f"{path}: {why}")
        for table, key in targets:
            table[key] = thaw(value)
    return out


def check_readings(data: dict, source: str, check: Callable[[dict, str], list[Problem]]) -> list[Problem]:
    """Every path names a known key of an existing entry; every reading's rulebook passes `check`."""
    problems: list[Problem] = []
    for i, entry in enumerate(data.get("readings", [])):
        where = f"readings[{i + 1}].changes"
        if not entry["changes"]:
            problems.append(Problem("解读没有改动任何规则本的键", file=source, key=where))
            continue
        bad = False
        for path in entry["changes"]:
            targets, why = _targets(dict(data), path)
            if not targets:
                problems.append(Problem(why, file=source, key=f"{where}.{path}"))
                bad = True
        if bad:
            continue
        altered = apply_changes(data, tuple(entry["changes"].items()))
        for p in check(altered, source):
            problems.append(
                Problem(
                    f"按解读「{entry['label']}」改动后：{p.message}",
                    file=source,
                    key=f"{where} → {p.key}",
                    value=p.value,
                    expected=p.expected,
                )
            )
    return problems
