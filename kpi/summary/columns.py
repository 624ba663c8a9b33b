"""The summary sheet's header row: which cell holds which column, and the units written after a header.

A bracketed unit after a known header is read as the plain unit only when it is one; a scaled unit
(万通, 千次), a per-mille rate (‰) or money is refused, never read as plain counts.
"""

from __future__ import annotations

import difflib
import re

from kpi.errors import Problem
from kpi.files.cells import UNIT_SUFFIX, norm_header, norm_text
from kpi.files.sheets import Table
from kpi.inputs import SUMMARY_COLUMNS, Column

ALL_NAMES = [n for c in SUMMARY_COLUMNS for n in c.names]


def map_columns(table: Table) -> tuple[dict[str, int], list[Problem]]:
    """Which cell index holds each column key; missing and duplicate headers are problems."""
    where = {"file": table.file, "sheet": table.sheet, "row": table.header_row}
    index: dict[str, int] = {}
    problems: list[Problem] = []
    by_name = {norm_header(n): c for c in SUMMARY_COLUMNS for n in c.names}
    refused: set[str] = set()  # found, with a unit not converted: said once, not also as missing
    for i, header in enumerate(table.headers):
        column = by_name.get(norm_header(header))
        if column is None:
            continue
        unit = header_unit(header)
        if unit and not plain_unit(column, unit):
            refused.add(column.key)
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
    unknown = {
        i: h for i, h in enumerate(table.headers) if h and by_name.get(norm_header(h)) is None
    }  # headers as found that name no column: a misspelt one is among them
    for column in SUMMARY_COLUMNS:
        if column.required and column.key not in index and column.key not in refused:
            problems.append(_missing(column.header, unknown, where))
    return index, problems


def _missing(header: str, unknown: dict[int, str], where: dict) -> Problem:
    """A required column not found, naming the unrecognised header most like it and its column letter."""
    close = difflib.get_close_matches(header, list(unknown.values()), n=1, cutoff=0.5)
    if not close:
        return Problem("缺少必需的列", column=header, expected=f"列名「{header}」", **where)
    index = next(i for i, h in unknown.items() if h == close[0])
    from openpyxl.utils import get_column_letter  # here: openpyxl loads in the summary's own thread

    letter = get_column_letter(index + 1)
    return Problem(
        f"缺少必需的列「{header}」，该列表头无法识别",
        column=letter,
        value=close[0],
        expected=f"「{header}」（若 {letter} 列就是这一列，请把表头改为「{header}」）",
        **where,
    )


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


def cell_at(cells: tuple[object, ...], i: int) -> object:
    return cells[i] if i < len(cells) else None
