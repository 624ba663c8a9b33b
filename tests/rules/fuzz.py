"""Random edits of the default rulebook's values and structure, and what each must lead to: a located
rulebook error or a rulebook that scores, explains and settles a 1-row workbook — never a traceback.

Shared by tests/rules/test_fuzz.py (a few hundred examples in every test run) and
benchmarks/fuzz_rulebook.py (thousands, with the time of the slowest case).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import openpyxl
from hypothesis import strategies as st

from kpi.errors import InputError
from kpi.pipeline import assess
from kpi.reports.scorecards import explain, next_steps
from kpi.reports.statement import statement_bytes, statement_csv_bytes
from kpi.rules.rulebook import parse_rulebook
from kpi.scoring.next_point import next_points
from tests.builders import SPEC_EXAMPLE, write_summary

DEFAULT = resources.files("kpi.rules").joinpath("default.toml").read_text("utf-8")
LINES = DEFAULT.splitlines()
ASSIGNMENTS = [i for i, line in enumerate(LINES) if re.match(r"^\w+ = ", line)]
NUMBERS = [i for i, line in enumerate(LINES) if re.match(r'^\w+ = ("[0-9.-]+"|[0-9]+)\s*(#.*)?$', line)]
PLAUSIBLE = st.one_of(
    st.decimals(0, 200, places=2).map(lambda d: f'"{d}"'),
    st.integers(0, 200).map(str),
)

VALUES = st.one_of(
    st.sampled_from(
        [
            "nan",
            "inf",
            "-inf",
            "1e400",
            "-1e400",
            "0",
            "-1",
            "1",
            "2",
            "120",
            "10080",
            "100000000",
            '"0"',
            '"-5"',
            '"1000"',
            '"0.0000000001"',
            '"1e5"',
            '""',
            '" "',
            '"clamp"',
            '"zero"',
            "true",
            "[]",
            "{}",
            '[""]',
            '["10086", ""]',
            '[["0", "0"]]',
            '[["1", "2"], ["1", "3"]]',
            '[["-1", "1000"], ["5", "-3"]]',
            '"bands"',
            '"linear"',
            '"per_taker"',
            '"queue_time"',
            '["connected_calls"]',
            '["nope"]',
            '{ below = "60", deduct = "-5" }',
            '"2024-13"',
            "9" * 4400,
            '"' + "9" * 5000 + '"',
            "[" * 40 + "]" * 40,
        ]
    ),  # fmt: skip
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: f'"{d}"'),
    st.text(max_size=8).map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'),
)


@st.composite
def edited_rulebooks(draw) -> str:
    """The default rulebook with 1–6 random edits: values replaced, lines dropped or repeated, keys
    renamed, whole [[metrics]] blocks copied many times."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(
            st.sampled_from(["number", "number", "value", "value", "drop", "repeat", "rename", "metrics"])
        )
        if op == "number":  # a plausible number where a number was: more edits get as far as scoring
            i = draw(st.sampled_from(NUMBERS))
            if i < len(lines) and " = " in lines[i]:
                lines[i] = lines[i].split(" = ", 1)[0] + " = " + draw(PLAUSIBLE)
        elif op == "value":
            i = draw(st.sampled_from(ASSIGNMENTS))
            if i < len(lines) and " = " in lines[i]:
                lines[i] = lines[i].split(" = ", 1)[0] + " = " + draw(VALUES)
        elif op == "drop" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
        elif op == "repeat" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines[i:i] = lines[i : i + draw(st.integers(1, 30))]
        elif op == "rename":
            i = draw(st.sampled_from(ASSIGNMENTS))
            if i < len(lines) and " = " in lines[i]:
                lines[i] = (
                    draw(st.sampled_from(["x", "id", "curve", "metrics", "weight"]))
                    + " = "
                    + lines[i].split(" = ", 1)[1]
                )
        elif op == "metrics":
            start = DEFAULT.index('[[metrics]]\nid = "repeat_2h"')
            block = DEFAULT[start : DEFAULT.index('[[metrics]]\nid = "support_rate"')]
            copies = "".join(
                block.replace('"repeat_2h"', f'"m{n}"', 1) for n in range(draw(st.integers(1, 250)))
            )
            lines.extend(copies.splitlines())
    return "\n".join(lines) + "\n"


def one_row_workbook(folder: Path) -> Path:
    """The spec's example as a 1-row summary, with a 3-call detail sheet and a roster."""
    path = write_summary(folder / "one.xlsx", [SPEC_EXAMPLE])
    book = openpyxl.load_workbook(path)
    calls = book.create_sheet("话务明细")
    calls.append(["主叫号码", "入队时间", "是否接通", "接通时间", "坐席工号", "外包公司", "通话时长"])
    calls.append(["13800000001", "2024-05-10 10:00:00", "是", "2024-05-10 10:00:10", "J1", "甲公司", 30])
    calls.append(["13800000001", "2024-05-10 11:00:00", "否", None, None, None, None])
    calls.append(["", "2024-05-10 12:00:00", "是", "2024-05-10 12:00:10", "J2", "甲公司", 5])
    roster = book.create_sheet("坐席名册")
    roster.append(["坐席工号", "外包公司", "上岗日期"])
    roster.append(["J1", "甲公司", "2023-01-01"])
    roster.append(["J2", "甲公司", "2024-05-01"])
    book.save(path)
    return path


def run_one(text: str, workbook: Path) -> str:
    """What the edited rulebook led to: 'refused' (a located rulebook error), 'input' (the workbook's
    problems under it) or 'scored'. Anything else raises: that is the bug the fuzz looks for."""
    try:
        rules = parse_rulebook(text, source="fuzz.toml")
    except InputError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        return "refused"
    result = assess(workbook, rules)
    if result.problems:
        return "input"
    for card in result.cards:
        explain(card)
        record = next(r for r in result.records if r.vendor == card.vendor and r.month == card.month)
        next_steps(next_points(record, rules))
    statement_bytes(list(result.cards))
    statement_csv_bytes(list(result.cards))
    return "scored"
