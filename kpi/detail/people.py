"""Roster (坐席名册) and exam (考试成绩) sheets → canonical tables, and the agent-in-two-vendors check.

Roster: agent_id, name, vendor, start_date (datetime64[ms]). Exam: agent_id, vendor, score (float).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from kpi.detail.cells import category_codes, encode, pair_first_rows, to_number, to_text, total_rows
from kpi.detail.tables import LIMIT, RawTable, as_numpy, missing_columns, null_mask, row_problems
from kpi.detail.times import TimeReading, to_time
from kpi.errors import Problem


def _duplicates(table: RawTable, agent: pa.Array, keep: np.ndarray, what: str) -> list[Problem]:
    ids = pd.Series(agent.to_pylist(), dtype=object)
    dup = ids.duplicated(keep="first").to_numpy() & keep & ids.notna().to_numpy()
    return row_problems(table, dup, "agent_id", f"坐席工号在{what}中重复出现", "每名坐席一行")


def build_roster(tables: Sequence[RawTable]) -> tuple[pd.DataFrame | None, list[Problem]]:
    """坐席名册: agent_id, name, vendor, start_date (datetime64[ms])."""
    return _build_small(tables, "start_date")


def build_exam(tables: Sequence[RawTable]) -> tuple[pd.DataFrame | None, list[Problem]]:
    """考试成绩: agent_id, vendor, score (float, 0–100)."""
    return _build_small(tables, "score")


def _build_small(tables: Sequence[RawTable], value_key: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    frames, problems = [], []
    for table in tables:
        found = missing_columns(table)
        if found:
            problems += found
            continue
        c, n = table.columns, table.rows
        agent, vendor = to_text(c["agent_id"]), to_text(c["vendor"])
        skip = total_rows({"agent_id": agent, "vendor": vendor}, ("agent_id", "vendor")) | (
            null_mask(agent) & null_mask(vendor)
        )
        if value_key == "score":
            value, bad = to_number(c["score"])
            bad = bad | np.isnan(value) | (value < 0) | (value > 100)
            message, expected = "考试成绩为空、无法识别或超出范围", "0 到 100 之间的分数"
        else:
            stamp, bad = to_time(c["start_date"], TimeReading(serials=bool(table.sheet)))
            bad = bad | null_mask(stamp)
            value = as_numpy(stamp).astype("datetime64[ms]")
            message, expected = "上岗日期为空或无法识别", "日期，如 2024-04-15"
        checks = [
            (bad, value_key, message, expected),
            (
                null_mask(agent) | null_mask(vendor),
                "agent_id",
                "缺少坐席工号或外包公司",
                "坐席工号和外包公司",
            ),
        ]
        drop = np.zeros(n, bool)
        for mask, key, msg, exp in checks:
            mask = mask & ~skip
            problems += row_problems(table, mask, key, msg, exp)
            drop |= mask
        keep = ~(drop | skip)
        problems += _duplicates(table, agent, keep, table.spec.label)
        frame = pd.DataFrame({"agent_id": agent.to_pandas(), "vendor": vendor.to_pandas(), value_key: value})
        if "name" in c:
            frame.insert(1, "name", to_text(c["name"]).to_pandas())
        frames.append(frame[keep])
    if not frames:
        return None, problems
    return pd.concat(frames, ignore_index=True), problems


def check_agents(calls: pd.DataFrame | None, roster: pd.DataFrame | None) -> list[Problem]:
    """An agent id met under two vendors (in the calls and the roster together) is a problem."""
    parts = []
    if calls is not None:  # one row per (agent, vendor) pair of the answered calls, at its first row
        agent_codes, agents = category_codes(calls["agent_id"])
        vendor_codes, vendors = category_codes(calls["vendor"])
        wanted = calls["connected"].to_numpy(bool) & (agent_codes >= 0) & (vendor_codes >= 0)
        if "" in agents:
            wanted &= agent_codes != agents.index("")
        pairs, at = pair_first_rows(agent_codes, vendor_codes, len(vendors), wanted)
        parts.append(
            pd.DataFrame(
                {
                    "agent_id": [agents[i] for i in pairs // len(vendors)],
                    "vendor": [vendors[i] for i in pairs % len(vendors)],
                    "source": calls["source"].cat.categories.to_numpy()[
                        calls["source"].cat.codes.to_numpy()[at]
                    ],
                    "row": calls["row"].to_numpy()[at],
                }
            )
        )
    if roster is not None:
        parts.append(roster[["agent_id", "vendor"]].assign(source="!坐席名册", row=-1))
    if not parts:
        return []
    table = pd.concat(parts, ignore_index=True).drop_duplicates(["agent_id", "vendor"])
    twice = table[table.duplicated("agent_id", keep=False)]
    out = []
    for agent, group in list(twice.groupby("agent_id", sort=True))[:LIMIT]:
        second = group.iloc[1]
        file, _, sheet = str(second["source"]).partition("!")
        row = int(second["row"]) if int(second["row"]) > 0 else None
        found = f"{agent}：" + "、".join(group["vendor"].astype(str))
        out.append(
            Problem(
                "同一坐席工号出现在两家外包公司",
                file,
                sheet,
                row,
                "外包公司",
                found,
                "每个坐席工号只属于一家外包公司",
            )
        )
    return out


def vendors_from_roster(
    calls: pd.DataFrame, roster: pd.DataFrame | None, sources: Sequence[str]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Calls of files without a 外包公司 column (`sources`: their labels) take each agent's vendor
    from the 坐席名册 by 坐席工号; a connected call whose agent is not in the roster is refused, located."""
    if not sources:
        return calls, []
    from_file = calls["source"].isin(list(sources)).to_numpy(bool)
    if roster is None:
        first = sorted(sources)[0]
        file, _, sheet = first.partition("!")
        return calls, [
            Problem(
                "话务明细没有外包公司列，也没有坐席名册可按坐席工号查外包公司",
                file,
                sheet,
                column="外包公司",
                expected="表头「外包公司」，或同时给出含「坐席工号」「外包公司」的坐席名册",
            )
        ]
    by_agent = dict(zip(roster["agent_id"].astype(str), roster["vendor"].astype(str), strict=True))
    agent_codes, agent_names = encode(calls["agent_id"])  # looked up once per distinct agent
    names = agent_names.to_pylist()
    looked = pd.Series([by_agent.get(a) for a in names], dtype=object)
    found = pd.Series(looked.to_numpy()[agent_codes], index=calls.index)
    agents = pd.Series(np.asarray(names, dtype=object)[agent_codes], index=calls.index)
    vendor = calls["vendor"].astype(str).where(~from_file, found.fillna(""))
    connected = calls["connected"].to_numpy(bool)
    missing = from_file & connected & found.isna().to_numpy(bool)
    problems = []
    for i in np.flatnonzero(missing)[:LIMIT]:
        file, _, sheet = str(calls["source"].iat[i]).partition("!")
        problems.append(
            Problem(
                "坐席工号不在坐席名册中，无法确定外包公司",
                file,
                sheet,
                int(calls["row"].iat[i]),
                "坐席工号",
                agents.iat[i],
                "坐席名册中列出的坐席工号（话单没有外包公司列，外包公司按名册查）",
            )
        )
    if missing.sum() > LIMIT:
        problems.append(
            Problem(
                f"另有 {int(missing.sum()) - LIMIT:,} 通呼叫的坐席工号不在坐席名册中", calls["source"].iat[0]
            )
        )
    out = calls.copy()
    out["vendor"] = pd.Categorical(vendor)
    return out, problems
