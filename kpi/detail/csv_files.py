"""Detail CSV files: decoded strictly (UTF-8 with or without BOM, else GB18030, a superset of GBK),
header found under any title line, every column read as text by pyarrow (an 11-digit caller stays
text, a leading 0 stays) for the same converters as Excel sheets.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from kpi.detail.columns import (
    CALLS,
    EXAM,
    ROSTER,
    duplicate_headers,
    find_header,
    match_header,
    spec_for_sheet,
)
from kpi.detail.tables import LIMIT, RawTable
from kpi.errors import Problem, show_value
from kpi.files.readers import csv_problem


def decode_csv(raw: bytes) -> str | None:
    """UTF-8 (BOM or not), else GB18030 — both strictly; None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def csv_table(raw: bytes, file: str) -> tuple[list[RawTable], list[Problem]]:
    text = decode_csv(raw)
    if text is None:
        return [], [Problem("CSV 文件的编码无法识别", file, expected="UTF-8 或 GBK/GB18030 编码")]
    reader = csv.reader(io.StringIO("\n".join(text.splitlines()[:20])))
    try:
        head = list(reader)
    except csv.Error as exc:
        return [], [csv_problem(exc, file, reader.line_num)]
    by_name = spec_for_sheet(Path(file).stem)
    for spec in [by_name] if by_name else [CALLS, ROSTER, EXAM]:
        hit = find_header(head, spec)
        if hit is not None and (by_name or len(match_header(head[hit[0]], spec)) >= len(spec.required)):
            break
    else:
        return [], [
            Problem(
                "CSV 文件里找不到话务明细、坐席名册或考试成绩的表头",
                file,
                expected="如「主叫号码」「入队时间」等表头",
            )
        ]
    index, found = hit
    body = ("\n".join(text.splitlines()[index:]) + "\n").encode("utf-8")
    names = [f"c{j}" for j in range(len(head[index]))]
    ragged: list[pacsv.InvalidRow] = []
    try:
        table = _parse(body, names, ragged, use_threads=True)
        if ragged:  # parse again on one thread: only then does pyarrow say which line each one is
            ragged.clear()
            table = _parse(body, names, ragged, use_threads=False)
    except pa.ArrowInvalid as exc:  # a cell larger than pyarrow's block (1 MB), or worse
        return [], [_unparsable(text, file, exc)]
    problems = duplicate_headers(head[index], spec, file, "")
    problems += [
        Problem(
            f"这一行有 {row.actual_columns} 列，与表头的 {row.expected_columns} 列不符（未读入）",
            file,
            row=None if row.number is None else index + row.number,
            value=row.text,
            expected="与表头同样多的列（文字里的逗号需加引号）",
        )
        for row in ragged[:LIMIT]
    ]
    if len(ragged) > LIMIT:
        problems.append(Problem(f"另有 {len(ragged) - LIMIT:,} 行列数与表头不符", file))
    columns = {
        key: table.column(pos).chunk(0) if table.column(pos).num_chunks else pa.array([], pa.string())
        for pos, key in found.items()
    }
    return [RawTable(spec, file, "", index + 2, columns)], problems


def _unparsable(text: str, file: str, exc: Exception) -> Problem:
    """Where pyarrow gave up: the first line holding a cell over the csv module's limit, if any."""
    limit = csv.field_size_limit()
    line = next((i for i, t in enumerate(text.splitlines(), 1) if len(t) > limit), None)
    if line is not None:
        return Problem(
            f"单元格内容过长（超过 {limit:,} 个字符）",
            file,
            row=line,
            expected=f"每个单元格不超过 {limit:,} 个字符的 CSV 文件",
        )
    return Problem("CSV 文件无法解析", file, value=show_value(str(exc)), expected="规范的 CSV 文件")


def _parse(body: bytes, names: list[str], ragged: list, use_threads: bool) -> pa.Table:
    """Every column as text; a line whose column count differs from the header's is set aside in
    `ragged` (reported by the caller, never silently dropped)."""

    def keep(row: pacsv.InvalidRow) -> str:
        ragged.append(row)
        return "skip"

    return pacsv.read_csv(
        io.BytesIO(body),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=use_threads),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=False, invalid_row_handler=keep),
    ).combine_chunks()
