"""The format readers behind kpi.files.sheets: .xlsx (openpyxl), .xls (xlrd) and text (CSV), each into RawSheets.

- .xlsx: openpyxl (read-only, through defusedxml), because it keeps error cells (#DIV/0!) and lets
  a formula with no cached result be told from a blank; python-calamine turns both into ''.
  A percent-formatted number comes back as percent text ("93.5%"), so a stored 1 shown as 100% is
  not ambiguous. The declared <dimension> is checked before reading, then ignored (it may lie), and
  the cells are counted while streaming.
- .xls: xlrd (keeps error cells too; an encrypted one is reported).
- text: UTF-16 with BOM (Excel's 'Unicode text'), UTF-8 (BOM or not), else GB18030, all strict;
  the delimiter (comma, tab, semicolon) from the first non-blank line.

A little over ~250 lines: the three readers share the cell count, the sheet choice and the problems
they report, which would otherwise be imported back and forth.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kpi.errors import Problem
from kpi.files.cells import NoCachedValue, norm_header
from kpi.files.safety import SAVE_AS, Limits, format_problem
from kpi.files.slim import slim_workbook


@dataclass(frozen=True)
class RawSheet:
    file: str
    name: str
    rows: tuple[tuple[object, ...], ...]  # rows[i] is Excel row i + 1
    hidden: bool = False
    loaded: bool = True  # False: listed only (not among the sheets asked for)


Result = tuple[list[RawSheet], list[Problem]]


def guard(reader, data: bytes, name: str, wanted: set[str] | None, limits: Limits) -> Result:
    try:
        return reader(data, name, wanted, limits)
    except Exception as exc:  # noqa: BLE001 - a file the library cannot parse is the user's file, reported
        text = str(exc).lower()
        if "encrypt" in text or "password" in text:
            return [], [format_problem("encrypted", name)]
        return [], [Problem("无法读取 Excel 文件（文件已损坏）", file=name, expected=SAVE_AS)]


CALL_DETAIL_SHEET = re.compile(r"^话务明细\d*$")  # up to 1M rows: kpi.detail.reader reads those


def _wants(title: str, wanted: set[str] | None, visible: int) -> bool:
    """Read this sheet? Never a call-detail sheet; else all, or those named like `wanted`, or the
    only visible sheet (whatever its name)."""
    if CALL_DETAIL_SHEET.match(title.strip()):
        return False
    key = norm_header(title)
    return wanted is None or visible == 1 or key in wanted or any(w in key for w in wanted)


def _cells_problem(name: str, sheet: str, cells: int, limits: Limits) -> Problem:
    return Problem(
        f"工作表范围过大（上限 {limits.max_cells:,} 个单元格）",
        file=name,
        sheet=sheet,
        value=f"{cells:,} 个单元格",
        expected="正常大小的工作表（疑似恶意构造的文件，拒绝读取）",
    )


def read_xlsx(data: bytes, name: str, wanted: set[str] | None, limits: Limits) -> Result:
    import openpyxl  # imported here: only the summary-size sheets need it

    # the streams are closed after: openpyxl's read-only sheets leave zip members open in reference
    # cycles that would hold the file's bytes until a garbage collection (through the detail read)
    data = slim_workbook(data, lambda title: bool(CALL_DETAIL_SHEET.match(title.strip())))
    streams = [io.BytesIO(data), io.BytesIO(data)]
    book = openpyxl.load_workbook(streams[0], read_only=True, data_only=True)
    formulas = None
    sheets, problems = [], []
    try:
        visible = sum(ws.sheet_state == "visible" for ws in book.worksheets)
        for ws in book.worksheets:
            hidden = ws.sheet_state != "visible"
            if not _wants(ws.title, wanted, visible):
                sheets.append(RawSheet(name, ws.title, (), hidden, loaded=False))
                continue
            declared = (ws.max_row or 0) * (ws.max_column or 0)
            if declared > limits.max_cells:
                problems.append(_cells_problem(name, ws.title, declared, limits))
                continue
            ws.reset_dimensions()  # a wrong <dimension> must not cut columns off
            rows = _xlsx_rows(ws.iter_rows(), limits)
            if rows is None:
                problems.append(_cells_problem(name, ws.title, limits.max_cells + 1, limits))
                continue
            if any(v is None for row in rows for v in row):
                formulas = formulas or openpyxl.load_workbook(streams[1], read_only=True, data_only=False)
                rows = _mark_uncached(rows, formulas[ws.title])
            sheets.append(RawSheet(name, ws.title, rows, hidden))
    finally:
        book.close()
        if formulas is not None:
            formulas.close()
        for stream in streams:
            stream.close()
    return sheets, problems


def _xlsx_rows(rows: Iterable, limits: Limits) -> tuple[tuple[object, ...], ...] | None:
    out, count = [], 0
    for row in rows:
        count += max(len(row), 1)
        if count > limits.max_cells:
            return None
        out.append(tuple(_xlsx_value(c) for c in row))
    return tuple(out)


def _xlsx_value(cell) -> object:
    value = cell.value
    if isinstance(value, float | int) and not isinstance(value, bool):
        if is_percent_format(getattr(cell, "number_format", "")):  # its meaning is not ambiguous
            return percent_text(value)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def is_percent_format(number_format: object) -> bool:
    """A number format that scales by 100: an unquoted, unescaped % ('0.0%', not '0.0"%"')."""
    text = re.sub(r'"[^"]*"|\\.', "", number_format) if isinstance(number_format, str) else ""
    return "%" in text


def percent_text(value: float | int) -> str:
    """A stored 0.93456 as '93.456%': exact (at Excel's 15 significant digits), whatever the cell shows."""
    if isinstance(value, float) and (value != value or abs(value) == float("inf")):
        return str(value)
    stored = Decimal(f"{value:.15g}") if isinstance(value, float) else Decimal(value)
    return f"{(stored * 100).normalize():f}%"


def _mark_uncached(rows: tuple[tuple[object, ...], ...], ws) -> tuple[tuple[object, ...], ...]:
    """Replace each None that is a formula in the file by NoCachedValue(formula)."""
    ws.reset_dimensions()
    marked = [list(r) for r in rows]
    for r, row in enumerate(ws.iter_rows()):
        if r >= len(marked):
            break
        for c, cell in enumerate(row):
            if c < len(marked[r]) and marked[r][c] is None and cell.data_type == "f":
                formula = (
                    cell.value if isinstance(cell.value, str) else getattr(cell.value, "text", "") or "="
                )
                marked[r][c] = NoCachedValue(str(formula))
    return tuple(tuple(r) for r in marked)


def bound_ole_chains() -> None:
    """Make xlrd refuse an OLE2 sector chain that loops. xlrd follows a short stream's chain (read
    through the small-sector table) without remembering where it has been, so a damaged .xls whose
    table points back into the chain made it append sectors until memory ran out (22 GB, found by
    tests/files/test_safety.py with --hypothesis-seed=4). Before xlrd follows a chain, walk it once:
    a chain longer than its table has no end. Installed once; xlrd's own code does the reading."""
    from xlrd import compdoc

    original = compdoc.CompDoc._get_stream
    if getattr(original, "kpi_bounded", False):
        return

    def get_stream(self, mem, base, sat, sec_size, start_sid, size=None, name="", seen_id=None):  # noqa: ANN001, ANN202
        sector, steps = start_sid, 0
        while sector >= 0:
            steps += 1
            if steps > len(sat) or sector >= len(sat):
                raise compdoc.CompDocError(f"OLE2 stream {name!r}: sector chain loops or leaves its table")
            sector = sat[sector]
        return original(self, mem, base, sat, sec_size, start_sid, size, name, seen_id)

    get_stream.kpi_bounded = True  # type: ignore[attr-defined]
    compdoc.CompDoc._get_stream = get_stream


def read_xls(data: bytes, name: str, wanted: set[str] | None, limits: Limits) -> Result:
    import xlrd

    bound_ole_chains()
    quiet = io.StringIO()  # xlrd reports damage on stdout by default; we report it as a Problem
    book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=True, logfile=quiet)
    sheets, problems = [], []
    try:
        names = book.sheet_names()
        visible = sum(book.sheet_by_index(i).visibility == 0 for i in range(len(names)))
        for i, title in enumerate(names):
            sheet = book.sheet_by_index(i)
            hidden = sheet.visibility != 0
            if not _wants(title, wanted, visible):
                sheets.append(RawSheet(name, title, (), hidden, loaded=False))
                continue
            if sheet.nrows * sheet.ncols > limits.max_cells:
                problems.append(_cells_problem(name, title, sheet.nrows * sheet.ncols, limits))
                continue
            rows = tuple(tuple(_xls_value(c, book) for c in sheet.row(r)) for r in range(sheet.nrows))
            sheets.append(RawSheet(name, title, rows, hidden))
    finally:
        book.release_resources()
    return sheets, problems


def _xls_value(cell, book) -> object:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_NUMBER and is_percent_format(_xls_format(book, cell.xf_index)):
        return percent_text(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#N/A")
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if isinstance(cell.value, float) and cell.value.is_integer() and abs(cell.value) < 2**53:
        return int(cell.value)
    return cell.value


def _xls_format(book, xf_index: int | None) -> str:
    try:
        return book.format_map[book.xf_list[xf_index].format_key].format_str
    except (AttributeError, IndexError, KeyError, TypeError):
        return ""


def decode_text(data: bytes) -> str | None:
    """Strict decoding: UTF-16 with BOM, UTF-8 (BOM or not), else GB18030; None if none fits."""
    encodings = ("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    return None


def read_csv(data: bytes, name: str, limits: Limits) -> Result:
    text = decode_text(data)
    if text is None:
        return [], [
            Problem("CSV 文件编码无法识别", file=name, expected="UTF-8 或 GBK/GB18030 编码的 CSV 文件")
        ]
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count) if any(d in first for d in ",\t;") else ","
    rows, count = [], 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            count += max(len(row), 1)
            if count > limits.max_cells:
                return [], [_cells_problem(name, Path(name).stem, count, limits)]
            rows.append(tuple(None if c.strip() == "" else c for c in row))
    except csv.Error as exc:
        return [], [csv_problem(exc, name, reader.line_num)]
    return [RawSheet(name, Path(name).stem, tuple(rows))], []


def csv_problem(exc: csv.Error, file: str, line: int) -> Problem:
    """A CSV file Python's csv module cannot split, located at its line (a cell over the module's
    field limit — 131,072 characters — is said so in Chinese)."""
    if "field larger than field limit" in str(exc):
        limit = csv.field_size_limit()
        return Problem(
            f"单元格内容过长（超过 {limit:,} 个字符）",
            file=file,
            row=line,
            expected=f"每个单元格不超过 {limit:,} 个字符的 CSV 文件",
        )
    return Problem(f"CSV 格式错误：{exc}", file=file, row=line, expected="规范的 CSV 文件")
