"""The per-agent table as text, JSON rows and CSV (for `kpi agents` and the app)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from kpi.detail.repeats import AgentRepeats
from kpi.money import fmt2, round_half_up
from kpi.reports.files import neutralise
from kpi.reports.scorecards import table

HEADERS = ("坐席工号", "外包公司", "接通量", "2小时重复呼叫数", "重复拨打率(%)", "得分")
KEYS = ("agent_id", "vendor", "connected_calls", "repeat_2h_calls", "rate", "points")


def agent_dict(agent: AgentRepeats) -> dict[str, object]:
    """JSON shape: rate in percent rounded half up to 2 decimals (exact ratio in rate_exact)."""
    return {
        "agent_id": agent.agent_id,
        "vendor": agent.vendor,
        "connected_calls": agent.connected_calls,
        "repeat_2h_calls": agent.repeat_2h_calls,
        "rate": None if agent.rate is None else str(round_half_up(agent.rate * 100, 2)),
        "points": None if agent.points is None else fmt2(agent.points),
        "rate_exact": None if agent.rate is None else str(agent.rate),
    }


def _cells(agent: AgentRepeats) -> list[str]:
    row = agent_dict(agent)
    return ["—" if row[k] is None else str(row[k]) for k in KEYS]


def agents_table(agents: Sequence[AgentRepeats]) -> str:
    return table(list(HEADERS), [_cells(a) for a in agents], right={2, 3, 4, 5})


def agents_csv(agents: Sequence[AgentRepeats]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(KEYS)
    for agent in agents:
        row = agent_dict(agent)
        writer.writerow(
            [
                "" if row[k] is None else neutralise(row[k]) if isinstance(row[k], str) else row[k]
                for k in KEYS
            ]
        )
    return out.getvalue()
