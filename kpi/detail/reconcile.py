"""Reconciliation: what the summary sheet claims beside what the call detail shows.

The summary (月度指标) is what a vendor claims; the detail is the evidence. For every vendor of the
measured month, each figure the detail gives is set beside the summary's, with the difference
(detail − summary); a row is flagged when they differ. `apply_detail` then makes the VendorMonth
records the scoring uses take the detail's figures (sources[key] = "detail").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

import pandas as pd

from kpi.detail.measure import DETAIL_KEYS, DetailMeasure
from kpi.errors import Problem
from kpi.money import round_half_up
from kpi.records import Value, VendorMonth

AVERAGE_TOLERANCE = Fraction(5, 100)  # a summary may print the exam average to 1 decimal


@dataclass(frozen=True)
class ReconcileRow:
    vendor: str
    month: str
    key: str
    label: str  # the summary sheet's header, e.g. 2小时重复呼叫数
    summary: Value  # None: the vendor is missing from the summary
    detail: Value
    difference: Value  # detail − summary; None when either side is missing
    flagged: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "vendor": self.vendor,
            "month": self.month,
            "key": self.key,
            "label": self.label,
            "summary": show(self.summary),
            "detail": show(self.detail),
            "difference": show(self.difference),
            "flagged": self.flagged,
        }


def show(value: Value) -> int | str | None:
    """A figure for JSON/tables: counts as int, averages rounded half up to 2 decimals."""
    if value is None or isinstance(value, int):
        return value
    return str(round_half_up(value, 2))


def _differs(key: str, summary: Value, detail: Value) -> bool:
    if summary is None or detail is None:
        return summary is not detail
    if key == "exam_average":
        return abs(Fraction(detail) - Fraction(summary)) > AVERAGE_TOLERANCE
    return summary != detail


def reconcile(records: Sequence[VendorMonth], measure: DetailMeasure) -> tuple[ReconcileRow, ...]:
    """Every detail figure of the measured month beside the summary's, vendor by vendor."""
    summary = {r.vendor: r for r in records if r.month == measure.month}
    rows = []
    for vendor in sorted(set(summary) | {v.vendor for v in measure.vendors}):
        detail = measure.vendor(vendor)
        record = summary.get(vendor)
        figures = detail.figures() if detail else _absent(measure)
        for key, value in figures.items():
            claimed = record.get(key) if record else None
            diff = None if claimed is None or value is None else value - claimed
            flagged = record is None or _differs(key, claimed, value)
            rows.append(
                ReconcileRow(vendor, measure.month, key, DETAIL_KEYS[key], claimed, value, diff, flagged)
            )
    return tuple(rows)


def _absent(measure: DetailMeasure) -> dict[str, Value]:
    """Detail figures of a summary vendor that never appears in the detail (zero calls, no agents)."""
    if not measure.vendors:
        return {}
    figures = measure.vendors[0].figures()
    return {k: (None if k == "exam_average" else 0) for k in figures}


def apply_detail(records: Sequence[VendorMonth], measure: DetailMeasure) -> tuple[VendorMonth, ...]:
    """The records, those of the measured month taking the detail's figures where it gives them.

    A vendor the detail does not mention keeps its summary figures (the reconciliation flags it).
    """
    out = []
    for record in records:
        detail = measure.vendor(record.vendor) if record.month == measure.month else None
        if detail is None:
            out.append(record)
            continue
        figures = detail.figures()
        inputs = {**record.inputs, **figures}
        sources = {**record.sources, **dict.fromkeys(figures, "detail")}
        scores = detail.exam_scores if detail.has_exam else record.exam_scores
        notes = record.notes
        if measure.partial_note:
            notes += (measure.partial_note,)
        if detail.not_judgeable:
            notes += (
                f"话务明细：{detail.not_judgeable:,} 通接通电话的 {measure.window_minutes} 分钟窗口超出明细数据的"
                "截止时间，且未见再次呼入，无法判定，按非重复计。",
            )
        held = record.not_held - {k for k, v in figures.items() if v}  # the detail shows it was held
        out.append(
            replace(record, inputs=inputs, sources=sources, exam_scores=scores, notes=notes, not_held=held)
        )
    return tuple(out)


def zeroed_vendors(records: Sequence[VendorMonth], measure: DetailMeasure, file: str = "") -> list[Problem]:
    """A vendor whose valid calls the detail would drop to 0 while the summary claims some (roster
    rows but no calls, or every call too short / from a test number) would be paid 0 without a word:
    refused, at its summary row, so that the detail is completed or the summary used on purpose."""
    problems = []
    for record in records:
        detail = measure.vendor(record.vendor) if record.month == measure.month else None
        claimed = record.get("valid_calls")
        if detail is None or detail.figures().get("valid_calls") != 0 or not claimed:
            continue
        problems.append(
            Problem(
                f"话务明细中{record.vendor}没有一通有效电话，按明细结算应付金额将为 0 元",
                file,
                record.sheet or "月度指标",
                record.row,
                "有效话务量",
                str(claimed),
                f"该公司 {record.month} 的话务明细（缺了就另附 --detail 明细文件），"
                "或确认后加 --use-summary 按汇总表结算",
            )
        )
    return problems


def flagged_rows(rows: Sequence[ReconcileRow]) -> tuple[ReconcileRow, ...]:
    return tuple(r for r in rows if r.flagged)


def unknown_vendors(
    tables: dict[str, pd.DataFrame | None], records: Sequence[VendorMonth], month: str | None = None
) -> list[Problem]:
    """A vendor named in the detail (calls, roster, exam) but not in the summary sheet is refused:
    it is most often a misspelling, and its calls would silently go unpaid. Calls are located by row."""
    known = sorted({r.vendor for r in records if month is None or r.month == month})
    if not known:
        return []
    expected = "月度指标中的外包公司：" + "、".join(known)
    problems = []
    for label, frame in tables.items():
        if frame is None or not len(frame):
            continue
        named = frame[(frame["vendor"] != "") & ~frame["vendor"].isin(known)]
        for vendor, group in named.groupby("vendor", sort=True):
            first = group.iloc[0]
            file, _, sheet = str(first.get("source", "")).partition("!")
            row = int(first["row"]) if "row" in group else None
            count = f"（共 {len(group):,} 行）" if len(group) > 1 else ""
            problems.append(
                Problem(
                    f"{label}中的外包公司不在月度指标中{count}",
                    file,
                    sheet or label,
                    row,
                    "外包公司",
                    str(vendor),
                    expected,
                )
            )
    return problems
