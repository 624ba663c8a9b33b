"""A large 话务明细 sheet written again as pieces during the extent scan (kpi.files.pieces): the
pieces, loaded by fastexcel, join into exactly the whole sheet's table; anything unusual abandons."""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import fastexcel
import openpyxl
import pyarrow as pa
import pytest

from kpi.detail.columns import CALLS
from kpi.detail.reader import _detail_parts
from kpi.detail.workbook import declared_types, load_pieces
from kpi.files.extent import checked_extent
from kpi.files.pieces import Pieces, PieceWriter
from kpi.files.safety import DEFAULT_LIMITS
from scripts.make_call_detail import CALL_HEADERS, make_detail, write_xlsx
from tests.workbooks import rezip, rows_reversed

SHEET = "话务明细"


def xlsxwriter_book(tmp_path, rows: int = 3000) -> bytes:
    """The generator's workbook: inline strings, real datetimes, 坐席名册 and 考试成绩 after it."""
    write_xlsx(make_detail(rows=rows, agents=40, seed=5), tmp_path / "明细.xlsx")
    return (tmp_path / "明细.xlsx").read_bytes()


def openpyxl_book(tmp_path, rows: int = 3000) -> bytes:
    """The same calls by openpyxl: text in its cells too, its XML written its own way (a space before
    each "/>", a dimension of its own)."""
    calls = make_detail(rows=rows, agents=40, seed=5).calls
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(CALL_HEADERS)
    for values in calls[list(CALL_HEADERS)].itertuples(index=False):
        sheet.append(
            [None if v != v else v.to_pydatetime() if hasattr(v, "to_pydatetime") else v for v in values]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def part_of(data: bytes) -> str:
    return next(part for part, sheet in _detail_parts(data).items() if sheet == SHEET)


def pieces_of(data: bytes, folder, count: int = 2) -> Pieces | None:
    """What the reader's extent scan leaves: the scan fed through a PieceWriter."""
    part = part_of(data)
    writer = PieceWriter(data, part, folder, count)
    checked_extent(data, part, "明细.xlsx", DEFAULT_LIMITS, writer)
    return writer.finish()


def load(source: bytes | str) -> pa.RecordBatch:
    dtypes, named = declared_types(CALLS, None, False)
    return (
        fastexcel.read_excel(source)
        .load_sheet(SHEET, header_row=0, dtypes=dtypes, use_columns=named)
        .to_arrow()
    )


def shared_book(tmp_path, rows: int = 3000) -> bytes:
    """The generator's workbook with its text in a shared-strings table, as Excel writes it."""
    write_xlsx(make_detail(rows=rows, agents=40, seed=5), tmp_path / "明细.xlsx", shared_strings=True)
    return (tmp_path / "明细.xlsx").read_bytes()


@pytest.mark.parametrize(
    "make", [xlsxwriter_book, openpyxl_book, shared_book], ids=["xlsxwriter", "openpyxl", "shared-strings"]
)
@pytest.mark.parametrize("count", [2, 3, 8])
def test_the_pieces_join_into_the_whole_sheet(tmp_path, make, count):
    data = make(tmp_path)
    pieces = pieces_of(data, tmp_path, count)
    assert pieces is not None and pieces.header_row == 1 and len(pieces.paths) == count
    shares = [3000 * k // count for k in range(1, count)]  # the cuts' rows, near equal shares of the XML
    assert all(abs(cut - 2 - share) < 60 for cut, share in zip(pieces.cuts, shares, strict=True))
    whole = load(data)
    assert whole.num_columns == len(CALL_HEADERS)
    loaded = [load(str(path)) for path in pieces.paths]
    assert tuple(b.num_rows for b in loaded[:-1]) == pieces.rows_before_last()
    assert pieces.rows_before_last()[0] == pieces.cuts[0] - 2
    assert sum(b.num_rows for b in loaded) == whole.num_rows == 3000
    joined = load_pieces(pieces, SHEET, CALLS, None, False)
    assert joined.equals(whole) and joined.schema == whole.schema  # "not null" where the sheet's column is
    expected = fastexcel.read_excel(data).sheet_names
    assert all(fastexcel.read_excel(str(p)).sheet_names == expected for p in pieces.paths)


def _sheet_changed(data: bytes, change) -> bytes:
    part = part_of(data)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read(part)
    return rezip(data, {part: change(xml)})


ABANDONED = {
    "rows in reverse order": rows_reversed,  # calamine places rows by their r: the same table whole
    "rows without r": lambda xml: re.sub(rb'<row r="[0-9]+"', b"<row", xml),
    "an empty first row": lambda xml: xml.replace(b"<sheetData>", b'<sheetData><row r="1" spans="1:10"/>', 1),
    "pretty-printed": lambda xml: xml.replace(b"<sheetData>", b"<sheetData>\n  ").replace(
        b"<row ", b"\n  <row "
    ),
    "a cell without r": lambda xml: xml.replace(b'<c r="B2000"', b"<c", 1),  # the scan walks every cell
    "header only": lambda xml: re.sub(rb'<row r="(?!1")[0-9]+".*?</row>', b"", xml, flags=re.S),
    "a header and one row": lambda xml: re.sub(rb'<row r="(?![12]")[0-9]+".*?</row>', b"", xml, flags=re.S),
}


@pytest.mark.parametrize("change", ABANDONED.values(), ids=ABANDONED.keys())
def test_an_unusual_sheet_is_not_cut(tmp_path, change):
    data = _sheet_changed(xlsxwriter_book(tmp_path), change)
    assert pieces_of(data, tmp_path, count=3) is None


def test_a_write_that_fails_abandons_the_pieces(tmp_path):
    data = xlsxwriter_book(tmp_path)
    gone = tmp_path / "gone"
    gone.mkdir()
    writer = PieceWriter(data, part_of(data), gone, 2)
    shutil.rmtree(gone)  # as a full disk would: the first write raises OSError
    checked_extent(data, part_of(data), "明细.xlsx", DEFAULT_LIMITS, writer)
    assert writer.finish() is None


class FullDisk(io.BytesIO):
    """A file on a disk that has `room[0]` bytes left, shared by every file on it: a write past it fails."""

    def __init__(self, room: list[int]) -> None:
        super().__init__()
        self.room = room

    def write(self, data) -> int:
        if len(data) > self.room[0]:
            self.room[0] = 0  # full
            raise OSError(28, "No space left on device")
        self.room[0] -= len(data)
        return super().write(data)


@pytest.mark.parametrize("room", [100, 200_000, 1_000_000], ids=["at-once", "in-half-a", "in-half-b"])
def test_a_disk_that_fills_abandons_the_pieces(tmp_path, monkeypatch, room):
    data = xlsxwriter_book(tmp_path)  # 1.5 MB of 话务明细 XML: about 0.75 MB a piece
    real, left = zipfile.ZipFile, [room]

    def on_full_disk(path, *args, **kwargs):
        return real(FullDisk(left), *args, **kwargs) if "w" in args else real(path, *args, **kwargs)

    monkeypatch.setattr("kpi.files.pieces.zipfile.ZipFile", on_full_disk)
    assert pieces_of(data, tmp_path) is None
    assert left[0] == 0  # the disk did fill
