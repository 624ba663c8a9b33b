"""Whether the call detail covers its whole month: a file that stops on the 5th, starts late or has
a hole of days is measured as what it is, and said so (scorecard, `kpi validate`, 数据检查).

A month is partly covered when its first queue entry is more than a day after the month begins, its
last more than a day before the month ends, or two consecutive entries are more than a day apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi.detail.repeats import month_bounds

DAY_MS = 86_400_000


def _show(ms: int) -> str:
    return pd.Timestamp(ms, unit="ms").strftime("%m-%d %H:%M")


def coverage_gaps(calls: pd.DataFrame, month: str) -> tuple[str, ...]:
    """What part of `month` the calls leave uncovered, in words; () when the month is covered."""
    start, end = month_bounds(month)
    s0, e0 = start.value // 1_000_000, end.value // 1_000_000
    q = calls["queue_time"].to_numpy(dtype="datetime64[ms]").view(np.int64)
    q = q[(q >= s0) & (q < e0)]
    if len(q) and (np.diff(q) < 0).any():  # an export is usually in time order already
        q = np.sort(q)
    if not len(q):
        return (f"{month} 没有呼叫",)
    found = []
    if q[0] - s0 > DAY_MS:
        found.append(f"最早的呼叫在 {_show(q[0])}（月初之后超过 1 天）")
    if e0 - q[-1] > DAY_MS:
        found.append(f"最晚的呼叫在 {_show(q[-1])}（月末之前超过 1 天）")
    gaps = np.flatnonzero(np.diff(q) > DAY_MS)
    for i in gaps[:5]:
        found.append(f"{_show(q[i])} 至 {_show(q[i + 1])} 之间没有呼叫")
    if len(gaps) > 5:
        found.append(f"另有 {len(gaps) - 5} 处超过 1 天的空档")
    return tuple(found)


def coverage_note(month: str, gaps: tuple[str, ...]) -> str:
    """One sentence for a partly covered month."""
    return (
        f"{month} 的话务明细只覆盖部分月份：{'；'.join(gaps)}。该月按明细中的呼叫计算，请核对是否缺少数据。"
    )
