"""Reading a workbook file into plain tables: rows of cells with their Excel row numbers.

This is the edge where files are opened. Small sheets (the summary, roster, exam) come through
here; the million-row call detail has its own columnar reader (kpi.detail).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kpi.cells import is_blank, norm_header, norm_text
from kpi.errors import Problem

TOTAL_MARKERS = ("合计", "总计", "小计", "total")
HEADER_SCAN_ROWS = 15
CALL_DETAIL_SHEET = re.compile(r"^话务明细\d*$")


@dataclass(frozen=True)
class Table:
    """One sheet's records below its header row."""

    file: str
    sheet: str
    header_row: int
    headers: tuple[str, ...]  # as written (NFKC, trimmed)
    rows: tuple[tuple[int, tuple[object, ...]], ...]  # (Excel row number, cells)


@dataclass(frozen=True)
class RawSheet:
    file: str
    name: str
    rows: tuple[tuple[object, ...], ...]


def read_sheets(path: str | Path, display: str | None = None) -> tuple[list[RawSheet], list[Problem]]:
    """Every sheet of an .xlsx or .csv file as raw rows; a file that cannot be read is a Problem."""
    path = Path(path)
    name = display or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [Problem(f"无法打开文件：{exc.strerror or exc}", file=name)]
    return read_sheets_bytes(data, name)


def read_sheets_bytes(data: bytes, name: str) -> tuple[list[RawSheet], list[Problem]]:
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name)
    if name.lower().endswith(".csv"):
        return _read_csv(data, name)
    return [], [Problem("不是可识别的表格文件", file=name, expected="Excel 工作簿（.xlsx）或 CSV 文件")]


def _read_xlsx(data: bytes, name: str) -> tuple[list[RawSheet], list[Problem]]:
    import openpyxl  # imported here: only the summary-size sheets need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the user's file, reported
        return [], [Problem(f"无法读取 Excel 文件（文件可能已损坏）：{type(exc).__name__}", file=name)]
    try:
        sheets = [
            RawSheet(name, ws.title, tuple(tuple(r) for r in ws.iter_rows(values_only=True)))
            for ws in book.worksheets
            if not CALL_DETAIL_SHEET.match(ws.title.strip())  # up to 1M rows: kpi.detail reads those
        ]
    finally:
        book.close()
    return sheets, []


def _read_csv(data: bytes, name: str) -> tuple[list[RawSheet], list[Problem]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], [Problem("CSV 文件编码无法识别", file=name, expected="UTF-8 或 GBK/GB18030 编码")]
    rows = tuple(tuple(r) for r in csv.reader(io.StringIO(text)))
    return [RawSheet(name, Path(name).stem, rows)], []


def find_sheet(sheets: list[RawSheet], names: Iterable[str]) -> RawSheet | None:
    """The sheet named like one of `names`; else the only sheet, if there is just one."""
    wanted = {norm_header(n) for n in names}
    for sheet in sheets:
        if norm_header(sheet.name) in wanted:
            return sheet
    return sheets[0] if len(sheets) == 1 else None


def to_table(sheet: RawSheet, known_headers: Iterable[str]) -> Table | None:
    """Find the header row (the first row naming at least 3 known headers) and the records below it.

    Blank rows are skipped; a row whose first cells say 合计/总计 ends the records.
    """
    known = {norm_header(h) for h in known_headers}
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        if sum(norm_header(c) in known for c in row if c is not None) >= min(3, len(known)):
            headers = tuple(norm_text(c) if c is not None else "" for c in row)
            return Table(sheet.file, sheet.name, index + 1, headers, tuple(_records(sheet.rows, index + 1)))
    return None


def _records(rows: tuple[tuple[object, ...], ...], start: int) -> Iterable[tuple[int, tuple[object, ...]]]:
    for offset, row in enumerate(rows[start:]):
        if all(is_blank(c) for c in row):
            continue
        if any(isinstance(c, str) and norm_text(c).lower() in TOTAL_MARKERS for c in row[:3]):
            break
        yield start + offset + 1, row
