"""A sheet or file as read (RawTable), and the helpers that locate its bad rows in messages.

The canonical calls table built from it (kpi.detail.calls), one row per queue entry,
pandas with Arrow-backed strings:
call_id str, caller str ("" when empty/withheld), queue_time / answer_time / end_time
datetime64[ms], connected bool, agent_id and vendor str categoricals, talk_seconds float (NaN when unknown),
expert_transfer bool, queue str categorical ("" when not given), transferred bool (the call ended in a
transfer), source category ("file" or "file!sheet"), row int (Excel row / CSV line).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kpi.detail.columns import TableSpec
from kpi.detail.source import ReadOptions
from kpi.errors import Problem, show_value

LIMIT = 10  # located problems listed per kind and sheet; the rest are counted
CALL_COLUMNS = (
    "call_id", "caller", "queue_time", "connected", "answer_time", "end_time",
    "agent_id", "vendor", "talk_seconds", "expert_transfer", "queue", "transferred", "source", "row",
)  # fmt: skip


@dataclass(frozen=True)
class RawTable:
    """One sheet or CSV file as read: columns by key, and the Excel row of its first data row."""

    spec: TableSpec
    file: str
    sheet: str
    first_row: int
    columns: dict[str, pa.Array]
    options: ReadOptions = ReadOptions()
    lines: np.ndarray | None = None  # each row's line in the file, when rows are not consecutive lines
    typed: frozenset[str] = frozenset()  # time columns read as times at parse time (quoted as their time)

    def line(self, i: int) -> int:
        return int(self.lines[i]) if self.lines is not None else self.first_row + int(i)

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
        # each cell was `YYYY-MM-DD hh:mm:ss` or empty (times.common_times; for a CSV whose first rows are,
        # a later cell of another ISO shape, '2024-06-10 10:07', is quoted as its time '2024-06-10 10:07:00')
        if key in self.typed:
            return "" if scalar.as_py() is None else str(scalar.as_py())
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
        Problem(message, table.file, table.sheet, table.line(i), header, table.raw(key, i), expected)
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
