"""Reading a workbook file into plain tables: rows of cells with their Excel row numbers.

This is the edge where files are opened; what a file is comes from its bytes (kpi.files.safety.sniff),
never its extension. Small sheets (the summary, roster, exam) come through here; the million-row
call detail has its own columnar reader (kpi.detail.reader).

Sheets not asked for (`only`) are listed but not read, so a big detail sheet costs nothing here.
The format readers themselves are in kpi.files.readers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kpi.disk import read_capped
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
from kpi.files.safety import DEFAULT_LIMITS, SPREADSHEET, Limits, screen

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

# A row that is no record: a total (合计 …) or a note (注：…) line, anywhere in the table. Words are
# compared after norm_header (NFKC, no spaces, lower case).
TOTAL_WORDS = ("总合计", "合计", "总计", "小计", "汇总", "共计", "累计", "平均值", "平均", "均值")
TOTAL_ENGLISH = ("grandtotal", "subtotal", "total", "sum", "average")
NOTE_WORDS = (
    "备注", "附注", "注释", "注", "说明", "制表人", "制表", "填表人", "填表", "审核人", "审核", "复核",
    "数据来源", "资料来源", "来源", "note", "remark",
)  # fmt: skip
WORD_CHAR = re.compile(r"[\w\u3400-\u9fff]")
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
    skipped: tuple[Skipped, ...] = ()  # total, note and repeated header rows among the records


@dataclass(frozen=True)
class Skipped:
    """A row below the header that is no record, and why: "total" (合计…), "note" (注：…) or "header"."""

    row: int  # Excel row number
    kind: str
    text: str  # the cell that says so, as written (trimmed)


def read_sheets(
    path: str | Path,
    display: str | None = None,
    only: Iterable[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Result:
    """Every sheet of a workbook or CSV file as raw rows; a file that cannot be read is a Problem."""
    path = Path(path)
    name = display or path.name
    data, problem = read_capped(path, name, limits.max_bytes, expected=SPREADSHEET)
    if problem is not None:
        return [], [problem]
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

    Blank rows are skipped; total rows (合计/小计/汇总 …), note rows (注：/备注 …) and repeats of the
    header row are skipped too, wherever they are, and listed in `Table.skipped`: the rows after
    them are still records.
    """
    known = {norm_header(h) for h in known_headers}
    enough = min(3, len(known))
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        if sum(norm_header(c) in known for c in row if c is not None) >= enough:
            headers = tuple(norm_text(c) if c is not None else "" for c in row)
            title = tuple(norm_text(c) for r in sheet.rows[:index] for c in r if not is_blank(c))
            records, skipped = [], []
            for number, cells in enumerate(sheet.rows[index + 1 :], index + 2):
                if all(is_blank(c) for c in cells):
                    continue
                why = skip_reason(cells, known, enough)
                if why is None:
                    records.append((number, cells))
                else:
                    skipped.append(Skipped(number, *why))
            return Table(sheet.file, sheet.name, index + 1, headers, tuple(records), title, tuple(skipped))
    return None


def skip_reason(
    cells: tuple[object, ...], known: set[str] = frozenset(), enough: int = 3
) -> tuple[str, str] | None:
    """("total" | "note" | "header", the cell saying so) for a row that is no record, else None.

    A total row has one of its first three non-blank text cells saying 合计/小计/总计/汇总 … (alone,
    before punctuation or a number, or ending a name: 「5月合计」「华信客服小计」); a note row starts
    with 注：/备注/说明/制表人 …; a header row names at least `enough` known headers again."""
    texts = [c for c in cells if isinstance(c, str) and not is_blank(c)]
    first = next((c for c in cells if not is_blank(c)), None)
    if isinstance(first, str) and is_note(first):
        return "note", first.strip()
    for text in texts[:3]:
        if is_total(text):
            return "total", text.strip()
    if known and sum(norm_header(c) in known for c in texts) >= enough:
        return "header", texts[0].strip()
    return None


def _key(text: str) -> str:
    return norm_header(text).strip("*※#:;,.-—_()[]【】<>《》 ")


def is_total(text: object) -> bool:
    """Whether a cell names a total line: 合计, 合 计：, 合计（4家）, 5月合计, 华信客服小计, Total."""
    key = _key(str(text))
    for word in TOTAL_WORDS:
        if key == word or key.endswith(word):
            return True
        if key.startswith(word) and not WORD_CHAR.match(key[len(word)]):
            return True
    return any(key == w or (key.startswith(w) and not key[len(w)].isalpha()) for w in TOTAL_ENGLISH)


def is_note(text: object) -> bool:
    """Whether a cell starts a note line: 注：…, 注1. …, 备注, 说明：…, 制表人：…, Note: …"""
    key = norm_text(text).lower().lstrip("*※#-—·• ")
    for word in NOTE_WORDS:
        if key.startswith(word):
            rest = key[len(word) :]
            return not rest or not (rest[0].isalpha() or "\u3400" <= rest[0] <= "\u9fff")
    return False
