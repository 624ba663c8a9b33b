"""The detail sheets of a workbook (.xlsx/.xls/.ods), loaded by fastexcel straight to Arrow: each sheet's
header found (in its first row or under a title), 话务明细 first with declared types and only the
columns it needs, then, if any cell did not fit, again with the types guessed over all rows so that
no cell is silently lost. A sheet whose cells span too far is refused before fastexcel allocates it.

A large .xlsx 话务明细 sheet is cut into pieces by the extent scan's pass over its XML (`scan_sheets`,
kpi.files.pieces) and its pieces are loaded at once, one per core (`load_pieces`): the same rows, in
half the time and with a third of the memory; anything unusual and the sheet is loaded whole.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import fastexcel
import pyarrow as pa

from kpi.detail.cells import to_text
from kpi.detail.columns import (
    CALLS,
    TableSpec,
    duplicate_headers,
    find_header,
    header_key,
    match_header,
    spec_for_sheet,
)
from kpi.detail.source import ReadOptions, calls_spec
from kpi.detail.tables import RawTable
from kpi.errors import Problem
from kpi.files.extent import Extent, checked_extent, open_book, sheet_extent, sheet_part
from kpi.files.pieces import Pieces, PieceWriter
from kpi.files.safety import DEFAULT_LIMITS, Limits
from kpi.progress import Progress

SPLIT_BYTES = 32 << 20  # a 话务明细 sheet of this much XML (~60,000 rows) or more is loaded in pieces
PIECE_BYTES = 64 << 20  # about this much XML a piece (~125,000 rows): what one core holds at once
# every piece's reader parses the workbook's shared strings again (Excel's 1M rows: 31 MB of them, ~0.5 s
# each; 7 pieces took as long as the whole sheet, 4 pieces 10% less): a piece is at least 4 times theirs
SHARED_WEIGHT = 4


def _first_used_row(source: Path | bytes, sheet: str) -> int:
    """Excel row of a sheet's first used row, from the <dimension> at the head of its XML (else 1).

    fastexcel starts a sheet at its first non-empty row; this keeps reported row numbers true.
    """
    try:
        with open_book(source) as zf:
            name = sheet_part(zf, sheet)
            if name is None:
                return 1
            with zf.open(name) as fh:
                head = fh.read(4096).decode("utf-8", "replace")
        found = re.search(r'<dimension ref="[A-Z]+(\d+)', head)
        return int(found.group(1)) if found else 1
    except (KeyError, zipfile.BadZipFile, OSError):
        return 1


def _locate_header(
    batch: pa.RecordBatch, spec: TableSpec, first_row: int
) -> tuple[dict[str, pa.Array], int, list[object]] | None:
    """Columns by key, the Excel row of the first data row and the header's cells, whether the header
    was the sheet's first row or lay under a title."""
    names = batch.schema.names
    found = match_header(names, spec)
    if len(found) >= 2:
        return {key: batch.column(pos) for pos, key in found.items()}, first_row + 1, list(names)
    preview = [
        [to_text(batch.column(j).slice(0, 20))[i].as_py() for j in range(len(names))]
        for i in range(min(20, batch.num_rows))
    ]
    hit = find_header(preview, spec)
    if hit is None:
        return None
    index, found = hit
    data = batch.slice(index + 1)
    return {key: data.column(pos) for pos, key in found.items()}, first_row + index + 2, preview[index]


TIME_KEYS = ("queue_time", "answer_time", "end_time")


def _dtypes(spec: TableSpec, epoch: bool = False) -> dict[str, str]:
    """fastexcel dtypes by every accepted header (headers not in the sheet are ignored); epoch
    times are numbers."""
    out: dict[str, str] = {}
    for key, aliases in spec.columns.items():
        time = "float" if epoch else "datetime"
        kind = time if key in TIME_KEYS else "float" if key == "talk_seconds" else "string"
        out.update(dict.fromkeys(aliases, kind))
    return out


def reader_failed(exc: BaseException) -> bool:
    """Whether an exception is fastexcel failing on the user's file. Some cells (a number far outside
    the date range in a time column) make it panic in Rust: pyo3's PanicException, a BaseException."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _load(
    reader: fastexcel.ExcelReader,
    name: str,
    spec: TableSpec,
    mapped: TableSpec | None = None,
    epoch: bool = False,
) -> pa.RecordBatch | None:
    """A sheet as Arrow. Call detail first with declared types (fast, and fastexcel says which cells did
    not fit); if any did not (times typed as text, serial numbers, '1,234'), again with the types
    guessed over all rows, so that no cell is silently lost and the converters can read or report it.
    None when fastexcel cannot read the sheet at all.
    """
    if spec.kind == "calls":
        try:
            dtypes, named = declared_types(spec, mapped, epoch)
            for wanted in (named, None):  # only these columns first
                sheet = reader.load_sheet(name, header_row=0, dtypes=dtypes, use_columns=wanted)
                batch, errors = sheet.to_arrow_with_errors()
                if wanted is None or batch.num_columns >= 2:  # else a title above the header: all
                    break
            if errors is None or not errors.errors:
                return batch
        except BaseException as exc:  # noqa: BLE001 - see reader_failed; the guessed read follows
            if not reader_failed(exc):
                raise
    try:
        return reader.load_sheet(name, header_row=0, schema_sample_rows=None).to_arrow()
    except BaseException as exc:  # noqa: BLE001
        if not reader_failed(exc):
            raise
        return None


def declared_types(spec: TableSpec, mapped: TableSpec | None, epoch: bool) -> tuple[dict[str, str], object]:
    """fastexcel's declared dtypes for a 话务明细 sheet and its use_columns: only the columns named so."""
    dtypes = _dtypes(spec) | (_dtypes(mapped, epoch) if mapped is not None else {})
    keys = {header_key(h) for h in dtypes}  # headers as match_header compares them
    return dtypes, lambda column: header_key(column.name) in keys


def load_pieces(
    pieces: Pieces, name: str, spec: TableSpec, mapped: TableSpec | None, epoch: bool
) -> pa.RecordBatch | None:
    """A 话务明细 sheet from its pieces, loaded a piece a core at once (fastexcel releases the GIL),
    joined; None unless each loaded with every cell of its declared type, all with the same columns,
    and each but the last holds exactly the rows up to the next (so the join is the whole sheet's
    rows, in order): then `_load` reads the whole sheet, as without pieces."""
    dtypes, named = declared_types(spec, mapped, epoch)

    def one(path: Path) -> pa.RecordBatch | None:
        try:
            sheet = fastexcel.read_excel(str(path)).load_sheet(
                name, header_row=0, dtypes=dtypes, use_columns=named
            )
            batch, errors = sheet.to_arrow_with_errors()
        except BaseException as exc:  # noqa: BLE001 - see reader_failed
            if not reader_failed(exc):
                raise
            return None
        return None if errors is not None and errors.errors else batch

    with ThreadPoolExecutor(min(len(pieces.paths), os.cpu_count() or 1)) as pool:
        batches = list(pool.map(one, pieces.paths))
    if any(b is None for b in batches) or len({_columns_of(b.schema) for b in batches}) != 1:
        return None
    counts = tuple(b.num_rows for b in batches[:-1])
    if batches[0].num_columns < 2 or counts != pieces.rows_before_last():
        return None
    # fastexcel marks a column without an empty cell "not null": the sheet's column is, if every piece's is
    fields = zip(*(b.schema for b in batches), strict=True)
    schema = pa.schema([same[0].with_nullable(any(f.nullable for f in same)) for same in fields])
    columns = [pa.concat_arrays([b.column(i) for b in batches]) for i in range(len(schema))]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _columns_of(schema: pa.Schema) -> tuple[tuple[str, pa.DataType], ...]:
    return tuple((f.name, f.type) for f in schema)


def _extent_problem(
    source: Path | bytes, file: str, sheet: str, extents: dict[str, Extent], limits: Limits = DEFAULT_LIMITS
) -> Problem | None:
    """A sheet whose cells span more than the limit is refused before fastexcel allocates the whole
    rectangle (a header in A1 and one cell in XFD1048576 would ask for hundreds of GiB and abort).
    `extents`: the bounds found by the screening's scan, by zip entry."""
    extent = _known_extent(source, sheet, extents) or sheet_extent(source, sheet)
    if extent is not None and extent.cells > limits.max_detail_cells and not extent.exact:
        extent = sheet_extent(source, sheet, exact=True)
    if extent is None or extent.cells <= limits.max_detail_cells:
        return None
    return Problem(
        f"工作表范围过大（上限 {limits.max_detail_cells:,} 个单元格）",
        file,
        sheet,
        value=f"{extent.rows:,} 行 × {extent.columns:,} 列 = {extent.cells:,} 个单元格",
        expected="只含话务数据的工作表（删去远处的单元格，或另存为 CSV 再导入；疑似恶意构造的文件，拒绝读取）",
    )


def _known_extent(source: Path | bytes, sheet: str, extents: dict[str, Extent]) -> Extent | None:
    if not extents:
        return None
    try:
        with open_book(source) as book:
            return extents.get(sheet_part(book, sheet) or "")
    except (zipfile.BadZipFile, OSError, KeyError):
        return None


def excel_tables(
    source: Path | bytes,
    file: str,
    kind: str,
    report: Progress,
    options: ReadOptions,
    extents: dict[str, Extent],
    pieces: dict[str, Pieces],
) -> tuple[list[RawTable], list[Problem]]:
    try:
        reader = fastexcel.read_excel(source if isinstance(source, bytes) else str(source))
    except BaseException as exc:  # noqa: BLE001 - any failure to open is the user's file, reported
        if not reader_failed(exc):
            raise
        return [], [Problem("无法读取 Excel 文件（文件可能已损坏）", file)]
    tables, problems = [], []
    wanted = [n for n in reader.sheet_names if spec_for_sheet(n)]
    for i, name in enumerate(wanted):
        spec = spec_for_sheet(name)
        profile = options.source  # a platform export saved as a workbook: its own headers
        mapped = calls_spec(profile) if spec is CALLS and profile and profile.layout == "table" else None
        report(f"读取 {file}「{name}」", i / len(wanted))
        too_wide = _extent_problem(source, file, name, extents) if kind == "xlsx" else None
        if too_wide is not None:
            problems.append(too_wide)
            continue
        epoch = bool(profile and profile.is_epoch)
        batch = load_pieces(pieces[name], name, spec, mapped, epoch) if name in pieces else None
        if batch is None:
            batch = _load(reader, name, spec, mapped, epoch)
        if batch is None:
            problems.append(
                Problem(
                    "无法读取工作表：有单元格的内容超出范围，或文件已损坏",
                    file,
                    name,
                    expected=f"{spec.label}（可在 Excel/WPS 中打开后另存为 .xlsx 或 CSV 再导入）",
                )
            )
            continue
        first_row = _first_used_row(source, name) if kind == "xlsx" else 1
        located = _locate_header(batch, spec, first_row)
        sheet_options = replace(options, source=None)  # our own headers: our own way of writing
        if mapped is not None:
            hit = _locate_header(batch, mapped, first_row)
            if hit is not None and (located is None or len(hit[0]) > len(located[0])):
                located, spec, sheet_options = hit, mapped, options
        if located is None:
            problems.append(
                Problem(
                    f"工作表里找不到{spec.label}的表头",
                    file,
                    name,
                    expected="、".join(spec.header_of(k) for k in spec.required),
                )
            )
            continue
        columns, data_row, header = located
        problems += duplicate_headers(header, spec, file, name)
        tables.append(RawTable(spec, file, name, data_row, columns, sheet_options))
    return tables, problems


def scan_sheets(
    raw: bytes, parts: dict[str, str], file: str, limits: Limits, stack: ExitStack
) -> tuple[dict[str, Extent], dict[str, Pieces]]:
    """Each detail sheet's extent (raises Refused), and the pieces of each large 话务明细 sheet, written
    by the same pass over its XML (kpi.files.pieces), by sheet name."""
    extents, pieces = {}, {}
    for part, sheet in parts.items():
        count = _piece_count(raw, part) if spec_for_sheet(sheet) is CALLS else 1
        folder = _temporary_folder(stack) if count > 1 else None
        writer = None if folder is None else PieceWriter(raw, part, folder, count)
        if writer is not None:
            stack.callback(writer.abandon)  # its files closed before its folder goes, if the scan raised
        extents[part] = checked_extent(raw, part, file, limits, writer)
        if writer is not None and (done := writer.finish()) is not None:
            pieces[sheet] = done
    return extents, pieces


def _temporary_folder(stack: ExitStack) -> Path | None:
    """A private folder for a sheet's pieces, removed when `stack` closes; None where none can be made
    (the sheet is then loaded whole)."""
    try:
        folder = tempfile.TemporaryDirectory(prefix="kpi-pieces-", ignore_cleanup_errors=True)
    except OSError:
        return None
    return Path(stack.enter_context(folder))


def _piece_count(raw: bytes, part: str) -> int:
    """How many pieces a 话务明细 sheet is loaded in: with two cores or more, a sheet of SPLIT_BYTES of
    XML or more (below that, writing pieces costs about what it saves) in pieces of about PIECE_BYTES,
    or SHARED_WEIGHT times the shared strings' XML if more (at least one piece a core); else 1, whole."""
    cores = os.cpu_count() or 1
    with open_book(raw) as book:
        size = book.getinfo(part).file_size
        shared = sum(i.file_size for i in book.infolist() if i.filename.lower().endswith("sharedstrings.xml"))
    if cores < 2 or size < SPLIT_BYTES:
        return 1
    return max(cores, -(-size // max(PIECE_BYTES, SHARED_WEIGHT * shared)))
