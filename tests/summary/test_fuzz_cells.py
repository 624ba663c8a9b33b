"""Fuzzing one summary cell at a time in a real 1-row workbook (openpyxl): whatever the cell holds, the
reader gives a value or located problems, never a traceback, and never takes long (issue 9)."""

from __future__ import annotations

import datetime as dt
import io
import math

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kpi.errors import Problem
from kpi.files.cells import is_blank
from kpi.summary.reader import read_summary_bytes, summary_notices
from tests.workbooks import HEADERS, KEYS, row

TRICKY = [
    "10²", "①⓪⓪", "1,0,0", "9,5%", "12,345", "1 234", "１２３", "－３", "+5", ".5", "5.", "1e5", "2e26",
    "合计", "小计", "汇总", "注：x", "备注", "Total", "华信\u200b客服", "\u00a0", "\ufeff7", "٣", "½",
    "#DIV/0!", "=1+1", "93.5%", "101%", "1", "0", "-0", "9" * 70, "2024-05", "2024年5月", "(5)",
]  # fmt: skip
cells = st.one_of(
    st.none(),
    st.sampled_from(TRICKY),
    st.text(max_size=20).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t)),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)),
)


def one_row_book(column: int, value: object) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "月度指标"
    ws.append(HEADERS)
    ws.append(row())
    ws.cell(row=2, column=column + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXAMPLES = []


@settings(max_examples=500, deadline=10_000, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(KEYS) - 1), cells)
def test_any_one_cell_gives_a_value_or_located_problems(column: int, value: object):
    EXAMPLES.append(1)
    records, problems = read_summary_bytes(one_row_book(column, value), "f.xlsx")
    assert all(isinstance(p, Problem) and p.file == "f.xlsx" and p.sheet == "月度指标" for p in problems)
    if problems:
        assert records == []
        # the row and the column, or the sheet when the row was skipped as a total or note line
        assert all((p.row == 2 and p.column) or p.message == "工作表没有数据行" for p in problems)
        return
    if not records:  # nothing read and nothing wrong: impossible
        raise AssertionError("no record and no problem")
    (record,) = records
    assert record.row == 2 and record.vendor and record.month
    if KEYS[column] not in ("month", "vendor") and value is not None:
        written_blank = isinstance(value, float) and not math.isfinite(value)  # openpyxl writes <v/>
        assert record.get(KEYS[column]) is not None or is_blank(value) or written_blank
    assert summary_notices(records) == []


def test_examples_were_run():
    """Run after the fuzz test (same module, in order): how many examples hypothesis tried."""
    print(f"fuzzed {len(EXAMPLES)} one-cell workbooks")
    assert len(EXAMPLES) >= 100
