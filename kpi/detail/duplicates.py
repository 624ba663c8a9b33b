"""The same calls given twice: a 呼叫流水号 found in two 话务明细 sheets or files is refused, naming
both places, before anything is counted (two exports of one day, or one file passed twice, would be
counted twice and paid twice)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from kpi.errors import Problem, show_value

if TYPE_CHECKING:
    from kpi.detail.tables import RawTable

LIMIT = 10  # listed one by one; the rest are counted


def repeated_call_ids(frame: pd.DataFrame, tables: Sequence[RawTable]) -> list[Problem]:
    """A 呼叫流水号 found in two sheets or files: the same calls given twice (two exports of one day,
    one file passed twice) would be counted twice and paid twice. Refused, naming both places.
    (Within one sheet a number may repeat: a transferred call can queue again under its number.)"""
    if len(tables) < 2:  # one sheet or file: nothing can be given twice (and 5M ids need no hashing)
        return []
    ids = frame["call_id"]
    candidates = frame.loc[ids.ne("") & ids.duplicated(keep=False), ["call_id", "source", "row"]]
    if candidates.empty:
        return []
    firsts = candidates.drop_duplicates("call_id")
    first = dict(zip(firsts["call_id"], zip(firsts["source"], firsts["row"], strict=True), strict=True))
    again = candidates[candidates["source"].to_numpy() != candidates["call_id"].map(lambda c: first[c][0])]
    again = again.drop_duplicates(["call_id", "source"])
    problems = []
    for call_id, source, row in again.head(LIMIT).itertuples(index=False):
        where, (was, was_row) = tables[source], first[call_id]
        earlier = tables[was]
        sheet = f"工作表「{earlier.sheet}」" if earlier.sheet else ""
        problems.append(
            Problem(
                "同一呼叫流水号在两处明细中出现（同一通电话会被计两次）",
                where.file,
                where.sheet,
                int(row),
                where.spec.header_of("call_id"),
                show_value(call_id),
                f"每通电话只出现在一个明细里；它已出现在文件「{earlier.file}」{sheet}第 {int(was_row)} 行",
            )
        )
    if len(again) > LIMIT:
        problems.append(
            Problem(
                f"另有 {len(again) - LIMIT:,} 个呼叫流水号在两处明细中重复出现，未逐个列出",
                expected="同一个月的话务只导入一次（检查是否把同一文件或同一天的导出给了两次）",
            )
        )
    return problems
