"""The workbook openpyxl reads the summary from, when a large call detail shares its strings table
(kpi.files.slim): the same summary sheets, cell for cell, from a table cut to their strings."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter

import kpi.files.slim as slim
from kpi.files.sheets import read_sheets_bytes
from kpi.files.slim import slim_workbook
from tests.workbooks import HEADERS, rezip, two_rows

TABLE = "xl/sharedStrings.xml"


def _book() -> bytes:
    """xlsxwriter's workbook (strings in a shared table, as Excel writes them): the summary, a 话务明细
    of 2,000 distinct strings and one the summary shares (华信客服), and a 坐席名册 read with it."""
    sheets = {
        "月度指标": [HEADERS, *two_rows()],
        "话务明细": [["呼叫流水号", "外包公司"], *([f"C{i:05d}", "华信客服"] for i in range(2000))],
        "坐席名册": [["坐席工号", "姓名", "外包公司"], ["HX1", "张三", "华信客服"]],
    }
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True}) as book:
        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            for i, row in enumerate(rows):
                sheet.write_row(i, 0, row)
    return out.getvalue()


def _items(data: bytes) -> list[bytes]:
    return re.findall(rb"<si>.*?</si>", zipfile.ZipFile(io.BytesIO(data)).read(TABLE), flags=re.S)


def _values(data: bytes, sheet: str) -> list[tuple[object, ...]]:
    return list(openpyxl.load_workbook(io.BytesIO(data), read_only=True)[sheet].values)


def _is_detail(name: str) -> bool:
    return name == "话务明细"


def test_the_summary_sheets_keep_their_values_from_a_cut_table(monkeypatch):
    monkeypatch.setattr(slim, "SLIM_FROM", 0)
    data = _book()
    cut = slim_workbook(data, _is_detail)
    assert len(_items(data)) > 2000
    strings = {
        v for sheet in ("月度指标", "坐席名册") for r in _values(data, sheet) for v in r if isinstance(v, str)
    }
    assert len(_items(cut)) == len(strings) < 60  # only the strings the two sheets hold
    for sheet in ("月度指标", "坐席名册"):
        assert _values(cut, sheet) == _values(data, sheet)
    assert _values(cut, "话务明细") == []  # emptied
    assert _values(data, "月度指标")[0] == tuple(HEADERS)


def test_the_summary_read_is_the_same_with_the_cut_table(monkeypatch):
    data = _book()
    whole = read_sheets_bytes(data, "月报.xlsx")
    monkeypatch.setattr(slim, "SLIM_FROM", 0)
    cut = read_sheets_bytes(data, "月报.xlsx")
    assert cut == whole and [s.name for s in cut[0]] == ["月度指标", "话务明细", "坐席名册"]
    assert [s.loaded for s in cut[0]] == [True, False, True]


def _past_the_table(data: bytes) -> bytes:
    """A summary cell pointing past the end of the strings table."""
    part = "xl/worksheets/sheet1.xml"
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    return rezip(data, {part: re.sub(rb'(t="s"[^>]*><v>)[0-9]+', rb"\g<1>999999", xml, count=1)})


def _prefixed(data: bytes) -> bytes:
    table = zipfile.ZipFile(io.BytesIO(data)).read(TABLE)
    return rezip(data, {TABLE: table.replace(b"<si>", b"<x:si>").replace(b"</si>", b"</x:si>")})


@pytest.mark.parametrize(
    ("change", "drop", "small"),
    [
        (None, _is_detail, True),  # a table under SLIM_FROM
        (None, lambda name: False, False),  # no sheet dropped
        (_past_the_table, _is_detail, False),
        (_prefixed, _is_detail, False),
    ],
    ids=["small-table", "nothing-dropped", "index-past-the-table", "prefixed-xml"],
)
def test_a_workbook_it_does_not_recognise_is_left_as_it_is(monkeypatch, change, drop, small):
    if not small:
        monkeypatch.setattr(slim, "SLIM_FROM", 0)
    data = _book() if change is None else change(_book())
    assert slim_workbook(data, drop) is data


def test_a_workbook_without_a_strings_table_is_left_as_it_is(tmp_path, monkeypatch):
    from scripts.make_call_detail import make_detail, write_xlsx

    monkeypatch.setattr(slim, "SLIM_FROM", 0)
    write_xlsx(make_detail(rows=500, agents=20, seed=1), tmp_path / "明细.xlsx")  # text in its cells
    data = (tmp_path / "明细.xlsx").read_bytes()
    assert slim_workbook(data, _is_detail) is data
