"""Reading a workbook file into plain tables: rows of cells with their Excel row numbers.

This is the edge where files are opened; what a file is comes from its bytes (kpi.files.safety.sniff),
never its extension. Small sheets (the summary, roster, exam) come through here; the million-row
call detail has its own columnar reader (kpi.detail.reader).

Sheets not asked for (`only`) are listed but not read, so a big detail sheet costs nothing here.
The format readers themselves are in kpi.files.readers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kpi.errors import Problem
from kpi.files.cells import is_blank, norm_header, norm_text
from kpi.files.readers import (
    CALL_DETAIL_SHEET,
    RawSheet,
    Result,
    decode_text,
    guard,
    read_csv,
    read_xls,
    read_xlsx,
)
from kpi.files.safety import DEFAULT_LIMITS, Limits, screen, too_big

__all__ = [
    "CALL_DETAIL_SHEET",
    "RawSheet",
    "Table",
    "decode_text",
    "find_sheet",
    "read_sheets",
    "read_sheets_bytes",
    "to_table",
]

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
            return [], [too_big(name, path.stat().st_size, limits)]
        data = path.read_bytes()
    except OSError as exc:
        return [], [Problem(f"无法打开文件：{exc.strerror or exc}", file=name)]
    return read_sheets_bytes(data, name, only, limits)


def read_sheets_bytes(
    data: bytes, name: str, only: Iterable[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> Result:
    """As read_sheets, on a file's bytes (an upload). `only`: names of the sheets to read."""
    kind, problems = screen(data, name, limits)
    if problems:
        return [], problems
    wanted = None if only is None else {norm_header(n) for n in only}
    if kind == "xlsx":
        return guard(read_xlsx, data, name, wanted, limits)
    if kind == "xls":
        return guard(read_xls, data, name, wanted, limits)
    return read_csv(data, name, limits)


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
