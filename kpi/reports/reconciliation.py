"""The reconciliation as people see it: a plain-text table for the terminal and a frame for the app."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kpi.detail.reconcile import ReconcileRow, show
from kpi.records import Value
from kpi.reports.scorecards import table


def _text(value: Value) -> str:
    """A figure as table text (one type per column: a column mixing numbers and text cannot be shown)."""
    shown = show(value)
    return "—" if shown is None else f"{shown:,}" if isinstance(shown, int) else shown


def reconciliation_frame(rows: Sequence[ReconcileRow]) -> pd.DataFrame:
    """The reconciliation as a table with Chinese headers (for the app), figures as shown in reports."""
    return pd.DataFrame(
        {
            "月份": [r.month for r in rows],
            "外包公司": [r.vendor for r in rows],
            "指标": [r.label for r in rows],
            "汇总表": [_text(r.summary) for r in rows],
            "明细": [_text(r.detail) for r in rows],
            "差异(明细−汇总)": [_text(r.difference) for r in rows],
            "核对": ["⚠ 不一致" if r.flagged else "一致" for r in rows],
        }
    )


def format_table(rows: Sequence[ReconcileRow]) -> str:
    """A plain-text table (for the terminal): one line per figure, differences marked with ⚠."""
    headers = ["月份", "外包公司", "指标", "汇总表", "明细", "差异(明细−汇总)", "核对"]
    cells = [
        [
            r.month,
            r.vendor,
            r.label,
            *("—" if v is None else str(v) for v in (show(r.summary), show(r.detail), show(r.difference))),
            "⚠" if r.flagged else "",
        ]
        for r in rows
    ]
    return table(headers, cells, right={3, 4, 5})
