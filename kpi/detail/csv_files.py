"""Detail text files (CSV, tab-separated 'Unicode text', a platform's own log): the encoding and
header found from the first bytes (kpi.detail.encodings; UTF-16 with BOM, UTF-8, else GB18030), the
delimiter from the header line (comma, tab, semicolon, pipe) unless the source profile names it,
header found under any title line; then pyarrow parses the rest straight from the file's bytes (or a
transcoded stream) in parallel blocks, only the columns the detail uses, as text (an 11-digit caller
stays text, a leading 0 stays) for the same converters as Excel sheets; the time columns, when the first
rows' times are `YYYY-MM-DD hh:mm:ss`, as times by Arrow's ISO-8601 reading (which reads every shape
it takes as the text reading does; any cell it refuses sends the file back to the text reading). Longer than ~250 lines: the
header, headerless and ragged-line paths share one parse. A profile may name the columns of a file without
a header line (`fields`), or a layout that first turns a platform's log into calls (kpi.detail.platforms).
A reading that shows no call (ReadOptions.call_ids off: a score) leaves out the 呼叫流水号 column, unless
a row without a queue time may be a 合计 line.
"""

from __future__ import annotations

import csv
import ctypes
import io
import os
import re
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from kpi.detail.cells import present
from kpi.detail.columns import (
    CALLS,
    EXAM,
    ROSTER,
    TableSpec,
    duplicate_headers,
    find_header,
    match_header,
    spec_for_sheet,
)
from kpi.detail.encodings import (  # noqa: F401 - decode_csv: part of this module's interface
    HEAD_LINES,
    Body,
    body_encoding,
    decode_csv,
    head_lines,
    whole_text,
)
from kpi.detail.platforms import layout_table
from kpi.detail.source import ReadOptions, calls_spec
from kpi.detail.tables import LIMIT, RawTable
from kpi.detail.times import TIMESTAMP, common_times
from kpi.disk import TextHead
from kpi.errors import Problem, show_value
from kpi.files.safety import Limits
from kpi.lines import too_many_lines

DELIMITERS = (",", "\t", ";", "|")
TIME_KEYS = ("queue_time", "answer_time", "end_time")
COMMON_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}|")  # or empty
# call-detail columns of few distinct values, parsed as dictionaries (4-byte codes, not text per row)
FEW_KEYS = ("agent_id", "vendor", "queue", "connected", "expert_transfer", "transferred")
# call-detail columns read only when wanted (ReadOptions.call_ids) or a row may be a 合计 line: a
# 5M-row month's 呼叫流水号 are ~90 MB of text a score never shows (0.1-0.4 s, 35-90 MB of peak less)
DEFERRED_KEYS = ("call_id",)
# a file read whole (UTF-16, or one that cannot be mapped) larger than this is parsed from its path,
# its bytes let go; a larger text file on disk is never read whole (kpi.disk.TextHead)
RELEASE_BYTES = 1 << 24
TRIM_BYTES = 1 << 22  # a parsed column at least this large has its blocks handed back (`_release`)
DEFAULT_BLOCK = 1 << 20  # pyarrow's own: a longer cell is refused (kpi.detail.csv_files._unparsable)
# a file parsed from its path had every line checked to be at most Limits.max_line_bytes (1 MiB by
# default) long while its lines were counted: it is parsed in larger blocks (5M rows: ~0.14 s less)
PATH_BLOCK = 1 << 22
DEFAULT = ReadOptions()
# where glibc's malloc_trim is there, the parser's blocks come from the C library's allocator, which
# keeps the pages it freed for the next block (5M rows: half the parse's system time, ~0.4 s; Arrow's
# jemalloc is set to hand every freed page back at once, kpi.cli.usage.lean_arrow_memory); what it
# kept is handed back by malloc_trim (`_release`) as each parsed column is settled into Arrow's pool
_TRIM = getattr(ctypes.CDLL(None), "malloc_trim", None) if sys.platform.startswith("linux") else None
PARSE_POOL = pa.system_memory_pool() if _TRIM is not None else None


class Unreadable(Exception):
    """A CSV file that cannot be split at all (a cell over the parsers' limits): one located problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _unparsable(lines: list[str], file: str, exc: Exception, offset: int = 0) -> Problem:
    """Where a parser gave up: the first line holding a cell over the csv module's limit, if any
    (`lines` begin after `offset` lines of the file)."""
    limit = csv.field_size_limit()
    line = next((offset + i for i, t in enumerate(lines, 1) if len(t) > limit), None)
    if line is not None:
        return Problem(
            f"单元格内容过长（超过 {limit:,} 个字符）",
            file,
            row=line,
            expected=f"每个单元格不超过 {limit:,} 个字符的 CSV 文件",
        )
    return Problem("CSV 文件无法解析", file, value=show_value(str(exc)), expected="规范的 CSV 文件")


def _head(lines: list[str], delimiter: str, file: str = "") -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    except csv.Error as exc:  # a cell over the csv module's field limit (131,072 characters), or worse
        raise Unreadable(_unparsable(lines, file, exc)) from None


def _find(
    lines: list[str], specs: list[TableSpec], by_name: bool, delimiters: tuple[str, ...]
) -> tuple[TableSpec, int, dict[int, str], str, list[list[str]]] | None:
    """The spec, header line, its columns and the delimiter that find the fullest header (the
    profile's delimiter, if it names one, is for call detail: roster and exam files are detected)."""
    best = None
    for delimiter in DELIMITERS:
        head = _head(lines, delimiter)
        for spec in specs:
            if spec.kind == "calls" and delimiter not in delimiters:
                continue
            hit = find_header(head, spec)
            if hit is None or not (by_name or len(match_header(head[hit[0]], spec)) >= len(spec.required)):
                continue
            if best is None or len(hit[1]) > len(best[2]):
                best = (spec, hit[0], hit[1], delimiter, head)
    return best


def csv_table(
    raw: bytes | list[bytes | TextHead], file: str, options: ReadOptions = DEFAULT, path: Path | None = None
) -> tuple[list[RawTable], list[Problem]]:
    """The tables of a detail CSV file (call detail through `options.source`, roster, exam), with every
    problem located; a file no parser can split is one problem, never a traceback. The bytes may be
    handed over as the only item of a list, with the `path` they were read from: the list is then
    emptied once the header is found, and pyarrow parses the file itself (the file's text is not
    held as bytes and as parsed columns at once); a large file read from `path` may be handed over
    as its kpi.disk.TextHead."""
    try:
        return _csv_table(raw, file, options, path)
    except Unreadable as exc:
        return [], [replace(exc.problem, file=file)]


def _csv_table(
    held: bytes | list[bytes | TextHead], file: str, options: ReadOptions, path: Path | None
) -> tuple[list[RawTable], list[Problem]]:
    given = held[0] if isinstance(held, list) else held
    large = given if isinstance(given, TextHead) else None  # a large file, given by its head
    raw = large.data if large else given  # the file's bytes (or its head's)
    assert large is None or path is not None, "a file given by its head is parsed from its path"
    profile = options.source
    found_codec = body_encoding(raw, profile.encoding if profile else "auto", large.utf8 if large else None)
    if found_codec is None:
        return [], [
            Problem("CSV 文件的编码无法识别", file, expected="UTF-8、UTF-16（带 BOM）或 GBK/GB18030 编码")
        ]
    codec, bom = found_codec
    delimiters = (profile.delimiter,) if profile and profile.delimiter else DELIMITERS
    calls = calls_spec(profile)
    by_name = spec_for_sheet(Path(file).stem)
    specs = [calls if by_name is CALLS else by_name] if by_name else [calls, ROSTER, EXAM]
    if profile and profile.layout != "table":
        specs = [s for s in specs if s is not calls]
    try:
        lines, ends = head_lines(raw, codec, bom)
    except UnicodeDecodeError:
        return [], [
            Problem("CSV 文件的编码无法识别", file, expected="UTF-8、UTF-16（带 BOM）或 GBK/GB18030 编码")
        ]
    found = _find(lines, specs, by_name is not None, delimiters) if specs else None
    if found is None and profile and profile.layout == "asterisk-queue-log":
        whole = path.read_bytes() if large else raw
        return layout_table(profile.layout, whole_text(whole, codec, bom).splitlines(), file, options)
    if found is None and profile and (profile.layout != "table" or profile.fields):
        body = Body(b"", codec, bom, 0, path) if large else Body(raw, codec, bom, 0)
        return _headerless(body, lines, file, options, delimiters[0])
    if found is None:
        return [], [
            Problem(
                "CSV 文件里找不到话务明细、坐席名册或考试成绩的表头",
                file,
                expected="如「主叫号码」「入队时间」等表头（其他平台的话单请用 --source 指定来源配置）",
            )
        ]
    spec, index, columns_at, delimiter, head = found
    limits = options.limits
    if len(head[index]) > limits.max_columns:
        return [], [_too_wide(file, index + 1, len(head[index]), limits.max_columns)]
    deferred = spec is calls and not options.call_ids  # (see DEFERRED_KEYS)
    read_at = {pos: key for pos, key in columns_at.items() if not (deferred and key in DEFERRED_KEYS)}
    body = Body(raw, codec, bom + ends[index], index + 1)
    if large or (
        isinstance(held, list) and path is not None and len(raw) - body.offset > max(RELEASE_BYTES, 4096)
    ):
        held.clear()  # the caller's reference: now only this frame holds the bytes
        body, raw = replace(body, raw=b"", path=path), None
    few = [pos for pos, key in read_at.items() if key in FEW_KEYS] if spec is calls else []
    early = TIME_KEYS if spec is calls and options.time_reading().fmt == "auto" else ()
    times = [pos for pos, key in read_at.items() if key in early]
    if not all(
        COMMON_TIME.fullmatch(row[pos]) for row in head[index + 1 :] for pos in times if pos < len(row)
    ):
        times = []  # the first rows' times are not all of the usual shape: parsed as text
    table, problems = _read_table(
        body, len(head[index]), sorted(read_at), delimiter, file, limits, few=few, times=times
    )
    if table is None:
        return [], problems
    problems = duplicate_headers(head[index], spec, file, "") + problems
    parsed = {key: table.column(f"c{pos}") for pos, key in read_at.items()}
    if len(read_at) < len(columns_at) and _may_be_totals(parsed.get("queue_time")):
        later = sorted(set(columns_at) - set(read_at))
        again = _parsed_again(body, len(head[index]), later, delimiter, file, limits, table.num_rows)
        parsed |= {columns_at[pos]: column for pos, column in again.items()}
    del table
    keys = list(parsed)
    with ThreadPoolExecutor(min(len(keys), os.cpu_count() or 1) or 1) as pool:  # Arrow releases the GIL
        done = dict(zip(keys, pool.map(partial(_settled, parsed, early), keys), strict=True))
    columns = {key: arr for key, (arr, _) in done.items()}
    typed = frozenset(key for key, (_, is_time) in done.items() if is_time)
    options = options if spec is calls else DEFAULT
    return [RawTable(spec, file, "", index + 2, columns, options, typed=typed)], problems


def _may_be_totals(queue: pa.ChunkedArray | None) -> bool:
    """Whether a row has no queue time: it may be a 合计 line, which its 呼叫流水号 can tell
    (kpi.detail.cells.total_rows), so that column is read after all."""
    if queue is None or pa.types.is_timestamp(queue.type):
        return queue is not None and queue.null_count > 0
    return not pc.all(present(queue)).as_py()


def _parsed_again(
    body: Body, width: int, wanted: list[int], delimiter: str, file: str, limits: Limits, rows: int
) -> dict[int, pa.ChunkedArray]:
    """Columns left out of the first parse, parsed now: the same lines, so the same rows (a line
    with another column count is left out again; it was reported by the first parse)."""
    table, _ = _read_table(body, width, wanted, delimiter, file, limits)
    assert table is not None and table.num_rows == rows, "the same lines parsed twice give the same rows"
    return {pos: table.column(f"c{pos}") for pos in wanted}


def _release() -> None:
    """The memory the parser's allocator kept, handed back (glibc's malloc_trim; Arrow's own
    `release_unused` of the system pool leaves it held)."""
    if _TRIM is not None:
        _TRIM(0)


def _settled(parsed: dict[str, pa.ChunkedArray], early: tuple[str, ...], key: str) -> tuple[pa.Array, bool]:
    """A parsed column as one array (its chunks freed: it is taken out of `parsed`), and whether it
    became times: a time column of the usual shape is kept as 8-byte times, not 19-byte text."""
    column = parsed.pop(key)
    large = column.nbytes >= TRIM_BYTES
    if pa.types.is_timestamp(column.type):  # read as times by the parser (see _read_table)
        settled = _one_array(column), True
    else:
        stamps = common_times(column, with_t=False) if key in early else None
        settled = (stamps, True) if stamps is not None else (_one_array(column), False)
    del column
    if large:  # each column's parsed blocks handed back as it is settled: never all held twice
        _release()  # (a small file's few blocks are not worth walking the allocator's heaps for)
    return settled


def _too_wide(file: str, line: int, width: int, most: int) -> Problem:
    return Problem(
        f"表头列数过多（上限 {most:,} 列）", file, row=line, value=f"{width:,} 列", expected="话务明细的表头"
    )


def _column(table: pa.Table, pos: int) -> pa.Array:
    return _one_array(table.column(f"c{pos}"))


def _one_array(column: pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if column.num_chunks else pa.array([], column.type)


def _headerless(
    body: Body, lines: list[str], file: str, options: ReadOptions, delimiter: str
) -> tuple[list[RawTable], list[Problem]]:
    """A file without a header line (its `body` from the first line), read by the profile's
    `fields` (or its layout)."""
    profile = options.source
    assert profile is not None
    width = len(_head(lines[:1], delimiter)[0]) if lines else 0
    if width > options.limits.max_columns:
        return [], [_too_wide(file, 1, width, options.limits.max_columns)]
    table, problems = _read_table(body, width, range(width), delimiter, file, options.limits)
    if table is None:
        return [], problems
    named = {}
    for j in range(min(width, len(profile.fields))):
        named[profile.fields[j]] = _column(table, j)
        table = table.drop_columns([f"c{j}"])
    del table
    _release()
    if profile.layout != "table":
        tables, more = layout_table(profile.layout, named, file, options)
        return tables, problems + more
    spec = calls_spec(profile)
    by_header = {header: key for key, header in profile.headers().items()}
    columns = {by_header[name]: arr for name, arr in named.items() if name in by_header}
    return [RawTable(spec, file, "", 1, columns, options)], problems


def _read_table(
    body: Body,
    width: int,
    wanted: Iterable[int],
    delimiter: str,
    file: str,
    limits: Limits,
    few: Iterable[int] = (),
    times: Iterable[int] = (),
) -> tuple[pa.Table | None, list[Problem]]:
    """The body's lines as text columns (only the `wanted` ones; the `few` ones as dictionaries of
    their text); lines with another column count are reported; None when no parser can split it, or
    it holds more rows than the limit."""
    names = [f"c{j}" for j in range(width)]
    types = dict.fromkeys((f"c{j}" for j in wanted), pa.string())
    types.update(dict.fromkeys((f"c{j}" for j in few), pa.dictionary(pa.int32(), pa.string())))
    ragged: list[pacsv.InvalidRow] = []
    try:
        table = None
        if times:  # times as 8-byte times, not 19-byte text; any cell Arrow's ISO reading refuses: as text
            try:
                timed = {**types, **dict.fromkeys((f"c{j}" for j in times), TIMESTAMP)}
                table = _parse(body, names, timed, ragged, delimiter, use_threads=True)
            except pa.ArrowInvalid:
                ragged.clear()
        if table is None:
            table = _parse(body, names, types, ragged, delimiter, use_threads=True)
        if ragged:  # parse again on one thread: only then does pyarrow say which line each one is
            ragged.clear()
            table = _parse(
                body,
                names,
                dict(zip(table.column_names, table.schema.types, strict=True)),
                ragged,
                delimiter,
                use_threads=False,
            )
    except pa.ArrowInvalid as exc:  # a cell larger than pyarrow's block (1 MB), or worse
        lines = whole_text(body.data(), body.codec, body.offset).splitlines()
        return None, [_unparsable(lines, file, exc, body.start)]
    except UnicodeDecodeError:
        return None, [
            Problem("CSV 文件的编码无法识别", file, expected="UTF-8、UTF-16（带 BOM）或 GBK/GB18030 编码")
        ]
    if table.num_rows > limits.max_rows:
        return None, [too_many_lines(file, table.num_rows, limits.max_rows)]
    start = body.start
    problems = [
        Problem(
            f"这一行有 {row.actual_columns} 列，与表头的 {row.expected_columns} 列不符（未读入）",
            file,
            row=None if row.number is None else start + row.number,
            value=row.text,
            expected=f"与表头同样多的列（文字里的{'逗号' if delimiter == ',' else '分隔符'}需加引号）",
        )
        for row in ragged[:LIMIT]
    ]
    if len(ragged) > LIMIT:
        problems.append(Problem(f"另有 {len(ragged) - LIMIT:,} 行列数与表头不符", file))
    return table, problems


def _parse(
    body: Body,
    names: list[str],
    types: dict[str, pa.DataType],
    ragged: list,
    delimiter: str,
    use_threads: bool,
) -> pa.Table:
    """The wanted columns (`types`: text, or dictionaries of text), parsed by pyarrow from the file's bytes (transcoded as a stream
    when they are not UTF-8); a line whose column count differs from the header's is set aside in
    `ragged` (reported by the caller, never silently dropped)."""

    def keep(row: pacsv.InvalidRow) -> str:
        ragged.append(row)
        return "skip"

    rest = len(body.raw) - body.offset if body.path is None else 4097  # a let-go body is large
    if rest <= 4096 and not body.raw[body.offset :].strip(b" \t\r\n\x00"):  # a header, nothing under it
        return pa.table({name: pa.array([], kind) for name, kind in types.items()})
    return pacsv.read_csv(
        body.rows(),
        memory_pool=PARSE_POOL,
        read_options=pacsv.ReadOptions(
            column_names=names,
            use_threads=use_threads,
            encoding=_arrow_codec(body.codec),
            block_size=PATH_BLOCK if body.path is not None else DEFAULT_BLOCK,
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(types),
            column_types=types,
            strings_can_be_null=False,
            null_values=[""],  # 'NULL', 'N/A' in a time column are not read as empty times
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=False, invalid_row_handler=keep
        ),
    )


def _arrow_codec(codec: str) -> str:
    return "utf8" if codec == "utf-8" else codec  # utf8: parsed as it is, without a transcoding stream
