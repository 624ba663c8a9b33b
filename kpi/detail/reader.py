"""READ step for the detail sheets: 话务明细 (one or several sheets or files), 坐席名册, 考试成绩.

.xlsx/.xls/.ods go through fastexcel straight to Arrow (one read of each sheet, types guessed over
all rows so a stray text cell turns the column into text instead of silently becoming empty);
.csv is decoded strictly as UTF-8 (with or without BOM), else GB18030 (a superset of GBK).
Rows with a problem are reported (located, in Chinese) and left out of the tables returned.
Several files of one month are read at once, one per core (`_read_files`), gathered in the order given.

Longer than ~250 lines because sheet finding, screening and the three sheet kinds share one
read of each file; splitting would open each file twice or pass half-read state between modules.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import fastexcel
import pandas as pd
import pyarrow as pa

from kpi.detail.calls import build_calls
from kpi.detail.cells import to_text
from kpi.detail.columns import (
    CALLS,
    EXAM,
    ROSTER,
    TableSpec,
    duplicate_headers,
    find_header,
    header_key,
    match_header,
    spec_for_sheet,
)
from kpi.detail.csv_files import HEAD_LINES, csv_table
from kpi.detail.people import build_exam, build_roster, check_agents, vendors_from_roster
from kpi.detail.source import ReadOptions, calls_spec
from kpi.detail.tables import RawTable
from kpi.disk import TextHead, is_regular, read_capped
from kpi.errors import Problem
from kpi.files.extent import Extent, checked_extent, open_book, sheet_extent, sheet_part
from kpi.files.pieces import Pieces, PieceWriter
from kpi.files.safety import (
    DEFAULT_LIMITS,
    SPREADSHEET,
    WORKBOOK_KINDS,
    ZIP_MAGICS,
    Limits,
    is_workbook_head,
    screen,
)
from kpi.files.zips import Refused, xlsx_sheet_names
from kpi.lines import newline_of, too_many_lines
from kpi.progress import Progress, no_progress

# fastexcel logs "Could not determine dtype … falling back to string" for empty columns; the readers
# below handle that case and report what matters in Chinese, so its English warnings stay quiet.
logging.getLogger("fastexcel").setLevel(logging.ERROR)
WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")  # an entry fastexcel opens only to load its sheet
SPLIT_BYTES = 32 << 20  # a 话务明细 sheet of this much XML (~60,000 rows) or more is loaded in pieces
PIECE_BYTES = 64 << 20  # about this much XML a piece (~125,000 rows): what one core holds at once


@dataclass(frozen=True)
class DetailData:
    """The detail read from one workbook or several files; a table is None when it was not given."""

    calls: pd.DataFrame | None = None  # see kpi.detail.tables.CALL_COLUMNS
    roster: pd.DataFrame | None = None  # see kpi.detail.people
    exam: pd.DataFrame | None = None
    problems: tuple[Problem, ...] = ()
    sources: tuple[str, ...] = field(default=())
    notices: tuple[str, ...] = ()  # what was read in a way worth saying (clock skew taken as such)

    @property
    def has_calls(self) -> bool:
        return self.calls is not None


def detail_sheets(source: str | Path | bytes, name: str = "") -> list[str]:
    """Names of the detail sheets in a workbook (a path, or bytes with their file `name`); empty for a
    CSV or a workbook without detail. What the file is comes from its first bytes, not its name."""
    if not is_workbook(source):
        return []
    head = source[:4] if isinstance(source, bytes) else _head(source)
    if head.startswith(ZIP_MAGICS):  # from the workbook part, before anything that trusts no size opens it
        return [n for n in xlsx_sheet_names(source) or () if spec_for_sheet(n)]
    try:
        names = fastexcel.read_excel(source if isinstance(source, bytes) else str(source)).sheet_names
    except BaseException as exc:  # noqa: BLE001 - a broken file is reported by whoever reads it for real
        if not reader_failed(exc):
            raise
        return []
    return [n for n in names if spec_for_sheet(n)]


def _head(path: str | Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(4)


def has_detail(path: str | Path) -> bool:
    """Whether a workbook holds a 话务明细 sheet."""
    return any(spec_for_sheet(n) is CALLS for n in detail_sheets(path))


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
            dtypes, named = _typed(spec, mapped, epoch)
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


def _typed(spec: TableSpec, mapped: TableSpec | None, epoch: bool) -> tuple[dict[str, str], object]:
    """fastexcel's declared dtypes for a 话务明细 sheet and its use_columns: only the columns named so."""
    dtypes = _dtypes(spec) | (_dtypes(mapped, epoch) if mapped is not None else {})
    keys = {header_key(h) for h in dtypes}  # headers as match_header compares them
    return dtypes, lambda column: header_key(column.name) in keys


def _load_pieces(
    pieces: Pieces, name: str, spec: TableSpec, mapped: TableSpec | None, epoch: bool
) -> pa.RecordBatch | None:
    """A 话务明细 sheet from its pieces, loaded a piece a core at once (fastexcel releases the GIL),
    joined; None unless each loaded with every cell of its declared type, all with the same columns,
    and each but the last holds exactly the rows up to the next (so the join is the whole sheet's
    rows, in order): then `_load` reads the whole sheet, as without pieces."""
    dtypes, named = _typed(spec, mapped, epoch)

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


def _excel_tables(
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
        batch = _load_pieces(pieces[name], name, spec, mapped, epoch) if name in pieces else None
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


def read_detail(
    paths: str | Path | Iterable[str | Path],
    *,
    progress: Progress | None = None,
    options: ReadOptions | None = None,
) -> DetailData:
    """Read the detail sheets of one workbook, or of several workbooks/CSV files making up a month.
    `options`: the source profile of call-detail files, the rulebook's time zone and clock skew."""
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    folders: dict[str, set[object]] = {}
    for path in paths:
        folders.setdefault(path.name, set()).add(_identity(path))
    # two files of the same name (from two folders) are told apart by the path as given
    return _read([(p, str(p) if len(folders[p.name]) > 1 else p.name) for p in paths], progress, options)


def read_detail_bytes(
    data: bytes, name: str, *, progress: Progress | None = None, options: ReadOptions | None = None
) -> DetailData:
    """As read_detail, on an uploaded file's bytes (`name` appears in messages)."""
    return _read([(data, name)], progress, options)


def read_detail_uploads(
    files: Sequence[tuple[bytes, str]],
    *,
    progress: Progress | None = None,
    options: ReadOptions | None = None,
) -> DetailData:
    """As read_detail, on several uploaded files' (bytes, name) making up one month."""
    return _read(list(files), progress, options)


def is_workbook(source: str | Path | bytes) -> bool:
    """Whether a file (path or bytes) is a zip or OLE container, by its first bytes."""
    if isinstance(source, bytes):
        return is_workbook_head(source[:8])
    if not is_regular(source):  # a device or a pipe is no workbook (and is never opened here)
        return False
    with open(source, "rb") as handle:
        return is_workbook_head(handle.read(8))


def _identity(source: Path | bytes) -> object:
    """What makes two given files the same file: its resolved path, or an upload's content."""
    if isinstance(source, bytes):
        return hashlib.sha256(source).digest()
    try:
        return source.resolve()
    except OSError:
        return source


def _raw(source: Path | bytes, name: str, limits: Limits) -> tuple[bytes | TextHead | None, Problem | None]:
    """A detail file's bytes: a workbook capped by its bytes, a text file by its lines (an upload's
    lines are counted in memory)."""
    if not isinstance(source, bytes):
        bounds = (limits.max_rows, limits.max_rows + HEAD_LINES, limits.max_line_bytes, is_workbook_head)
        return read_capped(source, name, limits.max_bytes, SPREADSHEET, bounds)
    if not is_workbook_head(source[:8]):
        lines = source.count(newline_of(source[:2]))
        if lines > limits.max_rows + HEAD_LINES:
            return None, too_many_lines(name, lines, limits.max_rows)
    return source, None


def _read_file(
    source: Path | bytes, name: str, options: ReadOptions, report: Progress
) -> tuple[list[RawTable], list[Problem]]:
    """One detail file's tables and problems."""
    # hostile, encrypted or non-spreadsheet files are refused unread; a workbook on disk is then
    # read from its path (fastexcel copies bytes it is given: 10% more peak memory on 1M rows)
    raw, refused = _raw(source, name, options.limits)
    if refused is not None:  # not found, not a regular file (/dev/zero, a pipe), or too large
        return [], [refused]
    if isinstance(raw, TextHead):  # a large text file: its head tells what it is (kpi.disk.TextHead)
        found = screen(raw.data, name, options.limits, capped=False)[1]  # (no zip or OLE container)
        return ([], found) if found else csv_table([raw], name, options, path=source)
    # fastexcel trusts no declared size; a text file is bounded by its lines, not its bytes
    # the detail sheets' entries are inflated and checked once, by the extent scan, not twice
    parts = _detail_parts(raw) if raw.startswith(ZIP_MAGICS) else {}
    extents: dict[str, Extent] = {}
    pieces: dict[str, Pieces] = {}
    kind, found = screen(
        raw, name, options.limits, inflate=True, capped=is_workbook_head(raw[:8]), defer=tuple(parts)
    )
    with ExitStack() as stack:  # the pieces' temporary folders, removed once the sheets are loaded
        if not found and kind == "xlsx":
            try:
                extents, pieces = _scanned(raw, parts, name, options.limits, stack)
            except Refused as refused:
                found = [refused.problem]
        if isinstance(source, Path) and kind in WORKBOOK_KINDS:
            raw = None
        if found:
            return [], found
        if kind in WORKBOOK_KINDS:
            return _excel_tables(source, name, kind, report, options, extents, pieces)
    held, raw = [raw], None  # handed over: csv_table lets a large file's bytes go before parsing
    return csv_table(held, name, options, path=source if isinstance(source, Path) else None)


def _detail_parts(raw: bytes) -> dict[str, str]:
    """The worksheet entries of an .xlsx's detail sheets (by its workbook part and relationships), in
    order, each with the first sheet's name that points at it; a name the zip holds twice is not one
    (which of the two a reader opens is its own choice)."""
    try:
        with open_book(raw) as book:
            counts = Counter(book.namelist())
            found = [(sheet_part(book, n), n) for n in xlsx_sheet_names(raw) or () if spec_for_sheet(n)]
    except Exception:  # noqa: BLE001 - a damaged zip: the screening reports it
        return {}
    parts: dict[str, str] = {}
    for part, sheet in found:
        if part and counts[part] == 1 and WORKSHEET.fullmatch(part):
            parts.setdefault(part, sheet)
    return dict(sorted(parts.items()))


def _scanned(
    raw: bytes, parts: dict[str, str], file: str, limits: Limits, stack: ExitStack
) -> tuple[dict[str, Extent], dict[str, Pieces]]:
    """Each detail sheet's extent (raises Refused), and the pieces of each large 话务明细 sheet, written
    by the same pass over its XML (kpi.files.pieces), by sheet name."""
    extents, pieces = {}, {}
    for part, sheet in parts.items():
        count = _piece_count(raw, part) if spec_for_sheet(sheet) is CALLS else 1
        writer = None
        if count > 1:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kpi-pieces-")))
            writer = PieceWriter(raw, part, folder, count)
            stack.callback(writer.abandon)  # its files closed before its folder goes, if the scan raised
        extents[part] = checked_extent(raw, part, file, limits, writer)
        if writer is not None and (done := writer.finish()) is not None:
            pieces[sheet] = done
    return extents, pieces


def _piece_count(raw: bytes, part: str) -> int:
    """How many pieces a 话务明细 sheet is loaded in: with two cores or more, a sheet of SPLIT_BYTES of
    XML or more (below that, writing pieces costs about what it saves) in pieces of about PIECE_BYTES
    (at least one a core); else 1, loaded whole."""
    cores = os.cpu_count() or 1
    with open_book(raw) as book:
        size = book.getinfo(part).file_size
    if cores < 2 or size < SPLIT_BYTES:
        return 1
    return max(cores, -(-size // PIECE_BYTES))


def _read_files(
    sources: list[tuple[Path | bytes, str]], report: Progress, options: ReadOptions
) -> list[tuple[list[RawTable], list[Problem]]]:
    """Each file's tables and problems, in the order given. Several files are read at once, one per
    core (pyarrow and fastexcel release the GIL while they parse); what they give is the same."""
    results: list[tuple[list[RawTable], list[Problem]] | None] = []
    seen: dict[object, int] = {}
    for i, (source, name) in enumerate(sources):
        twice = seen.setdefault(_identity(source), i) != i
        problem = Problem(
            "同一个明细文件给出了两次（其中的呼叫会被计两次）", name, expected="每个明细文件只给一次"
        )
        results.append(([], [problem]) if twice else None)
    todo = [i for i, r in enumerate(results) if r is None]
    workers = min(len(todo), os.cpu_count() or 1)
    if workers <= 1:
        for i in todo:
            report(f"读取 {sources[i][1]}", i / max(1, len(sources)))
            results[i] = _read_file(*sources[i], options, report)
    else:
        with ThreadPoolExecutor(workers) as pool:
            running = {i: pool.submit(_read_file, *sources[i], options, no_progress) for i in todo}
            for i in todo:  # progress is told from this thread, in the files' order
                report(f"读取 {sources[i][1]}", i / max(1, len(sources)))
                results[i] = running.pop(i).result()
    return [r for r in results if r is not None]


def _read(
    sources: list[tuple[Path | bytes, str]], progress: Progress | None, options: ReadOptions | None = None
) -> DetailData:
    report = progress or no_progress
    options = options or ReadOptions()
    tables: list[RawTable] = []
    problems: list[Problem] = []
    for more, found in _read_files(sources, report, options):
        tables += more
        problems += found
    report("读取明细", 1.0)
    call_tables = [t for t in tables if t.spec.kind == "calls"]
    calls, found, notices = build_calls(call_tables)
    problems += found
    roster, found = build_roster([t for t in tables if t.spec is ROSTER])
    problems += found
    if calls is not None and not found:
        no_vendor = [t.label for t in call_tables if "vendor" not in t.columns]
        calls, found = vendors_from_roster(calls, roster, no_vendor)
        problems += found
    exam, found = build_exam([t for t in tables if t.spec is EXAM])
    problems += found
    problems += check_agents(calls, roster)
    report("检查明细", 1.0)
    names = tuple(name for _, name in sources)
    return DetailData(calls, roster, exam, tuple(problems), names, tuple(notices))
