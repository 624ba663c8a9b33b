"""The workbook openpyxl is given for the summary-size sheets when the same file carries a large call
detail with a shared-strings table (as Excel writes text): the detail sheets emptied, and the table cut
to the strings the other sheets use, renumbered in them.

openpyxl reads a workbook's whole shared-strings table before any sheet, in Python: a 1M-row 话务明细
saved by Excel has ~1M strings (31 MB), which took 10 s, twice when a blank cell needs the formulas'
second read (kpi.files.readers.read_xlsx), while fastexcel read the detail itself in 6 s. Cut to the
strings the 月度指标 sheet uses, it is read in a few milliseconds. The sheets kept are the same cells
with the same values; nothing of the user's file is changed (a copy, in memory).

Anything unusual (a table or a sheet this does not recognise, an index past the table) leaves the
workbook as it is: slower, never different.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from kpi.files.extent import WORKSHEET, open_book, sheet_part
from kpi.files.pieces import entries_copied
from kpi.files.zips import xlsx_sheet_names

SLIM_FROM = 1 << 20  # a shared-strings table of this much XML or more is cut
SHARED_CELL = re.compile(rb'(<c\b[^>]*\bt="s"[^>]*>\s*<v>)([0-9]+)(</v>)')
SHARED_TYPE = re.compile(rb'<c\b[^>]*\bt="s"')  # every such cell must be one SHARED_CELL finds
ITEM = re.compile(rb"<si[ >/]")
PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|v|si)\b")  # a namespace prefix: not the plain form above


def slim_workbook(data: bytes, drop: Callable[[str], bool]) -> bytes:
    """`data` with the sheets whose names `drop` emptied and its shared strings cut to those the other
    sheets use; `data` itself when its table is small, no sheet is dropped, or anything is unusual."""
    try:
        with open_book(data) as book:
            names = book.namelist()
            table_name = next((n for n in names if n.lower() == "xl/sharedstrings.xml"), None)
            if table_name is None or book.getinfo(table_name).file_size < SLIM_FROM:
                return data
            dropped = {sheet_part(book, n) for n in xlsx_sheet_names(data) or () if drop(n)} - {None}
            if not dropped:
                return data
            kept = {n: book.read(n) for n in names if WORKSHEET.fullmatch(n) and n not in dropped}
            table = book.read(table_name)
            if any(PREFIXED.search(xml) for xml in (table, *kept.values())):
                return data
            slim = _cut(table, kept)
            if slim is None:
                return data
            return _written(book, dropped, {**slim[1], table_name: slim[0]})
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return data


def _cut(table: bytes, sheets: dict[str, bytes]) -> tuple[bytes, dict[str, bytes]] | None:
    """The table holding only the strings `sheets` use, and the sheets with their cells renumbered."""
    starts = [m.start() for m in ITEM.finditer(table)]
    end = table.rfind(b"</sst>")
    found = [m for xml in sheets.values() for m in SHARED_CELL.finditer(xml)]
    typed = sum(len(SHARED_TYPE.findall(xml)) for xml in sheets.values())
    used = sorted({int(m.group(2)) for m in found})
    if typed != len(found) or not starts or end < starts[-1] or (used and used[-1] >= len(starts)):
        return None
    bounds = [*starts, end]
    items = [table[bounds[i] : bounds[i + 1]] for i in used]
    number = {old: new for new, old in enumerate(used)}

    def renumbered(found: re.Match[bytes]) -> bytes:
        return found.group(1) + str(number[int(found.group(2))]).encode() + found.group(3)

    cut = table[: starts[0]] + b"".join(items) + table[end:]
    return cut, {part: SHARED_CELL.sub(renumbered, xml) for part, xml in sheets.items()}


def _written(book: zipfile.ZipFile, dropped: set[str], replaced: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as slim:
        for name, data in entries_copied(book, dropped.__contains__, replaced):
            slim.writestr(name, data)
    return out.getvalue()
