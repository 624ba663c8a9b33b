"""月度流程 and the history views: the months table, the disputes table, trends and year-to-date
payouts read from the history database, and the page's actions (each returns its Chinese message)."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from decimal import Decimal

import pandas as pd
from sqlalchemy.engine import Engine

from kpi.history import cycle
from kpi.history.disputes import DISPUTE_STATES, Dispute
from kpi.history.snapshot import decode, file_digest
from kpi.history.store import HistoryError
from kpi.history.versions import MonthSummary, StandingCard
from kpi.pipeline import assess
from kpi.reports.scorecards import show
from kpi.rules.rulebook import Rulebook


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def months_frame(rows: list[MonthSummary]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"月份": m.month, "状态": m.state_label, "版本": m.version_label, "版本数": m.versions,
             "争议截止日": m.deadline or "—", "应付合计(元)": f"{Decimal(m.payout_total):,.2f}"}
            for m in rows
        ],
        columns=["月份", "状态", "版本", "版本数", "争议截止日", "应付合计(元)"],
    )  # fmt: skip


def _value(d: Dispute, text: str | None) -> str:
    return "—" if text is None else show(decode(d.metric, text))


def disputes_frame(rows: list[Dispute]) -> pd.DataFrame:
    columns = ["编号", "外包公司", "输入项", "原值", "主张", "状态", "理由", "提出人", "证据", "证据 SHA-256",
               "处理人", "处理理由", "采用值", "结果版本"]  # fmt: skip
    return pd.DataFrame(
        [
            [f"#{d.id}", d.vendor, d.label, _value(d, d.original), _value(d, d.claim), DISPUTE_STATES[d.state],
             d.reason, d.created_by, d.evidence_name or "—", d.evidence_sha256 or "—", d.decided_by or "—",
             d.decision_reason or "—", _value(d, d.decided_value),
             "—" if d.result_version is None else f"第 {d.result_version} 版"]
            for d in rows
        ],
        columns=columns,
    )  # fmt: skip


def history_trend(cards: list[StandingCard], metric_id: str) -> pd.DataFrame:
    """Like `views.trends.trend`, from the history: month, vendor, value (None when not assessed)."""
    rows = []
    for c in cards:
        if metric_id == "total":
            value: float | None = float(c.scorecard["total_score"])
        else:
            m = next((x for x in c.scorecard["metrics"] if x["id"] == metric_id), None)
            value = float(m["value"]) if m and m["assessed"] and m["value"] is not None else None
        rows.append({"月份": c.month, "外包公司": c.vendor, "值": value})
    return pd.DataFrame(rows, columns=["月份", "外包公司", "值"])


def year_to_date(cards: list[StandingCard], month: str) -> tuple[pd.DataFrame, list[str]]:
    """Each vendor's payout summed over the finalised months of `month`'s year up to `month`, and those months."""
    counted = sorted(
        {c.month for c in cards if c.month[:4] == month[:4] and c.month <= month and c.state == "final"}
    )
    totals: dict[str, Decimal] = {}
    for c in cards:
        if c.month in counted:
            totals[c.vendor] = totals.get(c.vendor, Decimal("0.00")) + c.payout
    frame = pd.DataFrame(
        [{"外包公司": v, "已定稿月数": sum(1 for c in cards if c.vendor == v and c.month in counted),
          "本年累计应付(元)": f"{t:,.2f}"} for v, t in sorted(totals.items())],
        columns=["外包公司", "已定稿月数", "本年累计应付(元)"],
    )  # fmt: skip
    return frame, counted


def act(step: Callable[[], str]) -> tuple[bool, str]:
    """Run a page action: (True, what was done) or (False, why it was refused)."""
    try:
        return True, step()
    except HistoryError as exc:
        return False, str(exc)


def import_sample(engine: Engine, rules: Rulebook, rules_text: str, sample, user: str) -> str:
    """The bundled sample (six months, June with its call detail) as draft versions."""
    result = assess(sample, rules)
    done = cycle.import_assessment(engine, result, rules, rules_text, [file_digest(sample, "workbook")], user)
    return f"已导入示例数据：{'、'.join(f'{v.month} 第 {v.number} 版' for v in done)}（草稿）"
