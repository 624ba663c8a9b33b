"""Files into raw sheets and tables: row numbers, formats, encodings, sheet choice, header finding."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kpi.files.cells import NoCachedValue
from kpi.files.readers import is_percent_format
from kpi.files.sheets import (
    RawSheet,
    Skipped,
    decode_text,
    find_sheet,
    is_note,
    is_total,
    read_sheets,
    read_sheets_bytes,
    to_table,
)
from tests.paths import CORPUS
from tests.workbooks import HEADERS, rezip, row, two_rows, xlsx_bytes


def sheet(*rows, name="月度指标", hidden=False) -> RawSheet:
    return RawSheet("f.xlsx", name, tuple(tuple(r) for r in rows), hidden)


def test_rows_keep_excel_row_numbers_when_data_starts_lower():
    book = openpyxl.Workbook()
    book.active["C5"] = "x"
    book.active["D7"] = 3
    out = io.BytesIO()
    book.save(out)
    sheets, _ = read_sheets_bytes(out.getvalue(), "q.xlsx")
    assert sheets[0].rows[4] == (None, None, "x") and sheets[0].rows[6] == (None, None, None, 3)


def test_a_wrong_dimension_does_not_cut_columns_off():
    data = xlsx_bytes(two_rows())
    part = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    data = rezip(data, {"xl/worksheets/sheet1.xml": part.replace(b'ref="A1:Z3"', b'ref="A1:B2"')})
    sheets, problems = read_sheets_bytes(data, "d.xlsx")
    assert problems == [] and len(sheets[0].rows) == 3 and len(sheets[0].rows[2]) == len(HEADERS) - 2


def test_percent_formatted_numbers_read_as_percent_text():
    data = xlsx_bytes(
        [row(audit_pass_rate=1), row(audit_pass_rate=0.93456)], formats={"V2": "0%", "V3": "0.0%"}
    )
    rows = read_sheets_bytes(data, "p.xlsx")[0][0].rows
    assert (rows[1][21], rows[2][21]) == ("100%", "93.456%")


def test_formula_without_cached_value_is_marked_formula_with_value_is_not():
    data = xlsx_bytes([["=1+1", None, 5]])
    assert read_sheets_bytes(data, "f.xlsx")[0][0].rows[1] == (NoCachedValue("=1+1"), None, 5)
    lo = read_sheets_bytes((CORPUS / "lo_title.xlsx").read_bytes(), "lo_title.xlsx")[0]
    assert lo[0].rows[3][3] == 51688  # =50000+1688, cached by LibreOffice


def test_hidden_sheets_are_flagged_in_xlsx_and_xls():
    for name in ("lo_title.xlsx", "lo_title.xls"):
        sheets, _ = read_sheets_bytes((CORPUS / name).read_bytes(), name)
        assert [(s.name, s.hidden) for s in sheets] == [("月度指标", False), ("旧数据", True)]


def test_missing_file_is_a_problem(tmp_path: Path):
    sheets, problems = read_sheets(tmp_path / "nope.xlsx")
    assert sheets == [] and str(problems[0]) == "文件「nope.xlsx」：找不到文件"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("华信客服".encode("utf-8-sig"), "华信客服"),
        ("华信客服".encode(), "华信客服"),
        ("华信客服".encode("gbk"), "华信客服"),
        ("䶮€".encode("gb18030"), "䶮€"),
        ("华信".encode("utf-16"), "华信"),
        (b"caf\xe9,1", None),
        (b"a\x00b", None),
    ],
)
def test_decode_text_is_strict(data: bytes, text: str | None):
    assert decode_text(data) == text


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters(delimiter: str):
    data = (
        delimiter.join(["月份", "外包公司", "接通量"]).encode()
        + b"\n"
        + delimiter.join(["2024-05", "A", "1"]).encode()
    )
    assert read_sheets_bytes(data, "x.csv")[0][0].rows == (
        ("月份", "外包公司", "接通量"),
        ("2024-05", "A", "1"),
    )


def test_csv_quoted_newline_keeps_record_numbering():
    data = '月份,外包公司,接通量\n2024-05,"华信\n客服",1\n2024-05,B,2\n'.encode()
    rows = read_sheets_bytes(data, "x.csv")[0][0].rows
    assert rows[2] == ("2024-05", "B", "2")


def test_csv_broken_quoting_is_located():
    data = b'a,b\n"x\x00y",1\n'
    assert read_sheets_bytes(data, "bad.csv")[1][0].file == "bad.csv"


def test_find_sheet_prefers_visible_exact_then_containing_then_only_visible():
    visible, hidden = sheet(name="月度指标"), sheet(name="月度指标", hidden=True)
    assert find_sheet([hidden, visible], ["月度指标"]) is visible
    assert find_sheet([hidden], ["月度指标"]) is hidden
    named = sheet(name="5月 月度指标")
    assert find_sheet([sheet(name="说明"), named], ["月度指标"]) is named
    only = sheet(name="Sheet1")
    assert find_sheet([only, sheet(name="lists", hidden=True)], ["月度指标"]) is only
    assert find_sheet([sheet(name="a"), sheet(name="b")], ["月度指标"]) is None


def test_to_table_title_blank_total_and_note_rows():
    raw = sheet(
        ["2024年5月外包考核数据"],
        [],
        ["月份", "外包公司", "接通量"],
        ["2024-05", "A", 1],
        [None, " ", None],
        ["2024-05", "B", 2],
        ["合 计：", None, 3],
        ["2024-05", "C", 4],
    )
    table = to_table(raw, ["月份", "外包公司", "接通量"])
    assert table.header_row == 3 and table.title == ("2024年5月外包考核数据",)
    assert [(n, r[1]) for n, r in table.rows] == [(4, "A"), (6, "B"), (8, "C")]  # nothing after 合计 lost
    assert table.skipped == (Skipped(7, "total", "合 计："),)
    noted = sheet(
        ["月份", "外包公司", "接通量"],
        ["2024-05", "A", 1],
        ["备注：来自 ACD"],
        ["x", "y", "z"],
        ["月份", "外包公司", "接通量"],
        [None, "华信客服小计", 5],
    )
    table = to_table(noted, ["月份", "外包公司", "接通量"])
    assert [n for n, _ in table.rows] == [2, 4]
    assert table.skipped == (
        Skipped(3, "note", "备注：来自 ACD"),
        Skipped(5, "header", "月份"),
        Skipped(6, "total", "华信客服小计"),
    )


@pytest.mark.parametrize(
    "text",
    [
        "合计",
        "合 计：",
        "合计（4家）",
        "5月合计",
        "华信客服小计",
        "汇总",
        "总计:",
        "Total",
        "SUBTOTAL",
        "平均值",
    ],
)
def test_is_total(text: str):
    assert is_total(text)


@pytest.mark.parametrize("text", ["华信客服", "汇总科技", "合计数", "2024-05", "totally", "summary", "51688"])
def test_is_not_total(text: str):
    assert not is_total(text)


@pytest.mark.parametrize(
    "text", ["注：数据来自 ACD", "注1. x", "备注", "说明:", "制表人：张三", "※注", "Note: x"]
)
def test_is_note(text: str):
    assert is_note(text)


@pytest.mark.parametrize("text", ["注册客服", "说明书科技", "华信客服", "notebook", "2024-05"])
def test_is_not_note(text: str):
    assert not is_note(text)


def test_to_table_header_must_be_in_the_first_15_rows():
    raw = sheet(*([["x"]] * 15), ["月份", "外包公司", "接通量"], ["2024-05", "A", 1])
    assert to_table(raw, ["月份", "外包公司", "接通量"]) is None


@pytest.mark.parametrize(
    ("number_format", "percent"),
    [("0%", True), ("0.0%", True), ('0.0"%"', False), ("0.0\\%", False), ("General", False), (None, False)],
)
def test_is_percent_format(number_format, percent: bool):
    assert is_percent_format(number_format) is percent


def test_literal_percent_sign_is_not_scaled():
    data = xlsx_bytes([row(audit_pass_rate=93.5)], formats={"V2": '0.0"%"'})
    assert read_sheets_bytes(data, "p.xlsx")[0][0].rows[1][21] == 93.5
