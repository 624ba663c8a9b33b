"""Raw 话务明细 columns → the canonical calls table, every bad row reported (located) and left out.

Canonical calls table (one row per queue entry), pandas with Arrow-backed strings:
call_id str, caller str ("" when empty/withheld), queue_time / answer_time / end_time
datetime64[ms], connected bool, agent_id and vendor str categoricals, talk_seconds float (NaN when unknown),
expert_transfer bool, source category ("file" or "file!sheet"), row int (Excel row / CSV line).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.detail.cells import as_strings, to_flag, to_number, to_text, to_text_few, to_time, total_rows
from kpi.detail.columns import TableSpec
from kpi.detail.duplicates import repeated_call_ids
from kpi.errors import Problem, show_value

LIMIT = 10  # located problems listed per kind and sheet; the rest are counted
CALL_COLUMNS = (
    "call_id", "caller", "queue_time", "connected", "answer_time", "end_time",
    "agent_id", "vendor", "talk_seconds", "expert_transfer", "source", "row",
)  # fmt: skip


@dataclass(frozen=True)
class RawTable:
    """One sheet or CSV file as read: columns by key, and the Excel row of its first data row."""

    spec: TableSpec
    file: str
    sheet: str
    first_row: int
    columns: dict[str, pa.Array]

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @property
    def label(self) -> str:
        return f"{self.file}!{self.sheet}" if self.sheet else self.file

    def raw(self, key: str, i: int) -> str:
        """The cell as found, for messages (a date beyond Python's range shown by its raw value)."""
        if key not in self.columns:
            return ""
        scalar = self.columns[key][int(i)]
        try:
            return show_value(scalar.as_py())
        except (OverflowError, ValueError):
            return f"{getattr(scalar, 'value', '?')}（超出日期范围）"


def row_problems(
    table: RawTable, mask: np.ndarray, key: str, message: str, expected: str = ""
) -> list[Problem]:
    """Located problems for the rows in `mask`: the first few one by one, then how many more."""
    rows = np.flatnonzero(mask)
    header = table.spec.header_of(key)
    out = [
        Problem(
            message, table.file, table.sheet, table.first_row + int(i), header, table.raw(key, i), expected
        )
        for i in rows[:LIMIT]
    ]
    if len(rows) > LIMIT:
        out.append(
            Problem(
                f"{message}（另有 {len(rows) - LIMIT:,} 行同样的问题，未逐行列出）",
                table.file,
                table.sheet,
                column=header,
            )
        )
    return out


def missing_columns(table: RawTable) -> list[Problem]:
    return [
        Problem(
            f"{table.spec.label}缺少必需的列",
            table.file,
            table.sheet,
            column=table.spec.header_of(key),
            expected=f"表头「{table.spec.header_of(key)}」",
        )
        for key in table.spec.required
        if key not in table.columns
    ]


def null_mask(arr: pa.Array) -> np.ndarray:
    return pc.is_null(arr).to_numpy(zero_copy_only=False)


def empty_mask(arr: pa.Array) -> np.ndarray:
    if pa.types.is_dictionary(arr.type):
        return empty_mask(arr.dictionary)[arr.indices.to_numpy(zero_copy_only=False)]
    return pc.fill_null(pc.equal(arr, ""), True).to_numpy(zero_copy_only=False)


def as_numpy(arr: pa.Array) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def _calls_one(table: RawTable) -> tuple[dict[str, object] | None, list[Problem]]:
    problems = missing_columns(table)
    if problems:
        return None, problems
    c, n = table.columns, table.rows
    text = {
        "call_id": pc.fill_null(as_strings(c["call_id"]), "") if "call_id" in c else pa.array([""] * n),
        "caller": to_text(c["caller"], ""),
        "agent_id": to_text_few(c["agent_id"]),
        "vendor": to_text_few(c["vendor"]),
    }
    queue, bad_q = to_time(c["queue_time"])
    connected, bad_c = to_flag(c["connected"])
    answer, bad_a = to_time(c["answer_time"])
    end, bad_e = (
        to_time(c["end_time"]) if "end_time" in c else (pa.nulls(n, pa.timestamp("ms")), np.zeros(n, bool))
    )
    talk, bad_t = (
        to_number(c["talk_seconds"]) if "talk_seconds" in c else (np.full(n, np.nan), np.zeros(n, bool))
    )
    expert, bad_x = (
        to_flag(c["expert_transfer"])
        if "expert_transfer" in c
        else (pa.nulls(n, pa.bool_()), np.zeros(n, bool))
    )
    no_queue = null_mask(queue) & ~bad_q  # a total line or a blank row has no queue time
    skip = total_rows(text, ("call_id", "caller", "agent_id", "vendor"), no_queue)
    skip |= no_queue & null_mask(connected) & ~bad_c & empty_mask(text["caller"]) & null_mask(answer) & ~bad_a
    is_conn = pc.fill_null(connected, False)
    q_ms, a_ms, e_ms = (as_numpy(pc.cast(x, pa.int64())) for x in (queue, answer, end))
    checks = [
        (
            bad_q | (null_mask(queue) & ~bad_q),
            "queue_time",
            "入队时间为空或无法识别",
            "日期时间，如 2024-06-01 09:30:00",
        ),
        (bad_c | (null_mask(connected) & ~bad_c), "connected", "是否接通无法识别", "是/否 或 1/0"),
        (
            as_numpy(is_conn) & null_mask(answer),
            "answer_time",
            "已接通的呼叫缺少接通时间或无法识别",
            "日期时间",
        ),
        (bad_a & ~as_numpy(is_conn), "answer_time", "接通时间无法识别", "日期时间或空白"),
        (
            ~null_mask(queue) & ~null_mask(answer) & (a_ms < q_ms),
            "answer_time",
            "接通时间早于入队时间",
            "不早于入队时间",
        ),
        (
            as_numpy(is_conn) & (empty_mask(text["agent_id"]) | empty_mask(text["vendor"])),
            "agent_id",
            "已接通的呼叫缺少坐席工号或外包公司",
            "坐席工号和外包公司",
        ),
        (bad_e, "end_time", "结束时间无法识别", "日期时间或空白"),
        (
            ~null_mask(end) & ~null_mask(answer) & (e_ms < a_ms),
            "end_time",
            "结束时间早于接通时间",
            "不早于接通时间",
        ),
        (bad_t | (talk < 0), "talk_seconds", "通话时长无法识别或为负数", "不小于 0 的秒数"),
        (bad_x, "expert_transfer", "转接专家席无法识别", "是/否 或 1/0"),
    ]
    drop = np.zeros(n, bool)
    for mask, key, message, expected in checks:
        mask = mask & ~skip
        if mask.any():
            problems += row_problems(table, mask, key, message, expected)
            drop |= mask
    keep = ~(drop | skip)
    derived = (e_ms - a_ms) / 1000.0
    talk = np.where(np.isnan(talk) & ~null_mask(end) & ~null_mask(answer), derived, talk)
    cols = {
        "call_id": text["call_id"],
        "caller": text["caller"],
        "queue_time": queue,
        "connected": is_conn,
        "answer_time": answer,
        "end_time": end,
        "agent_id": text["agent_id"],
        "vendor": text["vendor"],
        "talk_seconds": pa.array(talk, pa.float64()),
        "expert_transfer": pc.fill_null(expert, False),
        "row": pa.array(np.arange(table.first_row, table.first_row + n, dtype=np.int64)),
    }
    if keep.all():
        return cols, problems
    return {k: pc.filter(v, pa.array(keep)) for k, v in cols.items()}, problems


def build_calls(tables: Sequence[RawTable]) -> tuple[pd.DataFrame | None, list[Problem]]:
    """All 话务明细 sheets/files of a month as one canonical calls table."""
    if not tables:
        return None, []
    parts, problems, labels, used = [], [], [], []
    for table in tables:
        cols, found = _calls_one(table)
        problems += found
        if cols is not None:
            cols["source"] = pa.array(np.full(len(cols["row"]), len(labels), np.int32))
            labels.append(_unique(table.label, labels))
            used.append(table)
            parts.append(pa.table(cols))
    if not parts:
        return None, problems
    frame = pa.concat_tables(parts).unify_dictionaries().combine_chunks().to_pandas()
    problems += repeated_call_ids(frame, used)
    frame["source"] = pd.Categorical.from_codes(frame["source"].to_numpy(), categories=labels)
    return frame[list(CALL_COLUMNS)], problems


def _unique(label: str, taken: list[str]) -> str:
    """Two sources may share a name (the same file name in two folders): a category must not."""
    if label not in taken:
        return label
    return next(f"{label}（{n}）" for n in range(2, len(taken) + 3) if f"{label}（{n}）" not in taken)
