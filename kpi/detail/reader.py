"""READ step for the detail sheets: 话务明细 (one or several sheets or files), 坐席名册, 考试成绩.

.xlsx/.xls/.ods go through fastexcel straight to Arrow (one read of each sheet, types guessed over
all rows so a stray text cell turns the column into text instead of silently becoming empty);
.csv is decoded strictly as UTF-8 (with or without BOM), else GB18030 (a superset of GBK).
Rows with a problem are reported (located, in Chinese) and left out of the tables returned.
Several files of one month are read at once, one per core (`_read_files`), gathered in the order given;
a workbook's sheets are loaded by kpi.detail.workbook (a large 话务明细 sheet in pieces, one per core).

Longer than ~250 lines because sheet finding, screening and the three sheet kinds share one
read of each file; splitting would open each file twice or pass half-read state between modules.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import fastexcel
import pandas as pd

from kpi.detail.calls import build_calls
from kpi.detail.columns import (
    CALLS,
    EXAM,
    ROSTER,
    spec_for_sheet,
)
from kpi.detail.csv_files import HEAD_LINES, csv_table
from kpi.detail.people import build_exam, build_roster, check_agents, vendors_from_roster
from kpi.detail.source import ReadOptions
from kpi.detail.tables import RawTable
from kpi.detail.workbook import excel_tables, reader_failed, scan_sheets
from kpi.disk import TextHead, is_regular, read_capped
from kpi.errors import Problem
from kpi.files.extent import WORKSHEET, Extent, open_book, sheet_part
from kpi.files.pieces import Pieces
from kpi.files.safety import (
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
                extents, pieces = scan_sheets(raw, parts, name, options.limits, stack)
            except Refused as refused:
                found = [refused.problem]
        if isinstance(source, Path) and kind in WORKBOOK_KINDS:
            raw = None
        if found:
            return [], found
        if kind in WORKBOOK_KINDS:
            return excel_tables(source, name, kind, report, options, extents, pieces)
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
    if len(sources) > 1:  # a call given in two files is told by its 呼叫流水号
        options = replace(options, call_ids=True)
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
