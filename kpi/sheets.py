"""Reading a workbook file into plain tables: rows of cells with their Excel row numbers.

This is the edge where files are opened; what a file is comes from its bytes (kpi.safety.sniff),
never its extension. Small sheets (the summary, roster, exam) come through here; the million-row
call detail has its own columnar reader (kpi.detail).

- .xlsx: openpyxl (read-only, through defusedxml), because it keeps error cells (#DIV/0!) and lets
  a formula with no cached result be told from a blank; python-calamine turns both into ''.
  Sheets not asked for (`only`) are listed but not read, so a big detail sheet costs nothing here.
- .xls: xlrd (keeps error cells too; an encrypted one is reported).
- .csv / Excel 'Unicode text': UTF-8 (BOM or not), UTF-16 with BOM, else GB18030, all strict.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kpi.cells import NoCachedValue, is_blank, norm_header, norm_text
from kpi.errors import Problem
from kpi.safety import DEFAULT_LIMITS, SAVE_AS, Limits, check_zip, format_problem, sniff

TOTAL_MARKERS = ("合计", "总计", "小计", "总合计", "total")
END_MARKERS = ("备注", "注:", "说明:", "制表", "填表", "审核人")
HEADER_SCAN_ROWS = 15


@dataclass(frozen=True)
class Table:
    """One sheet's records below its header row."""

    file: str
    sheet: str
    header_row: int
    headers: tuple[str, ...]  # as written (NFKC, trimmed)
    rows: tuple[tuple[int, tuple[object, ...]], ...]  # (Excel row number, cells)
    title: tuple[str, ...] = ()  # text of the cells above the header row


@dataclass(frozen=True)
class RawSheet:
    file: str
    name: str
    rows: tuple[tuple[object, ...], ...]  # rows[i] is Excel row i + 1
    hidden: bool = False
    loaded: bool = True  # False: listed only (not among the sheets asked for)


Result = tuple[list[RawSheet], list[Problem]]


def read_sheets(
    path: str | Path,
    display: str | None = None,
    only: Iterable[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Result:
    """Every sheet of a workbook or CSV file as raw rows; a file that cannot be read is a Problem."""
    path = Path(path)
    name = display or path.name
    try:
        if path.stat().st_size > limits.max_bytes:
            return [], [_too_big(name, path.stat().st_size, limits)]
        data = path.read_bytes()
    except OSError as exc:
        return [], [Problem(f"无法打开文件：{exc.strerror or exc}", file=name)]
    return read_sheets_bytes(data, name, only, limits)


def read_sheets_bytes(
    data: bytes, name: str, only: Iterable[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> Result:
    """As read_sheets, on a file's bytes (an upload). `only`: names of the sheets to read."""
    if len(data) > limits.max_bytes:
        return [], [_too_big(name, len(data), limits)]
    kind = sniff(data)
    wanted = None if only is None else {norm_header(n) for n in only}
    if kind == "xlsx":
        problems = check_zip(data, name, limits)
        return ([], problems) if problems else _guard(_read_xlsx, data, name, wanted, limits)
    if kind == "xls":
        return _guard(_read_xls, data, name, wanted, limits)
    if kind == "text":
        return _read_csv(data, name, limits)
    return [], [format_problem(kind, name)]


def _too_big(name: str, size: int, limits: Limits) -> Problem:
    return Problem(f"文件过大（上限 {limits.max_bytes:,} 字节）", file=name, value=f"{size:,} 字节")


def _guard(reader, data: bytes, name: str, wanted: set[str] | None, limits: Limits) -> Result:
    try:
        return reader(data, name, wanted, limits)
    except Exception as exc:  # noqa: BLE001 - a file the library cannot parse is the user's file, reported
        text = str(exc).lower()
        if "encrypt" in text or "password" in text:
            return [], [format_problem("encrypted", name)]
        return [], [
            Problem(f"无法读取 Excel 文件（文件已损坏）：{type(exc).__name__}", file=name, expected=SAVE_AS)
        ]


def _wants(title: str, wanted: set[str] | None, visible: int) -> bool:
    return (
        wanted is None
        or visible == 1
        or norm_header(title) in wanted
        or any(w in norm_header(title) for w in wanted)
    )


def _cells_problem(name: str, sheet: str, cells: int, limits: Limits) -> Problem:
    return Problem(
        f"工作表范围过大（上限 {limits.max_cells:,} 个单元格）",
        file=name,
        sheet=sheet,
        value=f"{cells:,} 个单元格",
        expected="正常大小的工作表（疑似恶意构造的文件，拒绝读取）",
    )


def _read_xlsx(data: bytes, name: str, wanted: set[str] | None, limits: Limits) -> Result:
    import openpyxl  # imported here: only the summary-size sheets need it

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
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
                formulas = formulas or openpyxl.load_workbook(
                    io.BytesIO(data), read_only=True, data_only=False
                )
                rows = _mark_uncached(rows, formulas[ws.title])
            sheets.append(RawSheet(name, ws.title, rows, hidden))
    finally:
        book.close()
        if formulas is not None:
            formulas.close()
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
        if "%" in (getattr(cell, "number_format", "") or ""):  # a percent cell: its meaning is not ambiguous
            return f"{(Decimal(repr(value)) * 100).normalize():f}%"
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


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


def _read_xls(data: bytes, name: str, wanted: set[str] | None, limits: Limits) -> Result:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=True)
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

    if cell.ctype == xlrd.XL_CELL_NUMBER and "%" in _xls_format(book, cell.xf_index):
        return f"{(Decimal(repr(cell.value)) * 100).normalize():f}%"

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


def _read_csv(data: bytes, name: str, limits: Limits) -> Result:
    text = decode_text(data)
    if text is None:
        return [], [
            Problem("CSV 文件编码无法识别", file=name, expected="UTF-8 或 GBK/GB18030 编码的 CSV 文件")
        ]
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count) if any(d in first for d in ",\t;") else ","
    rows, count = [], 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            count += max(len(row), 1)
            if count > limits.max_cells:
                return [], [_cells_problem(name, Path(name).stem, count, limits)]
            rows.append(tuple(None if c.strip() == "" else c for c in row))
    except csv.Error as exc:
        return [], [Problem(f"CSV 格式错误：{exc}", file=name, row=len(rows) + 1, expected="规范的 CSV 文件")]
    return [RawSheet(name, Path(name).stem, tuple(rows))], []


def find_sheet(sheets: list[RawSheet], names: Iterable[str]) -> RawSheet | None:
    """The sheet named like one of `names` (visible ones first), else the one whose name contains one
    of them, else the only visible sheet."""
    wanted = [norm_header(n) for n in names]
    ordered = sorted(sheets, key=lambda s: s.hidden)
    for name in wanted:
        for sheet in ordered:
            if norm_header(sheet.name) == name:
                return sheet
    containing = [s for s in ordered if any(w in norm_header(s.name) for w in wanted)]
    shown = [s for s in containing if not s.hidden] or containing
    if len(shown) == 1:
        return shown[0]
    visible = [s for s in sheets if not s.hidden]
    return visible[0] if len(visible) == 1 else (sheets[0] if len(sheets) == 1 else None)


def to_table(sheet: RawSheet, known_headers: Iterable[str]) -> Table | None:
    """Find the header row (the first row naming at least 3 known headers) and the records below it.

    Blank rows are skipped; a row whose first cells say 合计/总计 (or 备注…) ends the records.
    """
    known = {norm_header(h) for h in known_headers}
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        if sum(norm_header(c) in known for c in row if c is not None) >= min(3, len(known)):
            headers = tuple(norm_text(c) if c is not None else "" for c in row)
            title = tuple(norm_text(c) for r in sheet.rows[:index] for c in r if not is_blank(c))
            records = tuple(_records(sheet.rows, index + 1))
            return Table(sheet.file, sheet.name, index + 1, headers, records, title)
    return None


def _records(rows: tuple[tuple[object, ...], ...], start: int) -> Iterable[tuple[int, tuple[object, ...]]]:
    for offset, row in enumerate(rows[start:]):
        if all(is_blank(c) for c in row):
            continue
        first = [norm_header(c) for c in row[:3] if isinstance(c, str)]
        if any(t.rstrip(":") in TOTAL_MARKERS for t in first) or any(
            t.startswith(END_MARKERS) for t in first[:1]
        ):
            break
        yield start + offset + 1, row
