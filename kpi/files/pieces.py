"""A large worksheet written again as several workbooks of consecutive rows (pieces), while its XML
is inflated for the extent scan (kpi.files.extent.checked_extent), so that fastexcel can load the
pieces on every core at once: calamine parses a sheet on one core (1M rows of 话务明细: 5–10 s), and
at its end briefly holds the sheet's cells twice (+820 MB for 1M rows), so pieces of about
PIECE_BYTES of XML, two at a time, take half the time with a third of that memory.

What a piece holds: every entry of the workbook (other worksheets emptied), the sheet's XML up to
<sheetData> without its <dimension> (calamine then sizes each piece by its own cells), the sheet's
first row (the header) renumbered to the row before the piece's first row, and the piece's rows. The
cuts are the first <row r="N"> after each equal share of the XML's declared size.

This is only a faster way to the same table: anything unusual (no plain r on the first row or at a
cut, rows not in order, a write that fails: a full disk) abandons the pieces, and the reader loads the
sheet whole as before; the reader also checks that the pieces join into exactly the rows the whole
sheet holds (kpi.detail.workbook.load_pieces).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import IO

from kpi.files.extent import WORKSHEET, open_book

SHEET_DATA = re.compile(rb"<sheetData\s*>")
DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
PLAIN_ROW = re.compile(rb'<row r="([0-9]{1,7})"')
HEAD_BYTES = 1 << 20  # the header row must end within the sheet's first MiB
END = b"</sheetData></worksheet>"
EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)


@dataclass(frozen=True)
class Pieces:
    """The pieces' workbooks in row order, the Excel row of the sheet's header (its first row in the
    XML) and each later piece's first row (its header copy is the row before)."""

    paths: tuple[Path, ...]
    header_row: int
    cuts: tuple[int, ...]

    def rows_before_last(self) -> tuple[int, ...]:
        """How many data rows each piece but the last holds, if the rows run on without a gap."""
        return tuple(b - a for a, b in pairwise((self.header_row + 1, *self.cuts)))


class PieceWriter:
    """Fed the sheet's XML in chunks that each start at a tag (kpi.files.extent._chunks), cut into
    `count` pieces; `finish` gives the Pieces (fewer when the XML is shorter than declared), or None
    when the split was abandoned."""

    def __init__(self, source: Path | bytes, part: str, folder: Path, count: int) -> None:
        self.source, self.part, self.folder, self.count = source, part, folder, count
        self.head = self.prefix = self.header = b""
        self.header_row = 0
        self.targets: list[int] = []  # where in the XML each cut is looked for, from there on
        self.cuts: list[int] = []
        self.paths: list[Path] = []
        self.done = 0  # bytes of the sheet's XML fed so far
        self.book: zipfile.ZipFile | None = None
        self.stream: IO[bytes] | None = None
        self.others: list[tuple[str, bytes]] | None = None
        self.phase = "head"  # head -> body; "off" once abandoned

    def feed(self, chunk: bytes) -> None:
        if self.phase == "off":
            return
        try:
            self._head(chunk) if self.phase == "head" else self._body(chunk)
        except OSError:  # a full disk, a temporary folder gone: the sheet is loaded whole instead
            self.abandon()

    def abandon(self) -> None:
        self.phase = "off"
        try:
            self._close()
        except (OSError, ValueError):  # a disk that filled: the files are let go half written
            pass

    def finish(self) -> Pieces | None:
        if self.phase != "body" or not self.cuts:
            self.abandon()
            return None
        try:  # the last piece ends as the sheet does
            self._close()
        except OSError:
            return None
        return Pieces(tuple(self.paths), self.header_row, tuple(self.cuts))

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
        self.prefix = DIMENSION.sub(b"", head[:at])
        self.header, self.header_row = head[at:end], int(row.group(1))
        size = self._declared_size()
        self.targets = [size * k // self.count for k in range(1, self.count)]
        self._open()
        self.stream.write(self.prefix + self.header)
        self.done, self.head, self.phase = end, b"", "body"
        self._body(head[end:])  # the first cuts may lie in this chunk already (a sheet of a few MB)

    def _body(self, chunk: bytes) -> None:
        at = after = 0  # where the current piece's next bytes start; where the next cut may lie
        while self.targets:
            look = max(after, self.targets[0] - self.done)
            cut = chunk.find(b"<row ", look) if look < len(chunk) else -1
            if cut < 0:
                break
            row = PLAIN_ROW.match(chunk, cut)
            last = self.cuts[-1] if self.cuts else self.header_row + 1
            if row is None or int(row.group(1)) <= last:  # no plain r, or rows out of order
                self.abandon()
                return
            self.stream.write(chunk[at:cut])
            self.stream.write(END)
            self._close()
            self.cuts.append(int(row.group(1)))
            self.targets.pop(0)
            self._open()
            self.stream.write(self.prefix + _renumbered(self.header, self.header_row, self.cuts[-1] - 1))
            at, after = cut, cut + 1
        self.stream.write(chunk[at:])
        self.done += len(chunk)

    def _declared_size(self) -> int:
        with open_book(self.source) as book:
            return book.getinfo(self.part).file_size

    def _open(self) -> None:
        """The next piece's workbook: the source's entries, the sheet's own entry open for writing
        (stored: the pieces are read once, soon after, from this machine's disk)."""
        path = self.folder / f"piece{len(self.paths)}.xlsx"
        self.paths.append(path)
        self.book = zipfile.ZipFile(path, "w", zipfile.ZIP_STORED)
        for name, data in self._others():
            self.book.writestr(name, data)
        self.stream = self.book.open(zipfile.ZipInfo(self.part), "w", force_zip64=True)

    def _others(self) -> list[tuple[str, bytes]]:
        """The source's other entries, other worksheets emptied, inflated once for all the pieces (a
        shared-strings table of Excel's 1M rows is 31 MB)."""
        if self.others is None:
            with open_book(self.source) as source:
                copied = entries_copied(source, lambda name: bool(WORKSHEET.fullmatch(name)))
                self.others = [(name, data) for name, data in copied if name != self.part]
        return self.others

    def _close(self) -> None:
        stream, book = self.stream, self.book
        self.stream = self.book = None
        try:
            if stream is not None:
                stream.close()
        finally:
            if book is not None:
                book.close()


def entries_copied(
    book: zipfile.ZipFile, emptied: Callable[[str], bool], replaced: Mapping[str, bytes] | None = None
) -> Iterator[tuple[str, bytes]]:
    """A workbook's entries for a copy of it: those `emptied` names as a worksheet without cells (the
    copy's reader never inflates them), those in `replaced` as given, the others as they are."""
    replaced = replaced or {}
    for info in book.infolist():
        name = info.filename
        yield name, EMPTY_SHEET if emptied(name) else replaced[name] if name in replaced else book.read(info)


def _renumbered(row: bytes, old: int, new: int) -> bytes:
    """A row's XML moved from Excel row `old` to `new` (its own r and its cells' r)."""
    before, after = str(old).encode(), str(new).encode()
    row = row.replace(b'<row r="' + before + b'"', b'<row r="' + after + b'"', 1)
    return re.sub(rb'( r="[A-Za-z]{1,3})' + before + rb'"', rb"\g<1>" + after + rb'"', row)
