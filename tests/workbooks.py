"""Building monthly workbooks for the tests: a valid summary row, and the same rows as .xlsx or .csv bytes."""

from __future__ import annotations

import io
import zipfile

import openpyxl

from kpi.inputs import SUMMARY_COLUMNS

HEADERS = [c.header for c in SUMMARY_COLUMNS]
KEYS = [c.key for c in SUMMARY_COLUMNS]

GOOD = {
    "month": "2024-05",
    "vendor": "华信客服",
    "valid_calls": 50447,
    "connected_calls": 51688,
    "repeat_2h_calls": 7129,
    "dial_tests": 80,
    "dial_tests_correct": 78,
    "monitored_calls": 30,
    "monitored_correct": 29,
    "dispatched_tickets": 296,
    "expert_transfers": 198,
    "service_complaints": 13,
    "tickets_created": 34075,
    "tickets_sampled": 200,
    "tickets_correct": 179,
    "dissatisfied_ratings": 92,
    "dissatisfied_callbacks": 89,
    "agents_total": 164,
    "exam_takers": 142,
    "exam_average": 86,
    "escalated_complaints": 0,
    "audit_pass_rate": "96.2%",
    "missing_audit_records": 0,
    "security_incidents": 0,
    "emergency_expected": None,
    "emergency_handled": None,
}


def row(**changes: object) -> list[object]:
    """A valid summary row (華信客服, 2024-05) with some cells changed, in header order."""
    values = {**GOOD, **changes}
    return [values[k] for k in KEYS]


def two_rows() -> list[list[object]]:
    return [row(), row(vendor="联创呼叫", connected_calls=31000, valid_calls=30000)]


def xlsx_bytes(
    rows: list[list[object]],
    headers: list[object] | None = None,
    title: str | None = None,
    sheet: str = "月度指标",
    extra: dict[str, list[list[object]]] | None = None,
    formats: dict[str, str] | None = None,
) -> bytes:
    """An .xlsx written by openpyxl: optional title row above the header, extra sheets, cell formats."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title is not None:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    ws.append(headers if headers is not None else HEADERS)
    for r in rows:
        ws.append(r)
    for coordinate, number_format in (formats or {}).items():
        ws[coordinate].number_format = number_format
    for name, extra_rows in (extra or {}).items():
        other = book.create_sheet(name)
        for r in extra_rows:
            other.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",", headers=None) -> bytes:
    lines = [headers or HEADERS, *rows]
    text = "\r\n".join(delimiter.join("" if v is None else str(v) for v in r) for r in lines) + "\r\n"
    return text.encode(encoding)


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same .xlsx with some parts replaced (for hostile and broken files)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in replace.items():
            if name not in src.namelist():
                dst.writestr(name, content)
    return out.getvalue()


def rows_reversed(xml: bytes) -> bytes:
    """A sheet's XML with its data rows (all but row 1) written last first; each keeps its r."""
    import re

    rows = re.findall(rb'<row r="(?!1")[0-9]+".*?</row>', xml, flags=re.S)
    return xml.replace(b"".join(rows), b"".join(reversed(rows)))


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
)


def lying_sizes(data: bytes, part: str, padding: int = 50_000_000) -> bytes:
    """`part` padded with `padding` spaces, but its declared uncompressed size left as before:
    a zip bomb that lies in its directory, so only the reader's own cap can stop it."""
    original = zipfile.ZipFile(io.BytesIO(data)).getinfo(part).file_size
    content = zipfile.ZipFile(io.BytesIO(data)).read(part)
    padded = bytearray(
        rezip(data, {part: content.replace(b"<sheetData>", b"<sheetData>" + b" " * padding, 1)})
    )
    name = part.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := padded.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if padded[name_at : name_at + len(name)] == name:
                padded[start + size_at : start + size_at + 4] = original.to_bytes(4, "little")
            start += 4
    return bytes(padded)
