"""Hand-made call logs in the canonical calls table form (what kpi.detail.reader.read_detail returns)."""

from __future__ import annotations

import pandas as pd

from kpi.detail.tables import CALL_COLUMNS

DAY = "2024-06-10"


def at(text: str) -> pd.Timestamp:
    """'10:00:00' on DAY, or a full 'YYYY-MM-DD HH:MM:SS'."""
    return pd.Timestamp(text if "-" in text else f"{DAY} {text}")


def call(
    caller: str,
    queue: str,
    answer: str | None = None,
    agent: str = "A1",
    vendor: str = "华信客服",
    talk: float = 60.0,
    expert: bool = False,
    end: str | None = None,
    queue_name: str = "",
    transferred: bool = False,
) -> dict[str, object]:
    """One queue entry; connected when `answer` is given."""
    q = at(queue)
    a = at(answer) if answer else pd.NaT
    return {
        "call_id": "",
        "caller": caller,
        "queue_time": q,
        "connected": answer is not None,
        "answer_time": a,
        "end_time": at(end) if end else (a + pd.Timedelta(seconds=talk) if answer else q),
        "agent_id": agent if answer else "",
        "vendor": vendor if answer else "",
        "talk_seconds": talk if answer else 0.0,
        "expert_transfer": expert,
        "queue": queue_name,
        "transferred": transferred,
    }


def calls(*rows: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    frame["call_id"] = [f"C{i}" for i in range(len(frame))]
    for col in ("queue_time", "answer_time", "end_time"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ms]")
    frame["talk_seconds"] = frame["talk_seconds"].astype(float)
    frame["source"] = pd.Categorical(["test"] * len(frame))
    frame["row"] = range(2, len(frame) + 2)
    return frame[list(CALL_COLUMNS)]
