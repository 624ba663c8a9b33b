"""EVIDENCE: the 2-hour repeat pairs behind a vendor's (or one agent's) repeat count.

Each pair is a connected call of the month that counted as a repeat and the caller's first
re-entry into the queue within the window, found by the same search as the count
(`kpi.detail.repeats.call_flags(..., pairs=True)`), so the table has exactly as many rows as the
vendor's or agent's 2小时重复呼叫数. The caller's number is masked before it leaves this module
(138****1234) unless the caller asks for it in full (`masked=False`: the evidence built for 合同管理);
the call ids and detail rows locate both calls in the platform's export.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from kpi.detail.repeats import MS_PER_MINUTE, DetailSettings, call_flags, default_settings


@dataclass(frozen=True)
class RepeatPair:
    vendor: str
    agent_id: str
    caller: str  # masked, unless built with masked=False
    call_id: str
    queue_time: pd.Timestamp
    answer_time: pd.Timestamp
    reentry_call_id: str
    reentry_time: pd.Timestamp  # when the caller entered the queue again
    gap_minutes: Fraction  # from the anchor (the answer, by default) to the re-entry, exact
    reentry_connected: bool
    reentry_agent: str  # '' when not connected
    reentry_vendor: str
    location: str  # where the first call is in the detail: file!sheet 第 N 行
    reentry_location: str


def mask_caller(number: str) -> str:
    """A caller's number with its middle hidden: 13812341234 → 138****1234. Numbers of 8 or more
    characters keep their first 3 and last 4; shorter ones keep only their last 2."""
    text = str(number).strip()
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if len(text) > 2:
        return "*" * (len(text) - 2) + text[-2:]
    return "*" * len(text)


def _location(source: object, row: object) -> str:
    return f"{source} 第 {int(row)} 行"


def repeat_pairs(
    calls: pd.DataFrame,
    month: str,
    vendor: str,
    agent: str | None = None,
    settings: DetailSettings | None = None,
    masked: bool = True,
) -> tuple[RepeatPair, ...]:
    """The repeat pairs of `vendor`'s connected calls of `month` (of one agent when given), by agent
    then queue time; the callers masked unless `masked` is False."""
    settings = settings or default_settings()
    flags = call_flags(calls, month, settings, pairs=True)
    mine = flags.repeat & (calls["vendor"].astype(str).to_numpy() == vendor)
    if agent is not None:
        mine &= calls["agent_id"].astype(str).to_numpy() == agent
    rows = np.flatnonzero(mine)
    again = flags.reentry[rows]
    first, second = calls.iloc[rows], calls.iloc[again]
    anchor = first[settings.repeat_anchor].to_numpy(dtype="datetime64[ms]").view(np.int64)
    entered = second["queue_time"].to_numpy(dtype="datetime64[ms]").view(np.int64)
    out = [
        RepeatPair(
            vendor=str(a.vendor),
            agent_id=str(a.agent_id),
            caller=mask_caller(a.caller) if masked else str(a.caller).strip(),
            call_id=str(a.call_id),
            queue_time=a.queue_time,
            answer_time=a.answer_time,
            reentry_call_id=str(b.call_id),
            reentry_time=b.queue_time,
            gap_minutes=Fraction(int(gap), MS_PER_MINUTE),
            reentry_connected=bool(b.connected),
            reentry_agent=str(b.agent_id) if b.connected else "",
            reentry_vendor=str(b.vendor) if b.connected else "",
            location=_location(a.source, a.row),
            reentry_location=_location(b.source, b.row),
        )
        for a, b, gap in zip(
            first.itertuples(index=False), second.itertuples(index=False), entered - anchor, strict=True
        )
    ]
    return tuple(sorted(out, key=lambda p: (p.agent_id, p.queue_time, p.call_id)))
