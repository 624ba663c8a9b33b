"""Hostile and junk input: format sniffing, zip limits, XML entities, and fuzzing the readers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import defusedxml
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.errors import Problem
from kpi.files.cells import NoCachedValue
from kpi.files.safety import OLE_MAGIC, Limits, check_zip, sniff
from kpi.files.sheets import RawSheet, read_sheets_bytes
from kpi.summary.reader import read_summary_bytes, summary_from_sheets
from tests.paths import CORPUS
from tests.workbooks import HEADERS, LAUGHS, csv_bytes, rezip, row, two_rows, xlsx_bytes


def test_openpyxl_runs_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_defusedxml_is_the_second_line_of_defence():
    """Even past check_zip, openpyxl itself refuses the entity bomb (it does not expand it)."""
    data = rezip(xlsx_bytes(two_rows()), {"xl/worksheets/sheet1.xml": LAUGHS})
    with pytest.raises(Exception) as caught:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        list(book.active.iter_rows(values_only=True))
    chain, error = [], caught.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(e, defusedxml.DefusedXmlException) for e in chain), chain


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b"  \r\n", "empty"),
        (xlsx_bytes(two_rows()), "xlsx"),
        (OLE_MAGIC + b"\0" * 100, "xls"),
        (OLE_MAGIC + b"\0" * 100 + "EncryptionInfo".encode("utf-16-le"), "encrypted"),
        (b"%PDF-1.4", "pdf"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
        (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', "xml"),
        (b"\xff\xfea\x00,\x00", "text"),
        (csv_bytes(two_rows(), "gbk"), "text"),
        (b"\x00\x01\x02\x03" * 50, "binary"),
    ],
)
def test_sniff_decides_by_content(data: bytes, kind: str):
    assert sniff(data) == kind


def test_check_zip_accepts_an_ordinary_workbook():
    assert check_zip(xlsx_bytes(two_rows()), "ok.xlsx") == []


def test_check_zip_never_inflates_the_bomb():
    """Refusal comes from the central directory alone: it takes no time and no memory."""
    data = rezip(xlsx_bytes(two_rows()), {"xl/worksheets/sheet2.xml": b"<" * 50_000_000})
    problems = check_zip(data, "b.xlsx", Limits(max_uncompressed=1_000_000))
    assert [p.message for p in problems] == ["解压后体积过大（上限 1,000,000 字节）"]


def test_dimension_within_limit_reads():
    sheets, problems = read_sheets_bytes(xlsx_bytes(two_rows()), "x.xlsx", limits=Limits(max_cells=3 * 26))
    assert problems == [] and len(sheets[0].rows) == 3


def test_sheets_not_asked_for_are_listed_not_read():
    data = xlsx_bytes(two_rows(), extra={"话务明细": [["呼叫流水号"], *[[i] for i in range(100)]]})
    sheets, problems = read_sheets_bytes(data, "x.xlsx", only=("月度指标",))
    assert problems == []
    assert [(s.name, s.loaded, len(s.rows)) for s in sheets] == [
        ("月度指标", True, 3),
        ("话务明细", False, 0),
    ]


# ---- fuzzing: nothing escapes but the product's own Problems -------------------------------------

cell = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        ["合计", "#DIV/0!", "#N/A", "1", "100%", "2024-05", "12,345", "－３", "=1+1", " ", "\u00a0"]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.builds(NoCachedValue, st.text(max_size=8)),
)
junk_row = st.lists(cell, max_size=30)
header_row = st.lists(st.one_of(st.sampled_from(HEADERS), cell), max_size=30)


def _only_problems(result) -> None:
    records, problems = result
    assert isinstance(records, list) and isinstance(problems, list)
    assert all(isinstance(p, Problem) and str(p) for p in problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(junk_row, header_row, st.just(HEADERS), st.just(row())), max_size=12))
def test_junk_cells_give_only_problems(rows):
    _only_problems(
        summary_from_sheets([RawSheet("j.xlsx", "月度指标", tuple(tuple(r) for r in rows))], "j.xlsx")
    )


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([b"", OLE_MAGIC, b"PK\x03\x04", b"PK\x05\x06", b"\xff\xfe", b"\xef\xbb\xbf", b"<html>"]),
    st.binary(max_size=2000),
    st.sampled_from(["a.xlsx", "a.xls", "a.csv", "a"]),
)
def test_junk_bytes_give_only_problems(magic: bytes, data: bytes, name: str):
    _only_problems(read_summary_bytes(magic + data, name))


SEED_FILES = [
    xlsx_bytes(two_rows()),
    csv_bytes(two_rows(), "gbk"),
    (CORPUS / "lo_title.xls").read_bytes(),
    (CORPUS / "lo_title.xlsx").read_bytes(),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(range(len(SEED_FILES))),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
)
def test_damaged_real_files_give_only_problems(which: int, flips):
    data = bytearray(SEED_FILES[which])
    for position, value in flips:
        data[position % len(data)] = value
    _only_problems(read_summary_bytes(bytes(data), "damaged.xlsx"))


def test_zip_with_a_corrupt_deflate_stream():
    data = bytearray(xlsx_bytes(two_rows()))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename)
    data[start : start + 8] = b"\xff" * 8
    records, problems = read_summary_bytes(bytes(data), "z.xlsx")
    assert records == [] and len(problems) == 1 and problems[0].file == "z.xlsx"


def test_call_detail_sheets_are_never_read_here():
    data = xlsx_bytes(two_rows(), extra={"话务明细2": [["呼叫流水号"], [1]]})
    sheets, problems = read_sheets_bytes(data, "x.xlsx")
    assert problems == [] and [(s.name, s.loaded) for s in sheets] == [
        ("月度指标", True),
        ("话务明细2", False),
    ]
