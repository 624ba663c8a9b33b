"""The true extent of an .xlsx sheet (rows × columns of its valued cells), found before a reader that
allocates the whole rectangle (fastexcel / calamine) is allowed to open it.

A sheet with a header in A1 and one cell in XFD1048576 is 6 KB on disk, but calamine allocates
1,048,576 × 16,384 cells for it and the process aborts. The <dimension> element may lie, so the sheet's
XML is streamed (decompressed in chunks, never held whole) and the cells' positions are checked:

- fast path (what every writer seen does: openpyxl, xlsxwriter, Excel, WPS, LibreOffice): every <c>
  and <row> starts with r="…". Then only references with a column of 2+ letters or a row of 7+ digits
  can lie beyond 26 columns × 999,999 rows, and only those are parsed; the result is an upper bound.
  Both searches run in RE2 (pyarrow), which finds these rare patterns at about 1–2 GB/s;
- a chunk where that is not plain (a namespace prefix, quotes or spaces around r=, an entity in r) has
  its <c> elements parsed one by one; if any lacks a plain r, the whole sheet is walked the way
  calamine places cells (a cell without r follows the previous cell, a row without r the previous row);
- `exact`: walk every element (the caller asks when the fast bound is over its limit).

Empty self-closing cells (<c r="X9" s="1"/>: formatting only) are not data and do not count, as in
calamine. .xls sheets need no scan: the format itself stops at 65,536 × 256 cells.

`checked_extent` reads the entry through kpi.files.zips.checked_entry: the one pass that inflates it
also checks it as the zip-bomb check would, so that check does not inflate it a second time.
Longer than ~250 lines: the fast bound, the careful walk and the checked reading share the chunking.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from kpi.files.zips import checked_entry

CHUNK = 1 << 22
WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")  # a worksheet's entry, as sheet_part finds it
FAST_ROWS = 999_999  # a row number of at most 6 digits
FAST_COLUMNS = 26  # a one-letter column
FAR_REF = re.compile(rb'r="([A-Za-z]{2,}[0-9]*|[A-Za-z]*[0-9]{7,})"[^>]*?(/?)>')
ELEMENT = re.compile(rb"<(?:[\w.-]+:)?(c|row)\b([^>]*?)(/?)>")
R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
PLAIN_CELL = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
FAR_REF_RE2 = r'r="([A-Za-z]{2}|[A-Za-z]*[0-9]{7}|&)'  # '&': a character reference hiding a letter
# a cell (prefixed or not) whose first attribute is not r="…": it may have no r, and then calamine
# places it after the previous cell. (Rows need no check: a cell's own r places it, whatever its row
# says; a row without r only moves cells without r, which this finds.)
ODD_AFTER_C = r'(?:[^ a-z]| [^r]| r[^=]| r=[^"])'
ODD_RE2 = "[<:]c" + ODD_AFTER_C  # searched as "<c" + … and ":c" + … (see _far_odd)
BATCH = 4  # chunks searched together (16 MiB of XML)


@dataclass(frozen=True)
class Extent:
    rows: int
    columns: int
    exact: bool = True

    @property
    def cells(self) -> int:
        return self.rows * self.columns


class _Irregular(Exception):
    """A cell or row without a plain r: the sheet must be walked element by element."""


def column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding a sheet's XML, from workbook.xml and its relationships."""
    try:
        workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return None
    for found in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'\bname="([^"]*)"', found.group(0))
        rid = re.search(r'\br:id="([^"]*)"', found.group(0))
        if name and rid and html.unescape(name.group(1)) == sheet:
            target = next(
                (
                    re.search(r'\bTarget="([^"]+)"', rel.group(0))
                    for rel in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", rels)
                    if re.search(r'\bId="' + re.escape(rid.group(1)) + '"', rel.group(0))
                ),
                None,
            )
            if not target:
                return None
            path = target.group(1).lstrip("/")
            return path if path.startswith("xl/") else "xl/" + path
    return None


def open_book(source: Path | bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)


def sheet_extent(source: Path | bytes, sheet: str, exact: bool = False) -> Extent | None:
    """The extent of a sheet's valued cells (an upper bound unless `exact`); None when the sheet's
    XML cannot be found or read (the reader then reports the file)."""
    try:
        with open_book(source) as book:
            part = sheet_part(book, sheet)
            if part is None:
                return None
            if not exact:
                try:
                    with book.open(part) as handle:
                        return _scan(_read(handle))
                except _Irregular:
                    pass
            with book.open(part) as handle:
                return _walk_all(_read(handle))
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        return None


class Tee(Protocol):
    """Also given the XML the fast scan inflates (kpi.files.pieces.PieceWriter): fed each chunk, in
    order, and told to abandon when the scan stops short (the sheet is then walked without it)."""

    def feed(self, chunk: bytes) -> None: ...

    def abandon(self) -> None: ...


def checked_extent(source: Path | bytes, part: str, file: str, limits, tee: Tee | None = None) -> Extent:
    """sheet_extent's fast bound of the sheet in zip entry `part`, read through
    kpi.files.zips.checked_entry: the one pass that inflates the entry also checks it as the zip check
    would (raises Refused with the same problem), so that check need not inflate it again."""
    try:
        return _scan(checked_entry(source, part, file, limits), tee)
    except _Irregular:
        if tee is not None:
            tee.abandon()
        return _walk_all(checked_entry(source, part, file, limits))


def _read(handle) -> Iterator[bytes]:
    return iter(lambda: handle.read(CHUNK), b"")


def _chunks(pieces: Iterator[bytes]):
    """The decompressed XML in chunks of about CHUNK cut before a '<', so no tag is split."""
    pieces, tail = filter(None, pieces), b""
    while True:
        gathered, size = [tail], len(tail)
        while size < CHUNK and (piece := next(pieces, b"")):
            gathered.append(piece)
            size += len(piece)
        if size == len(tail):
            if tail:
                yield tail
            return
        chunk = b"".join(gathered)
        cut = chunk.rfind(b"<")
        chunk, tail = (chunk[:cut], chunk[cut:]) if cut > 0 else (chunk, b"")
        if chunk:
            yield chunk


def _unusual(chunks: list[bytes]) -> tuple[list[bool], list[bool]]:
    """Per chunk: whether it may hold a far reference, and whether some <c>/<row> in it does not
    start with r=\"…\" (or a comment or entity could hide one). Searched with RE2 (pyarrow) in the
    chunk's own memory (wrapped, not copied): these are rare, so 100 MB of XML takes a few hundredths
    of a second, where Python's re takes a second."""
    with ThreadPoolExecutor(2) as pool:  # RE2 releases the GIL: two chunks at once, where cores allow
        found = list(pool.map(_far_odd, chunks))
    return [far for far, _ in found], [odd for _, odd in found]


def _far_odd(chunk: bytes) -> tuple[bool, bool]:
    """FAR_REF_RE2 and ODD_RE2 searched separately, and ODD_RE2 as its two literal-led halves: each
    then starts with a literal that RE2 skips to (r=\", <c, :c), 0.60 s of CPU on 500 MB of XML where
    the three in one alternation (no common start) take 0.78 s and still need a second pass on a hit."""
    array = _wrapped(chunk)
    far = pc.match_substring_regex(array, FAR_REF_RE2)[0].as_py()
    odd = any(pc.match_substring_regex(array, lead + ODD_AFTER_C)[0].as_py() for lead in ("<c", ":c"))
    return far, odd


def _wrapped(chunk: bytes) -> pa.Array:
    """A one-element Arrow array over the chunk's bytes, without copying them (pa.array copies, at
    a few hundred MB/s)."""
    offsets = pa.py_buffer(struct.pack("<qq", 0, len(chunk)))
    return pa.LargeBinaryArray.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(chunk)])


def _ref(attrs: bytes) -> str | None:
    found = R_ATTR.search(attrs)
    if not found:
        return None
    return html.unescape((found.group(1) or found.group(2) or b"").decode("utf-8", "replace")).strip()


def _batches(pieces: Iterator[bytes], tee: Tee | None = None):
    batch: list[bytes] = []
    for chunk in _chunks(pieces):
        if tee is not None:
            tee.feed(chunk)
        batch.append(chunk)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _prefetched(batches: Iterator[list[bytes]]) -> Iterator[list[bytes]]:
    """The batches, the next one decompressed in a thread while the current one is searched (zlib
    and RE2 both release the GIL: on two cores the scan takes about as long as the larger of the two)."""
    with ThreadPoolExecutor(1) as pool:
        coming = pool.submit(next, batches, None)
        while (batch := coming.result()) is not None:
            coming = pool.submit(next, batches, None)
            yield batch


def _scan(pieces: Iterator[bytes], tee: Tee | None = None) -> Extent:
    batches = _prefetched(_batches(pieces, tee))
    try:
        return _scan_batches(batches)
    finally:
        batches.close()  # the thread is done with the handle before the caller closes it


def _scan_batches(batches: Iterator[list[bytes]]) -> Extent:
    rows = columns = 0
    near = False  # a valued cell within one letter and six digits
    for batch in batches:
        far, odd = _unusual(batch)
        for chunk, has_far, is_odd in zip(batch, far, odd, strict=True):
            near = near or b"</c>" in chunk
            if is_odd or (has_far and b'r="&' in chunk):
                rows, columns = _parse_elements(chunk, rows, columns)
            elif has_far:
                for ref, closed in FAR_REF.findall(chunk):
                    if not closed:
                        letters = ref.decode().rstrip("0123456789")
                        rows = max(rows, int(ref[len(letters) :] or 0))
                        columns = max(columns, column_number(letters))
    if near:
        rows, columns = max(rows, FAST_ROWS), max(columns, FAST_COLUMNS)
    return Extent(rows, columns, exact=not near)


def _parse_elements(chunk: bytes, rows: int, columns: int) -> tuple[int, int]:
    """Each <c>/<row> of an unusual chunk; raises _Irregular at one without a plain r."""
    for name, attrs, closed in ELEMENT.findall(chunk):
        ref = _ref(attrs)
        if name == b"row":
            continue
        plain = PLAIN_CELL.fullmatch(ref or "")
        if not plain:
            raise _Irregular
        if not closed:
            rows = max(rows, int(plain.group(2)))
            columns = max(columns, column_number(plain.group(1)))
    return rows, columns


def _walk_all(pieces: Iterator[bytes]) -> Extent:
    """calamine's placement of every cell (0-based positions; -1 before the first)."""
    row = column = -1
    rows = columns = 0
    for chunk in _chunks(pieces):
        for name, attrs, closed in ELEMENT.findall(chunk):
            ref = _ref(attrs)
            if name == b"row":
                row = int(ref) - 1 if ref and ref.isdigit() else row + 1
                column = -1
                continue
            plain = PLAIN_CELL.fullmatch(ref or "")
            if plain:
                row, column = int(plain.group(2)) - 1, column_number(plain.group(1)) - 1
            else:
                column += 1
            if not closed:
                rows, columns = max(rows, row + 1), max(columns, column + 1)
    return Extent(rows, columns)
