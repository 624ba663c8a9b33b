"""Junk into the call-detail readers: nothing escapes but the product's own located Problems."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
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


@pytest.mark.parametrize(
    ("serial", "found"),
    [
        (2958465, "2958465.0"),  # Excel's last date (9999-12-31): no call's
        (-81175, "-81175.0"),  # a negative serial
        (18000, "18000.0"),  # 1949-04-12: before 1970, a misread cell, not a call
    ],
)
def test_a_time_far_outside_the_calls_years_is_a_located_problem(serial, found):
    """Hypothesis found these: Excel serials read as times beyond pandas' range crashed the measure."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "话务明细"
    ws.append(HEADERS)
    ws.append(["C1", "13800000001", serial, "是", "2024-06-03 10:00:10", "", "A1", "华信客服", 10, "否"])
    out = io.BytesIO()
    book.save(out)
    data = read_detail_bytes(out.getvalue(), "junk.xlsx")
    assert [str(p) for p in data.problems] == [
        f"文件「junk.xlsx」，工作表「话务明细」，第 2 行，「入队时间」列：入队时间为空或无法识别：发现「{found}」，"
        "应为日期时间，如 2024-06-01 09:30:00"
    ]
