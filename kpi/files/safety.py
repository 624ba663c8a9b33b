"""Deciding what a file is from its bytes, and refusing hostile files before anything expands them.

`sniff` names the format from the content (never the extension). `check_zip` (kpi.files.zips) checks
the zip's directory, what its entries really inflate to, and each XML part's prolog, so a zip bomb,
an XML entity bomb or a sheet claiming billions of cells is refused before any reader expands it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection
from dataclasses import dataclass

from kpi.disk import too_big as file_too_big
from kpi.errors import Problem
from kpi.files import zips

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")  # the OLE stream of an encrypted .xlsx


@dataclass(frozen=True)
class Limits:
    """What a file may claim before it is refused unread (configurable per call): the one place where
    every limit lives. A summary workbook is capped by its bytes; detail files (CSV, .xlsx) by what
    they hold — rows, columns, the length of a line — never by bytes, so a province's month of several
    million calls is read (raise `max_rows` with `kpi … --max-rows N` or the app's KPI_MAX_ROWS)."""

    max_bytes: int = 256 * 2**20  # a summary workbook file itself (not detail files)
    max_rows: int = 20_000_000  # data rows of one detail file or sheet
    max_columns: int = 1_000  # columns of a detail CSV file's header
    max_line_bytes: int = 2**20  # one line of a detail CSV file (pyarrow's block size)
    max_entries: int = 5_000  # zip entries
    max_uncompressed: int = 2 * 2**30  # declared total of all entries
    max_ratio: int = 200  # declared expansion of one entry larger than 1 MiB
    max_cells: int = 5_000_000  # the extent (rows × columns) of one sheet that is read
    # the extent of one call-detail sheet (kpi.files.extent): 1,048,576 rows × 64 columns
    max_detail_cells: int = 2**26


DEFAULT_LIMITS = Limits()


def sniff(data: bytes) -> str:
    """'xlsx' | 'xlsb' | 'ods' | 'zip' | 'encrypted' | 'xls' | 'html' | 'xml' | 'pdf' | 'binary' | 'text' | 'empty'."""
    if not data or data.isspace():  # as `not data.strip()`, without copying a large file
        return "empty"
    if data.startswith(ZIP_MAGICS):
        return _sniff_zip(data)
    if data.startswith(OLE_MAGIC):
        return "encrypted" if ENCRYPTED_STREAM in data else "xls"
    if data.startswith(b"%PDF"):
        return "pdf"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or b"<html" in head[:512]:
        return "html"
    if head.startswith(b"<?xml"):
        return "html" if b"<html" in head else "xml"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with BOM: Excel's 'Unicode text'
    sample = data[:65536]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 100:
        return "binary"
    return "text"


def _sniff_zip(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except Exception:  # noqa: BLE001 - a damaged zip is reported as such
        return "zip"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    return "zip"


FORMAT_PROBLEMS = {
    "empty": "文件是空的",
    "encrypted": "文件有密码保护（已加密），无法读取",
    "xlsb": "不支持 Excel 二进制工作簿（.xlsb）",
    "ods": "不支持 OpenDocument 表格（.ods）",
    "zip": "这是一个压缩包（zip），不是 Excel 工作簿，或文件已损坏",
    "html": "这是网页（HTML）文件，只是扩展名像 Excel",
    "xml": "这是 XML 文件（可能是 Excel 2003 XML 表格），不是 .xlsx 工作簿",
    "pdf": "这是 PDF 文件，不是表格",
    "binary": "不是可识别的表格文件",
}
SPREADSHEET = "Excel 工作簿（.xlsx/.xls）或 CSV 文件"
FORMAT_EXPECTED = {
    "encrypted": "去掉密码后另存为 .xlsx 再导入",
    "empty": SPREADSHEET,
    "binary": SPREADSHEET,
    "zip": SPREADSHEET,
    "pdf": SPREADSHEET,
}
SAVE_AS = "在 Excel/WPS 中打开后另存为 .xlsx 再导入"


WORKBOOK_KINDS = ("xlsx", "xls")


def is_workbook_head(head: bytes) -> bool:
    """Whether a file's first bytes are those of a zip or OLE container (a workbook, perhaps)."""
    return head.startswith(ZIP_MAGICS) or head.startswith(OLE_MAGIC)


def check_zip(
    data: bytes,
    file: str,
    limits: Limits = DEFAULT_LIMITS,
    inflate: bool = False,
    defer: Collection[str] = (),
) -> list[Problem]:
    """See kpi.files.zips.check_zip."""
    return zips.check_zip(data, file, limits, inflate, defer)


def too_big(name: str, size: int, limits: Limits) -> Problem:
    return file_too_big(name, size, limits.max_bytes)


def screen(
    data: bytes,
    name: str,
    limits: Limits = DEFAULT_LIMITS,
    inflate: bool = False,
    capped: bool = True,
    defer: Collection[str] = (),
) -> tuple[str, list[Problem]]:
    """What a file is (by content) and why it must not be read, before any reader touches it.

    Returns the kind ('xlsx', 'xls' or 'text' are readable) and the problems: too large, not a
    spreadsheet, encrypted, or a zip that claims too much. Every reader (summary and detail) calls this;
    `inflate`: for a reader that trusts no declared size (fastexcel), every entry is inflated and
    counted first (see kpi.files.zips). `capped` False: a detail file, limited by its rows instead.
    `defer`: entries the caller checks itself, in its own pass (kpi.files.zips.checked_entry).
    """
    if capped and len(data) > limits.max_bytes:
        return "", [too_big(name, len(data), limits)]
    kind = sniff(data)
    if kind == "xlsx":
        return kind, check_zip(data, name, limits, inflate, defer)
    if kind in ("xls", "text"):
        return kind, []
    return kind, [format_problem(kind, name)]


def format_problem(kind: str, file: str) -> Problem:
    return Problem(FORMAT_PROBLEMS[kind], file=file, expected=FORMAT_EXPECTED.get(kind, SAVE_AS))
