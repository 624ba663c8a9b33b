"""Which sheet is the summary, and which of its rows are no vendor: the choice and what the user is
told about it (notices), apart from validating the cells (kpi.summary.reader).

Sheets named like 月度指标 are the candidates (visible ones first; two are refused); total, note and
repeated header rows are skipped wherever they are, each with a notice naming its row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from kpi.errors import Problem, show_value
from kpi.files.cells import norm_header
from kpi.files.sheets import RawSheet, Skipped, Table, find_sheet, is_total, to_table
from kpi.records import VendorMonth
from kpi.summary.columns import ALL_NAMES, cell_at, map_columns

SUMMARY_SHEET = "月度指标"
SUMMARY_SHEET_ALIASES = ("月度指标", "月度汇总", "汇总", "summary", "monthly")


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


def named_totals(table: Table) -> Table:
    """Rows whose 外包公司 or 月份 cell names a total (合计, 华信客服小计 …), wherever those columns
    are, moved to the skipped rows: a total is never a vendor."""
    index, _ = map_columns(table)
    keep, skipped = [], list(table.skipped)
    for number, cells in table.rows:
        label = next(
            (
                cell_at(cells, index[k])
                for k in ("vendor", "month")
                if k in index and is_total(cell_at(cells, index[k]))
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
