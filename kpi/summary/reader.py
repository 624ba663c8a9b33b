"""Validating the summary sheet 月度指标 into VendorMonth records, with every problem located.

Column checks are this module's own small layer (PARSERS per column kind, then cross-checks per row)
rather than pandera: each failure must name the Excel row, the header as written and the value as
found, in Chinese, and pandas would already have renamed duplicate headers and guessed dtypes.

Rows of another month are refused when a month is expected: the `month` argument (``kpi validate
--month``), or else the one month the title above the header names (「2024年5月外包考核数据」).

Longer than ~250 lines because finding the header, parsing each cell and the per-row cross-checks
all report against the same located row; they are one pass over the sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from kpi.errors import Problem, show_value
from kpi.files.cells import (
    MAX_COUNT,
    UNIT_SUFFIX,
    NoCachedValue,
    is_blank,
    is_error,
    norm_header,
    norm_text,
    number_text,
    parse_count,
    parse_month,
    parse_rate,
    parse_score,
    to_fraction,
)
from kpi.files.safety import DEFAULT_LIMITS, Limits
from kpi.files.sheets import (
    RawSheet,
    Skipped,
    Table,
    find_sheet,
    is_total,
    read_sheets,
    read_sheets_bytes,
    to_table,
)
from kpi.inputs import BY_KEY, SUMMARY_COLUMNS, Column, over_limit
from kpi.records import VendorMonth

PARSERS = {"month": parse_month, "count": parse_count, "rate": parse_rate, "score": parse_score}
ALL_NAMES = [n for c in SUMMARY_COLUMNS for n in c.names]

SUMMARY_SHEET = "月度指标"
SUMMARY_SHEET_ALIASES = ("月度指标", "月度汇总", "汇总", "summary", "monthly")


def read_summary(
    path: str | Path,
    display: str | None = None,
    *,
    month: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[VendorMonth], list[Problem]]:
    """Read and validate the summary sheet of a workbook file (only rows of `month`, if given)."""
    sheets, problems = read_sheets(path, display, only=SUMMARY_SHEET_ALIASES, limits=limits)
    if problems:
        return [], problems
    return summary_from_sheets(sheets, display or Path(path).name, month)


def read_summary_bytes(
    data: bytes, name: str, *, month: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[VendorMonth], list[Problem]]:
    """As read_summary, on an uploaded file's bytes."""
    sheets, problems = read_sheets_bytes(data, name, only=SUMMARY_SHEET_ALIASES, limits=limits)
    if problems:
        return [], problems
    return summary_from_sheets(sheets, name, month)


def summary_from_sheets(
    sheets: list[RawSheet], file: str, month: str | None = None
) -> tuple[list[VendorMonth], list[Problem]]:
    """Validate the summary sheet among a workbook's sheets. What the reader should know though it is
    no problem (a skipped total or note row, a hidden sheet read or left out) is in every record's
    `notes` (see `summary_notices`)."""
    sheet, table, problems, notices = choose_sheet(sheets, file)
    if problems:
        return [], problems
    if sheet is not None and not any(not is_blank(c) for row in sheet.rows for c in row):
        return [], [
            Problem("工作表是空的", file=file, sheet=sheet.name, expected="表头行和每家外包公司每月一行数据")
        ]
    if sheet is None:
        names = "、".join(s.name for s in sheets) or "（无）"
        return [], [
            Problem(
                f"找不到工作表「{SUMMARY_SHEET}」",
                file=file,
                value=names,
                expected="名为「月度指标」的工作表",
            )
        ]
    if table is None:
        return [], [
            Problem(
                "找不到表头行（前 15 行中没有「月份」「外包公司」「接通量」等列名）",
                file=file,
                sheet=sheet.name,
            )
        ]
    table = _named_totals(table)
    records, problems = validate_table(table)
    problems = problems + _month_problems(table, records, month)
    notices += skipped_notices(table)
    if notices:
        records = [replace(r, notes=(*notices, *r.notes)) for r in records]
    return records, sorted(problems, key=lambda p: p.row or 0)


def summary_notices(records: Iterable[VendorMonth]) -> list[str]:
    """The notices of a summary read (each once, in order): the notes its records carry."""
    return list(dict.fromkeys(n for r in records for n in r.notes))


def _named(sheet: RawSheet) -> bool:
    key = norm_header(sheet.name)
    return any(norm_header(a) in key for a in SUMMARY_SHEET_ALIASES)


def choose_sheet(
    sheets: list[RawSheet], file: str
) -> tuple[RawSheet | None, Table | None, list[Problem], list[str]]:
    """The summary sheet, its table, why none can be chosen, and notices.

    Sheets named like 月度指标 (or containing such a name: 「5月 月度指标」「月度指标 (2)」) are the
    candidates: the visible ones if any, else the hidden ones. Of these, the ones with a header row
    must be exactly one: two are refused, never one of them picked silently. A hidden sheet is
    read only when no visible one is named so, and then the notices say so; hidden candidates not
    read are named in the notices too. Without any candidate, the only visible sheet (a CSV file)."""
    named = [s for s in sheets if s.loaded and _named(s)]
    pool = [s for s in named if not s.hidden] or named
    tables = [(s, to_table(s, ALL_NAMES)) for s in pool]
    found = [(s, t) for s, t in tables if t is not None]
    if len(found) > 1:
        listed = "、".join(f"「{s.name}」" + ("（隐藏）" if s.hidden else "") for s, _ in found)
        return (
            None,
            None,
            [
                Problem(
                    f"有 {len(found)} 张工作表都像月度指标表，无法确定读哪一张",
                    file=file,
                    value=listed,
                    expected="只保留一张月度指标表（删除其余的，或把它们改成不含「月度指标」「汇总」的名字）",
                )
            ],
            [],
        )
    if found:
        sheet, table = found[0]
    else:
        sheet = find_sheet(pool or sheets, SUMMARY_SHEET_ALIASES)
        table = to_table(sheet, ALL_NAMES) if sheet is not None else None
    notices = []
    if sheet is not None and sheet.hidden:
        notices.append(f"文件「{file}」：读取的是隐藏的工作表「{sheet.name}」（没有可见的月度指标表）")
    notices += [
        f"文件「{file}」：隐藏的工作表「{s.name}」未读取（读取的是「{sheet.name}」）"
        for s in named
        if s.hidden and sheet is not None and s is not sheet
    ]
    return sheet, table, [], notices


def _named_totals(table: Table) -> Table:
    """Rows whose 外包公司 or 月份 cell names a total (合计, 华信客服小计 …), wherever those columns
    are, moved to the skipped rows: a total is never a vendor."""
    index, _ = map_columns(table)
    keep, skipped = [], list(table.skipped)
    for number, cells in table.rows:
        label = next(
            (
                _cell(cells, index[k])
                for k in ("vendor", "month")
                if k in index and is_total(_cell(cells, index[k]))
            ),
            None,
        )
        if label is None:
            keep.append((number, cells))
        else:
            skipped.append(Skipped(number, "total", str(label).strip()))
    if len(keep) == len(table.rows):
        return table
    return replace(table, rows=tuple(keep), skipped=tuple(sorted(skipped, key=lambda s: s.row)))


SKIPPED = {
    "total": "「{}」是合计行，不计为外包公司，已跳过",
    "note": "「{}」是说明行，已跳过",
    "header": "重复的表头行（「{}」…），已跳过",
}


def skipped_notices(table: Table) -> list[str]:
    """One notice per total, note or repeated header row of the table, naming its row."""
    return [
        f"{Problem('', file=table.file, sheet=table.sheet, row=s.row).where()}："
        + SKIPPED[s.kind].format(show_value(s.text))
        for s in table.skipped
    ]


TITLE_MONTH = re.compile(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*月?")


def title_month(title: tuple[str, ...]) -> str | None:
    """The one month named in the title rows (「2024年5月外包考核数据」), or None (none, or a range)."""
    text = " ".join(title)
    months = {f"{int(y):04d}-{int(m):02d}" for y, m in TITLE_MONTH.findall(text) if 1 <= int(m) <= 12}
    if (
        len(months) != 1
        or len(re.findall(r"\d\s*月", text)) > 1
        or re.search(r"[至到~～]|\d\s*[-—–]\s*\d+\s*月", text)
    ):
        return None
    return months.pop()


def _month_problems(table: Table, records: list[VendorMonth], month: str | None) -> list[Problem]:
    expected = month or title_month(table.title)
    if expected is None:
        return []
    why = f"只应有 {expected} 的数据" if month else f"标题「{' '.join(table.title)}」所示月份为 {expected}"
    return [
        Problem(
            f"月份不符（{why}）",
            file=table.file,
            sheet=table.sheet,
            row=r.row,
            column="月份",
            value=r.month,
            expected=expected,
        )
        for r in records
        if r.month != expected
    ]


def map_columns(table: Table) -> tuple[dict[str, int], list[Problem]]:
    """Which cell index holds each column key; missing and duplicate headers are problems."""
    where = {"file": table.file, "sheet": table.sheet, "row": table.header_row}
    index: dict[str, int] = {}
    problems: list[Problem] = []
    by_name = {norm_header(n): c for c in SUMMARY_COLUMNS for n in c.names}
    for i, header in enumerate(table.headers):
        column = by_name.get(norm_header(header))
        if column is None:
            continue
        unit = header_unit(header)
        if unit and not plain_unit(column, unit):
            problems.append(
                Problem(
                    f"表头的单位「{unit}」无法换算",
                    column=header,
                    value=header,
                    expected=f"按原始单位填写的数值，表头写「{column.header}」（本工具不换算{UNIT_WORDS[column.kind]}）",
                    **where,
                )
            )
            continue
        if column.key in index:
            problems.append(
                Problem("表头重复", column=header, value=header, expected="每列只出现一次", **where)
            )
            continue
        index[column.key] = i
    for column in SUMMARY_COLUMNS:
        if column.required and column.key not in index:
            problems.append(
                Problem(
                    "缺少必需的列",
                    column=column.header,
                    expected=f"列名「{column.header}」或「{column.key}」",
                    **where,
                )
            )
    return index, problems


# A bracketed unit after a known header is read as the plain unit only when it is one: 「有效话务量（通）」
# 「业务稽核合格率(%)」「接通量【区域】」 are; a scaled count (万通, 千次, 百次), a per-mille rate (‰) or
# money is refused, never read as plain counts.
SCALED = {
    "count": re.compile(r"[十百千万亿]|k|m|thousand|million|元|%|‰|‱", re.IGNORECASE),
    "rate": re.compile(r"‰|‱|千分|万分"),
    "score": re.compile(r"十分制|五分制|千分制"),
}
UNIT_WORDS = {"count": "「万」「千」等数量单位", "rate": "千分比、万分比", "score": "百分制以外的分制"}


def header_unit(header: str) -> str:
    """The bracketed text ending a header (「有效话务量（万通）」 → 万通), or ""."""
    found = UNIT_SUFFIX.search(norm_text(header).replace(" ", ""))
    return found.group(0)[1:-1] if found else ""


def plain_unit(column: Column, unit: str) -> bool:
    scaled = SCALED.get(column.kind)
    return scaled is None or not scaled.search(unit)


def validate_table(table: Table) -> tuple[list[VendorMonth], list[Problem]]:
    index, problems = map_columns(table)
    if problems:
        return [], problems
    records: list[VendorMonth] = []
    seen: dict[tuple[str, str], int] = {}
    for excel_row, cells in table.rows:
        record, row_problems = _parse_row(table, index, excel_row, cells)
        problems += row_problems
        if record is None:
            continue
        key = (record.vendor, record.month)
        if key in seen:
            problems.append(
                Problem(
                    f"同一外包公司同一月份重复（与第 {seen[key]} 行重复）",
                    file=table.file,
                    sheet=table.sheet,
                    row=excel_row,
                    column="外包公司",
                    value=f"{record.vendor} {record.month}",
                    expected="每个外包公司每月一行",
                )
            )
            continue
        seen[key] = excel_row
        records.append(record)
    if not records and not problems:
        problems.append(Problem("工作表没有数据行", file=table.file, sheet=table.sheet))
    return records, problems


def _cell(cells: tuple[object, ...], i: int) -> object:
    return cells[i] if i < len(cells) else None


def _parse_row(
    table: Table, index: dict[str, int], excel_row: int, cells: tuple[object, ...]
) -> tuple[VendorMonth | None, list[Problem]]:
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for key, i in index.items():
        column, raw = BY_KEY[key], _cell(cells, i)
        where = dict(file=table.file, sheet=table.sheet, row=excel_row, column=table.headers[i])
        value, problem = _parse_cell(column, raw)
        if problem:
            problems.append(
                Problem(
                    problem[0], value=show_value(None if is_blank(raw) else raw), expected=problem[1], **where
                )
            )
        else:
            values[key] = value
    if problems:
        return None, problems
    problems += _cross_checks(table, index, excel_row, values)
    if problems:
        return None, problems
    vendor, month = values.pop("vendor"), values.pop("month")
    inputs = {k: values.get(k) for k in BY_KEY if k not in ("vendor", "month")}
    sources = {k: "summary" for k, v in inputs.items() if v is not None}
    return VendorMonth(vendor, month, inputs, sources, excel_row, sheet=table.sheet), []


def _parse_cell(column: Column, raw: object) -> tuple[object, tuple[str, str] | None]:
    if isinstance(raw, NoCachedValue):
        return None, (
            "公式没有计算结果（文件可能由程序生成、从未在 Excel 中打开保存过）",
            "已算出的值（请在 Excel/WPS 中打开并保存后再导入）",
        )
    if is_error(raw):
        return None, ("单元格是错误值", "有效数值（请检查公式）")
    if is_blank(raw):
        if column.required:
            return None, ("必填单元格为空（空白不等于 0）", "填写数值；确实为零请填 0")
        return None, None
    if column.kind == "text":
        return norm_text(raw), None
    value, expected = PARSERS[column.kind](raw)
    return (None, (_why(column, raw), expected)) if expected else (value, None)


def _why(column: Column, raw: object) -> str:
    """The specific reason a value was refused, for the message."""
    text = number_text(raw) if isinstance(raw, str) else None
    number = to_fraction(text[:-1] if text and text.endswith("%") else raw)
    if number is None:
        return "无法识别的值"
    if number < 0:
        return "不能为负数"
    if column.kind == "count" and number > MAX_COUNT:
        return "数值过大"
    if column.kind == "count":
        return "数量不应是百分比" if text and text.endswith("%") else "应为整数"
    if column.kind == "rate" and number > 100:
        return "百分比不能超过 100%"
    if column.kind == "rate" and number == 1:
        return "无法识别的值"
    return "超出范围"


def _cross_checks(
    table: Table, index: dict[str, int], excel_row: int, values: dict[str, object]
) -> list[Problem]:
    at = {"file": table.file, "sheet": table.sheet, "row": excel_row}
    problems = [
        Problem(
            f"不能大于「{BY_KEY[column.at_most].header}」（{limit}）",
            column=table.headers[index[column.key]],
            value=str(value),
            expected=f"≤ {limit}",
            **at,
        )
        for column, value, limit in over_limit(values)
    ]
    if values.get("agents_total") == 0:
        column = table.headers[index["agents_total"]]
        problems.append(Problem("座席总数必须大于 0", column=column, value="0", expected="正整数", **at))
    if values.get("exam_takers") and values.get("exam_average") is None:
        problems.append(
            Problem(
                "有参考人数却没有考试平均分",
                column="考试平均分",
                value="（空）",
                expected="0～100 的平均分（无考试时参考人数填 0）",
                **at,
            )
        )
    return problems
