"""Junk into the call-detail readers: nothing escapes but the product's own located Problems."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.detail.measure import measure_detail
from kpi.detail.reader import DetailData, read_detail_bytes
from kpi.errors import Problem
from kpi.files.safety import OLE_MAGIC
from tests.detail.test_reader import HEADERS

cell = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),  # what a sheet can hold
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["是", "否", "1", "0", "#N/A", "=1+1", "2024-06-10 10:00:00", "13800000001", "华信客服"]),
)
rows = st.lists(st.lists(cell, min_size=0, max_size=12), max_size=8)


def only_problems(data: DetailData) -> None:
    assert isinstance(data, DetailData)
    assert all(isinstance(p, Problem) and str(p) for p in data.problems)
    if not data.problems and data.calls is not None:
        measure_detail(data)  # what was accepted can be measured


def workbook(sheet_rows: list[list[object]], sheet: str) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(HEADERS)
    for r in sheet_rows:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.sampled_from(["话务明细", "坐席名册", "考试成绩"]))
def test_junk_cells_in_detail_sheets_give_only_problems(sheet_rows, sheet):
    only_problems(read_detail_bytes(workbook(sheet_rows, sheet), "junk.xlsx"))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [b"", OLE_MAGIC, b"PK\x03\x04", b"\xff\xfe", b"\xef\xbb\xbf", "主叫号码,入队时间\n".encode()]
    ),
    st.binary(max_size=1500),
    st.sampled_from(["a.xlsx", "a.csv", "a"]),
)
def test_junk_bytes_give_only_problems(magic: bytes, data: bytes, name: str):
    only_problems(read_detail_bytes(magic + data, name))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cell.map(lambda v: "" if v is None else str(v)), max_size=10), max_size=8))
def test_junk_csv_text_gives_only_problems(lines):
    text = (
        ",".join(HEADERS)
        + "\n"
        + "\n".join(",".join(c.replace(",", " ").replace("\n", " ") for c in r) for r in lines)
    )
    only_problems(read_detail_bytes(text.encode("utf-8"), "junk.csv"))
