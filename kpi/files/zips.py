"""Checking an .xlsx (a zip) before any reader expands it: what its directory claims, what its
entries really inflate to, and whether any XML part declares a DOCTYPE (entities).

Two readers, two guarantees. openpyxl reads through Python's zipfile, which never yields more than an
entry's declared size and then checks its CRC: for it the declared sizes, checked here, are the real
ones. fastexcel (the call-detail reader) trusts no declared size and inflates what is there: before
it, `inflate=True` inflates every entry here, counting the bytes actually produced, and refuses as
soon as an entry gives more than it declares or the total passes the cap — nothing is kept. The
detail sheets' own entries (hundreds of MB of XML) are left out of that pass (`defer`) and inflated
once, by the sheet-extent scan, through `checked_entry`: the same inflation, limits and problems.

A DOCTYPE can only come before an XML document's root element, after any number of comments and
processing instructions: each part's prolog is scanned to the root element, however long it is
(a 2 KB prefix is not enough: a long comment hides what follows).

Longer than ~250 lines: the directory checks, the counted inflation and the prolog scan are one
guarantee, and the extent scan reuses the inflation rather than holding a second copy of it.
"""

from __future__ import annotations

import codecs
import html
import io
import os
import re
import struct
import zipfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from isal import isal_zlib

from kpi.errors import Problem

CHUNK = 1 << 20  # most bytes inflated per call
FEED = 1 << 16  # compressed bytes per call: at Excel's ratios (~8:1) leaves no unconsumed tail to copy
SUSPECT = "正常的 Excel 工作簿（疑似恶意构造的文件，拒绝读取）"
DAMAGED = ("无法读取 Excel 文件（文件已损坏）", "在 Excel/WPS 中打开后另存为 .xlsx 再导入")


class Refused(Exception):
    """An entry inflates to more than it may; carries the problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def check_zip(
    data: bytes, file: str, limits, inflate: bool = False, defer: Collection[str] = ()
) -> list[Problem]:
    """Refuse a zip whose directory claims too much, whose entries really inflate to more than they
    claim or than the caps (`inflate`), or whose XML declares a DOCTYPE. The entries named in `defer`
    get only the directory's checks here: their reader must take them through `checked_entry`, which
    checks them as this would, in its own pass, before anything that trusts no size opens the file."""
    where = {"file": file, "expected": SUSPECT}
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        infos = book.infolist()
    except Exception:  # noqa: BLE001 - a damaged zip is reported as such
        return [Problem(DAMAGED[0], file=file, expected=DAMAGED[1])]
    if len(infos) > limits.max_entries:
        return [
            Problem(f"压缩包内文件过多（上限 {limits.max_entries:,} 个）", value=f"{len(infos):,}", **where)
        ]
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed:
        return [
            Problem(
                f"解压后体积过大（上限 {limits.max_uncompressed:,} 字节）", value=f"{total:,} 字节", **where
            )
        ]
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 2**20 and ratio > limits.max_ratio:
            return [_ratio_problem(info.filename, ratio, info.file_size, limits, where)]
    budget = [limits.max_uncompressed]
    for info in infos:
        if info.filename in defer:
            continue
        try:
            if inflate:
                doctype = _inflate(data, info, limits, budget, where)
            else:
                doctype = _scan_declared(book, info)
        except Refused as refused:
            return [refused.problem]
        except Exception:  # noqa: BLE001 - a broken entry
            if inflate:
                return [Problem(DAMAGED[0], file=file, expected=DAMAGED[1])]
            continue  # openpyxl reports the damage of the parts it reads, in its turn
        if doctype:
            return [Problem(f"XML 中含有实体声明（{info.filename}），拒绝读取", **where)]
    return []


def _ratio_problem(name: str, ratio: float, size: int, limits, where: dict) -> Problem:
    return Problem(
        f"压缩比异常（{name} 压缩比 {ratio:,.0f}:1，上限 {limits.max_ratio}:1）",
        value=f"{size:,} 字节",
        **where,
    )


def _scan_declared(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """The prolog of an entry as zipfile gives it (never beyond its declared size)."""
    scanner = Prolog()
    with book.open(info) as handle:
        while chunk := handle.read(CHUNK):
            verdict = scanner.feed(chunk)
            if verdict is not None:
                return verdict
    return False


def _inflate(data: bytes, info: zipfile.ZipInfo, limits, budget: list[int], where: dict) -> bool:
    """Inflate an entry from its raw bytes, as a reader that trusts no declared size would, counting
    every byte produced (and keeping none); whether its prolog declares a DOCTYPE."""
    scanner, verdict = Prolog(), None
    for piece in inflated(data, info, limits, budget, where):
        if verdict is None and piece:
            verdict = scanner.feed(piece)
    return bool(verdict)


def inflated(
    source: bytes | Path, info: zipfile.ZipInfo, limits, budget: list[int], where: dict
) -> Iterator[bytes]:
    """An entry's bytes as a reader that trusts no declared size gets them (from the zip's bytes or
    its file), in pieces of at most CHUNK; raises Refused as soon as the entry gives more than it
    declares, the total passes the cap or the ratio the limit."""
    with _raw_reader(source) as read:
        offset = info.header_offset
        if read(offset, 4) != b"PK\x03\x04":
            raise ValueError("no local header")
        name_len, extra_len = struct.unpack("<HH", read(offset + 26, 4))
        start = offset + 30 + name_len + extra_len
        produced = 0

        def take(piece: bytes, consumed: int) -> bytes:
            nonlocal produced
            produced += len(piece)
            budget[0] -= len(piece)
            if produced > info.file_size:
                raise Refused(
                    Problem(
                        f"压缩包内文件解压后比声明的大（{info.filename} 声明 {info.file_size:,} 字节）",
                        value=f"超过 {info.file_size:,} 字节",
                        **where,
                    )
                )
            if budget[0] < 0:
                raise Refused(
                    Problem(
                        f"解压后体积过大（上限 {limits.max_uncompressed:,} 字节）",
                        value=f"超过 {limits.max_uncompressed:,} 字节",
                        **where,
                    )
                )
            if produced > 2**20 and produced > limits.max_ratio * consumed:
                raise Refused(
                    _ratio_problem(info.filename, produced / max(consumed, 1), produced, limits, where)
                )
            return piece

        if info.compress_type == zipfile.ZIP_STORED:
            for at in range(start, start + info.compress_size, CHUNK):
                piece = read(at, min(CHUNK, start + info.compress_size - at))
                yield take(piece, at + len(piece) - start)
            return
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise ValueError("a compression method Excel does not use")
        inflater, at = isal_zlib.decompressobj(-15), start  # ISA-L: ~2.5x zlib's inflate, same API
        while not inflater.eof:
            feed = read(at, FEED)
            if not feed:
                raise ValueError("truncated deflate stream")
            piece = inflater.decompress(feed, CHUNK)
            at += len(feed)
            yield take(piece, at - start - len(inflater.unconsumed_tail))
            while inflater.unconsumed_tail and not inflater.eof:
                piece = inflater.decompress(inflater.unconsumed_tail, CHUNK)
                yield take(piece, at - start - len(inflater.unconsumed_tail))


@contextmanager
def _raw_reader(source: bytes | Path) -> Iterator[Callable[[int, int], bytes]]:
    """read(offset, size): raw bytes of the zip (fewer at its end), from memory or by pread."""
    if isinstance(source, bytes):
        view = memoryview(source)
        yield lambda at, size: view[at : at + size]
        return
    with open(source, "rb") as handle:
        fd = handle.fileno()
        yield lambda at, size: os.pread(fd, size, at)


def checked_entry(source: bytes | Path, name: str, file: str, limits) -> Iterator[bytes]:
    """An entry's bytes, inflated and checked as `check_zip(inflate=True)` checks it (same limits, same
    problems, raised as Refused: too large for its declaration, the cap or the ratio, a DOCTYPE in its
    prolog, or damaged): for a reader of the entry that thereby replaces check_zip's pass over it."""
    where = {"file": file, "expected": SUSPECT}
    scanner, verdict = Prolog(), None
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as book:
            info = book.getinfo(name)
        for piece in inflated(source, info, limits, [limits.max_uncompressed], where):
            if verdict is None and piece:
                verdict = scanner.feed(piece)
            yield piece
    except Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken entry, as check_zip reports it
        raise Refused(Problem(DAMAGED[0], file=file, expected=DAMAGED[1])) from exc
    if verdict:
        raise Refused(Problem(f"XML 中含有实体声明（{name}），拒绝读取", **where))


class Prolog:
    """Scans an XML document's start, chunk by chunk: True when a declaration (<!…, not a comment)
    comes before the root element, False when the root element (or anything else) comes first."""

    def __init__(self) -> None:
        self.decoder = None
        self.text = ""
        self.closing = ""  # inside a comment or processing instruction: what ends it

    def feed(self, chunk: bytes) -> bool | None:
        if self.decoder is None:
            self.decoder = codecs.getincrementaldecoder(_encoding(chunk))("replace")
        self.text += self.decoder.decode(chunk)
        while True:
            if self.closing:
                end = self.text.find(self.closing)
                if end == -1:  # keep only what could start the terminator
                    self.text = self.text[-(len(self.closing) - 1) :]
                    return None
                self.text = self.text[end + len(self.closing) :]
                self.closing = ""
            self.text = self.text.lstrip(" \t\r\n\ufeffï»¿")
            if len(self.text) < 4:
                return None
            if self.text.startswith("<?"):
                self.closing, self.text = "?>", self.text[2:]
            elif self.text.startswith("<!--"):
                self.closing, self.text = "-->", self.text[4:]
            else:
                return self.text.startswith("<!")


def _encoding(head: bytes) -> str:
    """UTF-16 (by BOM or by '<' and '?' with zero bytes), else byte-preserving latin-1: every ASCII-
    compatible encoding (UTF-8, GB18030) has its markup characters where latin-1 sees them."""
    if head.startswith((b"\xff\xfe", b"<\x00?\x00", b"<\x00!\x00")):
        return "utf-16-le"
    if head.startswith((b"\xfe\xff", b"\x00<\x00?", b"\x00<\x00!")):
        return "utf-16-be"
    return "latin-1"


MAX_WORKBOOK_PART = 16 << 20  # bytes of xl/workbook.xml read for the sheet names (a real one: KBs)
SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")


def xlsx_sheet_names(source: bytes | str | Path) -> list[str] | None:
    """The sheet names of an .xlsx from xl/workbook.xml, read through zipfile (never beyond the declared
    size, at most 16 MB) and matched, not parsed (no DOCTYPE is ever expanded), so nothing that
    trusts no declared size opens the file before it is checked. None when it is no readable .xlsx."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as book:
            with book.open("xl/workbook.xml") as handle:
                text = handle.read(MAX_WORKBOOK_PART)
    except Exception:  # noqa: BLE001 - not a zip, no workbook part, or damaged
        return None
    return [html.unescape(m.decode("utf-8", "replace")) for m in SHEET_TAG.findall(text)]
