"""The detail sheets' columns (话务明细, 坐席名册, 考试成绩): accepted headers, and finding the header row."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from kpi.errors import Problem


@dataclass(frozen=True)
class TableSpec:
    """One detail sheet: its name, its columns (key → accepted headers) and which are required."""

    kind: str
    label: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]

    def header_of(self, key: str) -> str:
        return self.columns[key][0]


CALLS = TableSpec(
    "calls",
    "话务明细",
    {
        "call_id": ("呼叫流水号", "流水号", "呼叫编号", "call_id"),
        "caller": ("主叫号码", "来电号码", "主叫", "caller"),
        "queue_time": ("入队时间", "进队时间", "排队时间", "queue_time"),
        "connected": ("是否接通", "接通标志", "connected"),
        "answer_time": ("接通时间", "应答时间", "answer_time"),
        "end_time": ("结束时间", "挂机时间", "end_time"),
        "agent_id": ("坐席工号", "座席工号", "工号", "agent_id"),
        "vendor": ("外包公司", "合作公司", "vendor"),
        "talk_seconds": ("通话时长", "通话时长(秒)", "通话秒数", "talk_seconds"),
        "expert_transfer": ("转接专家席", "是否转接专家席", "expert_transfer"),
        "queue": ("队列", "技能组", "queue"),  # for [detail] same_queue_only
        "transferred": ("是否转接", "转接", "transferred"),  # for [detail] exclude_transfers
    },
    ("caller", "queue_time", "connected", "answer_time", "agent_id"),  # no 外包公司: from the roster
)
ROSTER = TableSpec(
    "roster",
    "坐席名册",
    {
        "agent_id": ("坐席工号", "座席工号", "工号", "agent_id"),
        "name": ("姓名", "坐席姓名", "name"),
        "vendor": ("外包公司", "合作公司", "vendor"),
        "start_date": ("上岗日期", "入职日期", "start_date"),
    },
    ("agent_id", "vendor", "start_date"),
)
EXAM = TableSpec(
    "exam",
    "考试成绩",
    {
        "agent_id": ("坐席工号", "座席工号", "工号", "agent_id"),
        "vendor": ("外包公司", "合作公司", "vendor"),
        "score": ("成绩", "考试成绩", "分数", "score"),
    },
    ("agent_id", "vendor", "score"),
)
SPECS = (CALLS, ROSTER, EXAM)


def header_key(text: object) -> str:
    """A header cell as compared with the accepted headers: NFKC, no spaces, lower case."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def match_header(cells: Sequence[object], spec: TableSpec) -> dict[int, str]:
    """Column position → key for the cells of one row that are headers of `spec`."""
    wanted = {header_key(alias): key for key, aliases in spec.columns.items() for alias in aliases}
    found: dict[int, str] = {}
    for pos, cell in enumerate(cells):
        key = wanted.get(header_key(cell))
        if key is not None:
            found[pos] = key
    return found


def find_header(rows: Sequence[Sequence[object]], spec: TableSpec) -> tuple[int, dict[int, str]] | None:
    """The first row (of the first few) holding at least two headers of `spec`, with its columns."""
    for index, cells in enumerate(rows):
        found = match_header(cells, spec)
        if len(found) >= min(2, len(spec.required)):
            return index, found
    return None


SHEET_KINDS = (
    (re.compile(r"^话务明细\d*$"), CALLS),
    (re.compile(r"^坐席名册$"), ROSTER),
    (re.compile(r"^考试成绩$"), EXAM),
)


def spec_for_sheet(name: str) -> TableSpec | None:
    """Which detail table a sheet (or a file's stem) holds, by its name."""
    stem = name.strip()
    for pattern, spec in SHEET_KINDS:
        if pattern.match(stem):
            return spec
    return None


def duplicate_headers(names: Sequence[object], spec: TableSpec, file: str, sheet: str) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for pos, key in match_header(names, spec).items():
        if key in seen:
            problems.append(
                Problem(
                    f"{spec.label}有两列都是「{spec.header_of(key)}」",
                    file,
                    sheet,
                    column=str(names[pos]),
                    value=seen[key],
                    expected="每个表头只出现一次",
                )
            )
        seen[key] = str(names[pos])
    return problems
