"""A large worksheet written again as two workbooks of half its rows each, while its XML is inflated
for the extent scan (kpi.files.extent.checked_extent), so that fastexcel can load the halves on two
cores at once: calamine parses a sheet on one core (1M rows of 话务明细: ~9 s), and the halves, each
given a copy of the header row, take about half that, side by side, with less peak memory.

What the halves hold: every entry of the workbook (other worksheets emptied), the sheet's XML up to
<sheetData> without its <dimension> (calamine then sizes each half by its own cells), its first row
(the header), and the rows before the cut (half A) or the header renumbered to the row before the cut
and the rows from the cut on (half B). The cut is the first <row r="N"> after the middle of the XML.

This is only a faster way to the same table: anything unusual (no plain r on the header or at the
cut, a sheet smaller than its declared size, a write that fails: a full disk) abandons the split, and
the reader loads the sheet whole as before (kpi.detail.reader). The reader also checks that the halves
join into exactly the rows the whole sheet holds (see kpi.detail.reader._load_halves).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kpi.files.extent import open_book

SHEET_DATA = re.compile(rb"<sheetData\s*>")
DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
PLAIN_ROW = re.compile(rb'<row r="([0-9]{1,7})"')
HEAD_BYTES = 1 << 20  # the header row must end within the sheet's first MiB
EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)
WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")


@dataclass(frozen=True)
class Halves:
    """The two workbooks, the Excel row of the sheet's header (as found in its XML) and the row where
    half B's data starts (its header copy is the row before)."""

    paths: tuple[Path, Path]
    header_row: int
    cut_row: int


class HalfWriter:
    """Fed the sheet's XML in chunks that each start at a tag (kpi.files.extent._chunks); `finish`
    gives the Halves, or None when the split was abandoned."""

    def __init__(self, source: Path | bytes, part: str, folder: Path) -> None:
        self.source, self.part = source, part
        self.paths = (folder / "a.xlsx", folder / "b.xlsx")
        self.head = b""
        self.prefix = self.header = b""
        self.header_row = self.cut_row = 0
        self.middle = 0
        self.done = 0  # bytes of the sheet's XML fed so far
        self.books: list[zipfile.ZipFile] = []
        self.stream: IO[bytes] | None = None
        self.phase = "head"  # head -> first -> second; "off" once abandoned

    def feed(self, chunk: bytes) -> None:
        if self.phase == "off":
            return
        try:
            getattr(self, "_" + self.phase)(chunk)
        except OSError:  # a full disk, a temporary folder gone: the sheet is loaded whole instead
            self.abandon()

    def abandon(self) -> None:
        self.phase = "off"
        try:
            self._close()
        except (OSError, ValueError):  # a disk that filled: the files are let go half written
            pass

    def finish(self) -> Halves | None:
        if self.phase != "second":
            self.abandon()
            return None
        try:
            self._close()
        except OSError:
            return None
        return Halves(self.paths, self.header_row, self.cut_row)

    def _head(self, chunk: bytes) -> None:
        self.head += chunk
        start = SHEET_DATA.search(self.head)
        at = start.end() if start else 0
        row = PLAIN_ROW.match(self.head, at) if start else None
        end = self.head.find(b"</row>", at) if row else -1
        if end < 0:  # the header row not yet whole (or not plain: abandoned)
            if len(self.head) > HEAD_BYTES or (start and row is None and len(self.head) - at >= 16):
                self.abandon()
            return
        head, end = self.head, end + len(b"</row>")
        if b"<row" in head[row.end() : end]:  # a self-closing (empty) first row: not a header
            self.abandon()
            return
        self.prefix = DIMENSION.sub(b"", head[: start.end()])
        self.header, self.header_row = head[start.end() : end], int(row.group(1))
        self.middle = self._declared_size() // 2
        self._open(self.paths[0])
        self.stream.write(self.prefix + self.header)
        self.done, self.head, self.phase = end, b"", "first"
        self._first(head[end:])  # the cut may lie in this chunk already (a sheet of a few MB)

    def _first(self, chunk: bytes) -> None:
        at = max(0, self.middle - self.done)
        self.done += len(chunk)
        cut = chunk.find(b"<row ", at) if at < len(chunk) else -1
        if cut < 0:
            self.stream.write(chunk)
            return
        row = PLAIN_ROW.match(chunk, cut)
        if row is None or int(row.group(1)) - 1 <= self.header_row:
            self.abandon()
            return
        self.cut_row = int(row.group(1))
        self.stream.write(chunk[:cut])
        self.stream.write(b"</sheetData></worksheet>")
        self._close()
        self._open(self.paths[1])
        self.stream.write(self.prefix)
        self.stream.write(_renumbered(self.header, self.header_row, self.cut_row - 1))
        self.stream.write(chunk[cut:])
        self.phase = "second"

    def _second(self, chunk: bytes) -> None:
        self.stream.write(chunk)

    def _declared_size(self) -> int:
        with open_book(self.source) as book:
            return book.getinfo(self.part).file_size

    def _open(self, path: Path) -> None:
        """A workbook of the source's entries, the sheet's own entry open for writing (stored: the
        halves are read once, soon after, from this machine's disk)."""
        book = zipfile.ZipFile(path, "w", zipfile.ZIP_STORED)
        self.books.append(book)
        with open_book(self.source) as source:
            for info in source.infolist():
                if info.filename == self.part:
                    continue
                data = EMPTY_SHEET if WORKSHEET.fullmatch(info.filename) else source.read(info)
                book.writestr(info.filename, data)
        self.stream = book.open(zipfile.ZipInfo(self.part), "w", force_zip64=True)

    def _close(self) -> None:
        stream, books = self.stream, self.books
        self.stream, self.books = None, []
        try:
            if stream is not None:
                stream.close()
        finally:
            for book in books:
                book.close()


def _renumbered(row: bytes, old: int, new: int) -> bytes:
    """A row's XML moved from Excel row `old` to `new` (its own r and its cells' r)."""
    before, after = str(old).encode(), str(new).encode()
    row = row.replace(b'<row r="' + before + b'"', b'<row r="' + after + b'"', 1)
    return re.sub(rb'( r="[A-Za-z]{1,3})' + before + rb'"', rb"\g<1>" + after + rb'"', row)
