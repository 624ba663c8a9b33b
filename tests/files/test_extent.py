"""A detail sheet whose cells span too far is refused before fastexcel allocates the rectangle."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

from kpi.files.extent import Extent, sheet_extent
from tests.builders import SPEC_EXAMPLE, write_summary

HEADER = ["主叫号码", "入队时间", "是否接通", "接通时间", "坐席工号", "外包公司"]
ROW = ["13800000001", "2024-05-10 10:00:00", "是", "2024-05-10 10:00:10", "J1", "甲公司"]
FAR = "文件「{}」，工作表「话务明细」：工作表范围过大（上限 67,108,864 个单元格）：发现「{}」，应为只含话务数据的工作表（删去远处的单元格，或另存为 CSV 再导入；疑似恶意构造的文件，拒绝读取）"


def far_workbook(path: Path, cell: str = "XFD1048576", summary: bool = True) -> Path:
    """The spec's summary plus a 话务明细 sheet: a header, one row and one cell far away (openpyxl)."""
    if summary:
        write_summary(path, [SPEC_EXAMPLE])
        book = openpyxl.load_workbook(path)
    else:
        book = openpyxl.Workbook()
        book.remove(book.active)
    sheet = book.create_sheet("话务明细")
    sheet.append(HEADER)
    sheet.append(ROW)
    sheet[cell] = "x"
    book.save(path)
    return path


def rewrite_sheet(path: Path, member: str, change) -> Path:
    """The same workbook with one zip member's XML changed (what other writers produce)."""
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def kpi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kpi.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_a_far_cell_in_the_detail_is_refused_by_the_cli_not_an_abort(tmp_path: Path):
    book = far_workbook(tmp_path / "far.xlsx")
    for command in ("score", "reconcile", "agents"):
        done = kpi(command, str(book))
        assert done.returncode == 1, (command, done.returncode, done.stderr[-500:])
        assert done.stderr.splitlines()[1] == "  1. " + FAR.format(
            "far.xlsx", "1,048,576 行 × 16,384 列 = 17,179,869,184 个单元格"
        )


def test_a_far_cell_in_a_detail_file_given_with_detail(tmp_path: Path):
    summary = write_summary(tmp_path / "m.xlsx", [SPEC_EXAMPLE])
    detail = far_workbook(tmp_path / "明细.xlsx", "XFD70000", summary=False)
    done = kpi("score", str(summary), "--detail", str(detail))
    assert done.returncode == 1, done.stderr[-500:]
    assert done.stderr.splitlines()[1] == "  1. " + FAR.format(
        "明细.xlsx", "70,000 行 × 16,384 列 = 1,146,880,000 个单元格"
    )


def test_a_wide_sheet_under_the_limit_is_still_read(tmp_path: Path):
    """703 columns × 999,999 rows is only the fast bound; the exact walk finds 70,000 × 703."""
    summary = write_summary(tmp_path / "m.xlsx", [SPEC_EXAMPLE])
    detail = far_workbook(tmp_path / "明细.xlsx", "AAA70000", summary=False)
    assert sheet_extent(detail, "话务明细") == Extent(999_999, 703, exact=False)
    assert sheet_extent(detail, "话务明细", exact=True) == Extent(70_000, 703)
    done = kpi("score", str(summary), "--detail", str(detail))
    assert done.returncode == 0, done.stderr[-500:]


def test_a_lying_dimension_and_cells_without_r_are_still_measured(tmp_path: Path):
    book = far_workbook(tmp_path / "lie.xlsx", summary=False)
    rewrite_sheet(
        book, "xl/worksheets/sheet1.xml", lambda x: x.replace(b'ref="A1:XFD1048576"', b'ref="A1:F2"')
    )
    assert sheet_extent(book, "话务明细") == Extent(1_048_576, 16_384, exact=False)
    # rows without r follow the previous row, cells without r the previous cell (as calamine places them)
    rowless = b"<row/>" * 3000 + b"<row>" + b"<c><v>1</v></c>" * 100 + b"</row>"
    rewrite_sheet(
        book,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(b"</sheetData>", rowless + b"</sheetData>").replace(
            b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>', b""
        ),
    )
    assert sheet_extent(book, "话务明细") == Extent(3003, 100)
    # single quotes and a namespace prefix are read as a parser reads them
    quoted = b"<x:row r='9'><x:c r='ZZ9'><x:v>1</x:v></x:c></x:row>"
    rewrite_sheet(
        book, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"</sheetData>", quoted + b"</sheetData>")
    )
    assert sheet_extent(book, "话务明细").columns == 702


def test_empty_formatted_cells_far_away_are_not_data(tmp_path: Path):
    book = far_workbook(tmp_path / "styled.xlsx", summary=False)
    rewrite_sheet(
        book,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(
            b'<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>', b'<c r="XFD1048576" s="0"/>'
        ),
    )
    assert sheet_extent(book, "话务明细", exact=True) == Extent(2, 6)


def test_an_uploaded_far_cell_workbook_is_refused_from_its_bytes(tmp_path: Path):
    """The app reads uploads from bytes: the same check, before fastexcel sees them."""
    from kpi.detail.reader import read_detail_uploads

    data = far_workbook(tmp_path / "far.xlsx").read_bytes()
    found = read_detail_uploads([(data, "上传.xlsx")])
    assert found.calls is None
    assert [str(p) for p in found.problems] == [
        FAR.format("上传.xlsx", "1,048,576 行 × 16,384 列 = 17,179,869,184 个单元格")
    ]
