"""kpi.files.readers: a damaged .xls whose OLE2 sector chain loops is refused, not followed forever."""

from __future__ import annotations

import io

import pytest
import xlrd
from xlrd.compdoc import CompDocError

from kpi.files.readers import bound_ole_chains
from kpi.summary.reader import read_summary_bytes
from tests.paths import CORPUS

XLS = (CORPUS / "lo_title.xls").read_bytes()


def looping() -> bytes:
    """LibreOffice's .xls with one byte of its small-sector table set to 0 (what hypothesis found with
    --hypothesis-seed=4): a short stream's chain then points back to its own start."""
    data = bytearray(XLS)
    data[401124 % len(data)] = 0
    return bytes(data)


def test_a_looping_sector_chain_is_an_error_not_an_endless_read():
    bound_ole_chains()
    with pytest.raises(CompDocError, match="sector chain loops or leaves its table"):
        xlrd.open_workbook(
            file_contents=looping(), on_demand=True, formatting_info=True, logfile=io.StringIO()
        )


def test_the_damaged_file_is_one_located_problem():
    records, problems = read_summary_bytes(looping(), "损坏.xls")
    assert records == []
    assert [str(p) for p in problems] == [
        "文件「损坏.xls」：无法读取 Excel 文件（文件已损坏），应为在 Excel/WPS 中打开后另存为 .xlsx 再导入"
    ]


def test_an_intact_xls_still_reads():
    bound_ole_chains()
    book = xlrd.open_workbook(file_contents=XLS, on_demand=True, formatting_info=True, logfile=io.StringIO())
    assert book.nsheets >= 1
