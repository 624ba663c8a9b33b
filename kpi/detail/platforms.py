"""Call platforms whose exports are not one row per call, turned into one row per queue entry.

- `asterisk-queue-log`: Asterisk's queue_log, `epoch|callid|queuename|agent|event|data1|…`. Each
  ENTERQUEUE (data2 = caller id) is one call; the first CONNECT after it connects it (its agent field
  is the agent, as written in the log: SIP/301, PJSIP/301, Agent/1127, Local/301@from-queue/n); the
  call ends at COMPLETECALLER, COMPLETEAGENT, ABANDON, EXITWITHTIMEOUT, EXITWITHKEY, EXITEMPTY or a
  transfer (TRANSFER, BLINDTRANSFER, ATTENDEDTRANSFER). Events are tied to their ENTERQUEUE by callid
  and queue. Events of calls that entered before the log begins have no ENTERQUEUE and are not calls
  of this file; agent and queue events (AGENTLOGIN, RINGNOANSWER, QUEUESTART…) are not calls.
- `asterisk-cdr`: cdr_csv Master.csv, one row per leg. Legs sharing a linkedid (21-column files) or
  uniqueid (18 columns) are one call; it entered the queue at the start of its first leg whose lastapp
  is Queue, and was connected by the first such leg with disposition ANSWERED and a destination
  channel (the agent: the channel name without Asterisk's -<8 hex digits> suffix). Calls without a
  Queue leg (IVR only, outbound) are not queue entries.

The result is text columns under our keys, read by kpi.detail.calls like any file (epochs and times
per the profile), each call located at the line of its ENTERQUEUE or first leg.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.detail.source import ReadOptions, calls_spec
from kpi.detail.tables import RawTable
from kpi.errors import Problem

ENDS = (
    "COMPLETECALLER", "COMPLETEAGENT", "ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY",
    "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER",
)  # fmt: skip
TRANSFERS = ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
QUEUE_LOG_FIELDS = 10  # epoch, callid, queuename, agent, event, data1…data5
CHANNEL_SUFFIX = r"-[0-9a-fA-F]{8}(;[12])?$"


def layout_table(
    layout: str, data: list[str] | dict[str, pa.Array], file: str, options: ReadOptions
) -> tuple[list[RawTable], list[Problem]]:
    if layout == "asterisk-queue-log":
        assert isinstance(data, list)
        frame = queue_log_calls(data)
    else:
        assert isinstance(data, dict)
        if "uniqueid" not in data:
            return [], [
                Problem(
                    "Asterisk CDR 文件没有 uniqueid 列，无法把同一通呼叫的各段合并",
                    file,
                    expected="cdr.conf [csv] 中 loguniqueid = yes 写出的 Master.csv（18 或 21 列）",
                )
            ]
        frame = cdr_calls(data)
    columns = {key: pa.array(frame[key].to_numpy(object), pa.string()) for key in frame if key != "line"}
    spec = calls_spec(options.source)
    table = RawTable(spec, file, "", 1, columns, options, lines=frame["line"].to_numpy(np.int64))
    return [table], []


def _split(lines: list[str]) -> list[pa.Array]:
    """queue_log lines → their first fields as text columns (short lines padded with empty fields)."""
    arr = pa.array(lines, pa.string())
    padded = pc.binary_join_element_wise(arr, "|" * QUEUE_LOG_FIELDS, "")
    parts = pc.split_pattern(padded, "|", max_splits=QUEUE_LOG_FIELDS)
    return [pc.utf8_trim_whitespace(pc.list_element(parts, i)) for i in range(QUEUE_LOG_FIELDS)]


def queue_log_calls(lines: list[str]) -> pd.DataFrame:
    """One row per ENTERQUEUE: call_id, caller, queue_time, connected, answer_time, end_time,
    agent_id (times as the log's epoch text), line."""
    epoch, callid, queue, agent, event, _d1, d2, *_ = (
        f.to_numpy(zero_copy_only=False) for f in _split(lines)
    )
    wanted = np.isin(event, ("ENTERQUEUE", "CONNECT", *ENDS))
    rows = np.flatnonzero(wanted)
    events = pd.DataFrame(
        {
            "epoch": epoch[rows],
            "callid": callid[rows],
            "queue": queue[rows],
            "agent": agent[rows],
            "event": event[rows],
            "caller": d2[rows],
            "line": rows + 1,
        }
    ).sort_values(["callid", "queue", "line"], kind="stable")
    enter = (events["event"] == "ENTERQUEUE").to_numpy()
    events["call"] = np.cumsum(enter)
    key = events["callid"] + "|" + events["queue"]
    first_key = key.where(enter).groupby(events["call"]).transform("first")
    events = events[(events["call"] > 0) & (key == first_key)]  # events without their ENTERQUEUE: not ours
    calls = events[events["event"] == "ENTERQUEUE"].set_index("call")
    connect = events[events["event"] == "CONNECT"].groupby("call").first()
    ends = events[events["event"].isin(ENDS)].groupby("call").first()
    again = calls.sort_values("line").groupby("callid").cumcount()  # a channel queued twice: two calls
    call_id = calls["callid"].where(again == 0, calls["callid"] + "#" + (again + 1).astype(str))
    out = pd.DataFrame(
        {
            "call_id": call_id,
            "caller": calls["caller"],
            "queue_time": calls["epoch"],
            "connected": np.where(calls.index.isin(connect.index), "1", "0"),
            "answer_time": connect["epoch"].reindex(calls.index),
            "end_time": ends["epoch"].reindex(calls.index),
            "agent_id": connect["agent"].reindex(calls.index),
            "queue": calls["queue"],
            "transferred": np.where(ends["event"].reindex(calls.index).isin(TRANSFERS), "1", "0"),
            "line": calls["line"],
        }
    ).sort_values("line")
    return out.fillna("")


def cdr_calls(columns: dict[str, pa.Array]) -> pd.DataFrame:
    """Master.csv legs → one row per call that entered a queue (see the module docstring)."""
    n = len(columns["uniqueid"])
    legs = pd.DataFrame({k: columns[k].to_numpy(zero_copy_only=False) for k in columns})
    legs["line"] = np.arange(1, n + 1)
    linked = legs["linkedid"] if "linkedid" in legs else pd.Series([""] * n)
    legs["group"] = linked.where(linked.str.strip() != "", legs["uniqueid"])
    legs = legs[legs["lastapp"].str.strip().str.lower() == "queue"]
    legs = legs.sort_values(["group", "start", "line"], kind="stable")
    first = legs.groupby("group", sort=False).first()
    answered = legs[
        (legs["disposition"].str.strip().str.upper() == "ANSWERED") & (legs["dstchannel"].str.strip() != "")
    ]
    taken = answered.groupby("group", sort=False).first().reindex(first.index)
    agent = taken["dstchannel"].str.strip().str.replace(CHANNEL_SUFFIX, "", regex=True)
    out = pd.DataFrame(
        {
            "call_id": first.index.to_numpy(object),
            "caller": first["src"].to_numpy(object),
            "queue_time": first["start"].to_numpy(object),
            "connected": np.where(taken["answer"].notna(), "1", "0"),
            "answer_time": taken["answer"].to_numpy(object),
            "end_time": taken["end"].to_numpy(object),
            "agent_id": agent.to_numpy(object),
            "queue": first["lastdata"].str.split(",").str[0].str.strip().to_numpy(object),
            "line": first["line"].to_numpy(np.int64),
        }
    ).sort_values("line")
    return out.fillna("")
