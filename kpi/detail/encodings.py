"""A detail text file's encoding and first lines, from its bytes: UTF-16 by its BOM (or named by the
source profile), UTF-8 (with or without BOM) validated by Arrow without decoding the file to a str,
else GB18030 (a superset of GBK, checked strictly as it is parsed); the first lines and where each
ends in bytes, so that the rows after the header are parsed straight from the file's bytes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from kpi.lines import valid_utf8

ENCODINGS = {
    "auto": ("utf-8-sig", "gb18030"),
    "utf-8": ("utf-8-sig",),
    "gb18030": ("gb18030",),
    "utf-16": ("utf-16-le",),  # named by the profile, without a BOM: Windows' little-endian
}


def decode_csv(raw: bytes, encoding: str = "auto") -> str | None:
    """UTF-16 (with BOM), UTF-8 (BOM or not), else GB18030 — all strictly; None when it is none."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) and encoding in ("auto", "utf-16"):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for name in ENCODINGS.get(encoding, ("utf-8-sig", "gb18030")):
        try:
            return raw.decode(name)
        except UnicodeDecodeError:
            continue
    return None


HEAD_LINES = 20  # a header is looked for in a file's first lines
HEAD_BYTES = 1 << 20  # ... decoded from at most its first MiB
LINE_END = re.compile(r"\r\n|\r|\n")  # what ends a line for pyarrow's parser too


@dataclass(frozen=True)
class Body:
    """Where the rows of a text file start: its bytes, their encoding, the byte offset of the first
    row after the header, and how many lines come before it (for line numbers). With `path`, the
    bytes were let go after the header was found and the parser reads the file itself."""

    raw: bytes
    codec: str
    offset: int
    start: int
    path: Path | None = None

    def data(self) -> bytes:
        """The file's bytes (read again from its path when they were let go)."""
        return self.path.read_bytes() if self.path is not None else self.raw

    def rows(self) -> pa.NativeFile:
        """The bytes from the first row on, for the parser."""
        if self.path is None:
            return pa.BufferReader(pa.py_buffer(self.raw)[self.offset :])
        stream = pa.OSFile(str(self.path))
        stream.seek(self.offset)
        return stream


def body_encoding(raw: bytes, encoding: str = "auto", utf8: bool | None = None) -> tuple[str, int] | None:
    """The file's encoding and the length of its BOM: UTF-16 (with BOM, or named by the profile),
    UTF-8 (BOM or not, validated), else GB18030 (checked strictly as it is parsed); None when none.
    `utf8`: whether the whole file is UTF-8, when that is known already (`raw` is then its head)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) and encoding in ("auto", "utf-16"):
        return ("utf-16-le" if raw.startswith(b"\xff\xfe") else "utf-16-be"), 2
    for name in ENCODINGS.get(encoding, ("utf-8-sig", "gb18030")):
        if name == "utf-8-sig":
            bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
            if valid_utf8(memoryview(raw)[bom:]) if utf8 is None else utf8:
                return "utf-8", bom
        else:
            return name, 0
    return None


def head_lines(raw: bytes, codec: str, bom: int) -> tuple[list[str], list[int]]:
    """The first lines of the file (up to HEAD_LINES, whole lines only) and the byte offset, after
    the BOM, where each one ends (its line break included). UnicodeDecodeError when they are not
    in `codec`."""
    chunk = raw[bom : bom + HEAD_BYTES]
    whole = bom + HEAD_BYTES >= len(raw)
    text = codecs.getincrementaldecoder(codec)().decode(chunk, final=whole)
    lines, ends, at, size = [], [], 0, 0
    for found in LINE_END.finditer(text):
        if len(lines) == HEAD_LINES:
            break
        piece = text[at : found.end()]
        lines.append(text[at : found.start()])
        size += len(piece.encode(codec))
        ends.append(size)
        at = found.end()
    if whole and len(lines) < HEAD_LINES and at < len(text):
        lines.append(text[at:])
        ends.append(size + len(text[at:].encode(codec)))
    return lines, ends


def whole_text(raw: bytes, codec: str, bom: int) -> str:
    """The whole file as text: only for a platform's event log, or to locate where parsing failed."""
    return raw[bom:].decode(codec, "replace")
