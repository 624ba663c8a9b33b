"""The zip checks: the whole prolog of every part, and (before fastexcel) what is really inflated."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from kpi.detail.reader import detail_sheets, read_detail
from kpi.files.safety import DEFAULT_LIMITS, Limits
from kpi.files.zips import Prolog, check_zip, xlsx_sheet_names
from tests.workbooks import LAUGHS, lying_sizes, rezip, two_rows, xlsx_bytes

DETAIL = [
    ["主叫号码", "入队时间", "是否接通", "接通时间", "坐席工号", "外包公司"],
    ["138", "2024-05-10 10:00:00", "是"],
]


def both() -> bytes:
    return xlsx_bytes(two_rows(), extra={"话务明细": DETAIL})


def test_an_honest_workbook_passes_both_ways():
    for inflate in (False, True):
        assert check_zip(both(), "ok.xlsx", DEFAULT_LIMITS, inflate) == []


def test_lying_sizes_are_caught_by_inflating_before_fastexcel():
    data = lying_sizes(both(), "xl/worksheets/sheet2.xml")
    declared = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet2.xml").file_size
    (problem,) = check_zip(data, "lie.xlsx", DEFAULT_LIMITS, inflate=True)
    assert str(problem) == (
        f"文件「lie.xlsx」：压缩包内文件解压后比声明的大（xl/worksheets/sheet2.xml 声明 {declared:,} 字节）："
        f"发现「超过 {declared:,} 字节」，应为正常的 Excel 工作簿（疑似恶意构造的文件，拒绝读取）"
    )


def test_the_detail_reader_lists_sheets_without_fastexcel_and_refuses_the_lie(tmp_path: Path):
    path = tmp_path / "lie.xlsx"
    path.write_bytes(lying_sizes(both(), "xl/worksheets/sheet2.xml"))
    assert detail_sheets(path) == ["话务明细"]  # from xl/workbook.xml through zipfile
    assert [p.message for p in read_detail(path).problems] == [
        "压缩包内文件解压后比声明的大（xl/worksheets/sheet2.xml 声明 "
        f"{zipfile.ZipFile(path).getinfo('xl/worksheets/sheet2.xml').file_size:,} 字节）"
    ]


def test_actual_total_over_the_cap_is_refused_while_inflating():
    data = both()
    real = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    limits = Limits(max_uncompressed=real - 1)
    (problem,) = check_zip(data, "x.xlsx", limits, inflate=True)
    assert problem.message == f"解压后体积过大（上限 {real - 1:,} 字节）"


def test_doctype_after_any_comment_or_instruction_is_found():
    for prolog in (b"", b"<!--" + b"x" * 100_000 + b"-->", b"<?pi " + b"y" * 5000 + b"?>\n  <!-- a --> "):
        part = LAUGHS.replace(b"?>", b"?>" + prolog, 1)
        data = rezip(xlsx_bytes(two_rows()), {"xl/worksheets/sheet1.xml": part})
        for inflate in (False, True):
            assert [p.message for p in check_zip(data, "d.xlsx", DEFAULT_LIMITS, inflate)] == [
                "XML 中含有实体声明（xl/worksheets/sheet1.xml），拒绝读取"
            ]


def test_prolog_scanner_chunk_by_chunk():
    text = b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- -- > not the end -->\n<!DOCTYPE x>'
    scanner = Prolog()
    verdicts = [scanner.feed(text[i : i + 1]) for i in range(len(text))]
    decided = text.index(b"<!DOCTYPE") + 3  # "<!DO": no comment, so a declaration
    assert set(verdicts[:decided]) == {None} and verdicts[decided] is True
    assert Prolog().feed(b'<?xml version="1.0"?><worksheet><!DOCTYPE') is False
    assert Prolog().feed("<?xml version='1.0'?><!DOCTYPE x>".encode("utf-16")) is True


def test_sheet_names_from_the_workbook_part():
    data = xlsx_bytes(two_rows(), sheet='A&B "1"', extra={"话务明细": DETAIL})
    assert xlsx_sheet_names(data) == ['A&B "1"', "话务明细"]
    assert xlsx_sheet_names(b"not a zip") is None
