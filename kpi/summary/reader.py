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
from dataclasses import replace
from pathlib import Path

from kpi.errors import Problem, show_value
from kpi.files.cells import (
    MAX_COUNT,
    NoCachedValue,
    is_blank,
    is_error,
    norm_text,
    number_text,
    parse_count,
    parse_month,
    parse_rate,
    parse_score,
    to_fraction,
)
from kpi.files.safety import DEFAULT_LIMITS, Limits, sniff
from kpi.files.sheets import (
    RawSheet,
    Table,
    read_sheets,
    read_sheets_bytes,
)
from kpi.inputs import BY_KEY, Column, over_limit
from kpi.records import VendorMonth
from kpi.summary.choose import (  # re-exported: the summary step's public names
    SUMMARY_SHEET,
    SUMMARY_SHEET_ALIASES,
    choose_sheet,
    named_totals,
    skipped_notices,
    summary_notices,
)
from kpi.summary.columns import ALL_NAMES, cell_at, map_columns

__all__ = [
    "ALL_NAMES",
    "SUMMARY_SHEET",
    "SUMMARY_SHEET_ALIASES",
    "read_summary",
    "read_summary_bytes",
    "summary_from_sheets",
    "summary_notices",
    "validate_table",
]

PARSERS = {"month": parse_month, "count": parse_count, "rate": parse_rate, "score": parse_score}


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
    name = display or Path(path).name
    with open(path, "rb") as f:
        head = f.read(65536)
    return _named_as_excel(head, name, *summary_from_sheets(sheets, name, month))


def read_summary_bytes(
    data: bytes, name: str, *, month: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[VendorMonth], list[Problem]]:
    """As read_summary, on an uploaded file's bytes."""
    sheets, problems = read_sheets_bytes(data, name, only=SUMMARY_SHEET_ALIASES, limits=limits)
    if problems:
        return [], problems
    return _named_as_excel(data[:65536], name, *summary_from_sheets(sheets, name, month))


NO_HEADER = "找不到表头行（前 15 行中没有「月份」「外包公司」「接通量」等列名）"
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def _named_as_excel(
    head: bytes, name: str, records: list[VendorMonth], problems: list[Problem]
) -> tuple[list[VendorMonth], list[Problem]]:
    """A text file named .xlsx (a renamed .txt) that is no table either: say it is not Excel, rather
    than that its header row is missing. A real CSV under an Excel name is still read as before."""
    if (
        len(problems) == 1
        and problems[0].message == NO_HEADER
        and name.lower().endswith(EXCEL_SUFFIXES)
        and sniff(head) == "text"
    ):
        suffix = name[name.rfind(".") :]
        return [], [
            Problem(
                f"文件扩展名是 {suffix}，但内容是纯文本，不是 Excel 工作簿",
                file=name,
                expected="Excel 工作簿（在 Excel/WPS 中另存为 .xlsx），或带表头的 CSV 文件",
            )
        ]
    return records, problems


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
                NO_HEADER,
                file=file,
                sheet=sheet.name,
            )
        ]
    table = named_totals(table)
    records, problems = validate_table(table)
    problems = problems + _month_problems(table, records, month)
    notices += skipped_notices(table)
    if notices:
        records = [replace(r, notes=(*notices, *r.notes)) for r in records]
    return records, sorted(problems, key=lambda p: p.row or 0)


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


def _parse_row(
    table: Table, index: dict[str, int], excel_row: int, cells: tuple[object, ...]
) -> tuple[VendorMonth | None, list[Problem]]:
    values: dict[str, object] = {}
    problems: list[Problem] = []
    not_held: set[str] = set()
    for key, i in index.items():
        column, raw = BY_KEY[key], cell_at(cells, i)
        where = dict(file=table.file, sheet=table.sheet, row=excel_row, column=table.headers[i])
        if isinstance(raw, str) and norm_text(raw) in column.not_held_words:
            values[key] = None
            not_held.add(key)
            continue
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
    problems += _cross_checks(table, index, excel_row, values, not_held)
    if problems:
        return None, problems
    vendor, month = values.pop("vendor"), values.pop("month")
    inputs = {k: values.get(k) for k in BY_KEY if k not in ("vendor", "month")}
    sources = {k: "summary" for k, v in inputs.items() if v is not None}
    record = VendorMonth(
        vendor, month, inputs, sources, excel_row, sheet=table.sheet, not_held=frozenset(not_held)
    )
    return record, []


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
    if expected and column.not_held_words:
        expected += f"；本月未组织时填「{column.not_held_words[0]}」"
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
    table: Table, index: dict[str, int], excel_row: int, values: dict[str, object], not_held: set[str]
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
    if values.get("exam_takers") and "exam_average" in not_held:
        problems.append(
            Problem(
                f"考试平均分写明本月未组织考试，参考人数却为 {values['exam_takers']}",
                column=table.headers[index["exam_takers"]],
                value=str(values["exam_takers"]),
                expected="0（本月未组织考试），或在考试平均分填写平均分",
                **at,
            )
        )
    elif values.get("exam_takers") and values.get("exam_average") is None:
        problems.append(
            Problem(
                "有参考人数却没有考试平均分",
                column="考试平均分",
                value="（空）",
                expected="0～100 的平均分（本月未组织考试时填「未组织」，参考人数填 0）",
                **at,
            )
        )
    return problems
