"""How many pieces a 话务明细 sheet is loaded in (kpi.detail.workbook._piece_count); what the pieces
give is tested in tests/detail/test_reader.py and tests/files/test_pieces.py."""

from __future__ import annotations

import io
import zipfile

import pytest

import kpi.detail.workbook as workbook

PART = "xl/worksheets/sheet1.xml"


def _book(sheet_bytes: int, shared_bytes: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(PART, b"x" * sheet_bytes)
        if shared_bytes:
            book.writestr("xl/sharedStrings.xml", b"s" * shared_bytes)
    return out.getvalue()


@pytest.mark.parametrize(
    ("sheet_bytes", "shared_bytes", "cores", "count"),
    [
        (999, 0, 2, 1),  # below SPLIT_BYTES (1,000 here): whole
        (10_000, 0, 1, 1),  # one core: whole
        (1_000, 0, 2, 2),  # at SPLIT_BYTES: at least one piece a core
        (10_000, 0, 2, 10),  # PIECE_BYTES (1,000 here) a piece
        (10_001, 0, 2, 11),
        (10_000, 0, 16, 16),  # one a core
        (10_000, 500, 2, 5),  # shared strings: a piece holds at least 4 times theirs (2,000)
        (10_000, 5_000, 2, 2),
    ],
)
def test_a_sheet_is_cut_by_its_size_its_shared_strings_and_the_cores(
    monkeypatch, sheet_bytes, shared_bytes, cores, count
):
    monkeypatch.setattr(workbook, "SPLIT_BYTES", 1_000)
    monkeypatch.setattr(workbook, "PIECE_BYTES", 1_000)
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    assert workbook._piece_count(_book(sheet_bytes, shared_bytes), PART) == count
