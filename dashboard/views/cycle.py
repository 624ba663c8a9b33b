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
from kpi.history.statements import export_statement
from kpi.history.store import HistoryError, reading
from kpi.history.versions import MonthSummary, StandingCard, vendor_rows
from kpi.pipeline import assess
from kpi.reports.scorecards import show
from kpi.reports.statement_pdf import statement_pdf
from kpi.reports.statement_records import Statement
from kpi.rules.rulebook import Rulebook

MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>~$"})


def plain(text: str) -> str:
    """User text (vendor names, reasons, values, file names) inert inside Streamlit's Markdown labels."""
    return text.translate(MARKDOWN)


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


def history_frame(cards: list[StandingCard]) -> pd.DataFrame:
    """One row per vendor-month as it stands: 月份, 外包公司, 状态 (draft/published/final), 应付 (Decimal),
    total and each metric's value (float; None when not assessed) under its id. Small to cache."""
    rows = []
    for c in cards:
        row: dict[str, object] = {"月份": c.month, "外包公司": c.vendor, "状态": c.state, "应付": c.payout,
                                  "total": float(c.scorecard["total_score"])}  # fmt: skip
        for m in c.scorecard["metrics"]:
            row[m["id"]] = float(m["value"]) if m["assessed"] and m["value"] is not None else None
        rows.append(row)
    return pd.DataFrame(rows)


def history_trend(frame: pd.DataFrame, metric_id: str) -> pd.DataFrame:
    """Like `views.trends.trend`, from the history: month, vendor, value (None when not assessed)."""
    if frame.empty or metric_id not in frame.columns:
        return pd.DataFrame(columns=["月份", "外包公司", "值"])
    out = frame[["月份", "外包公司", metric_id]].rename(columns={metric_id: "值"})
    return out.astype({"值": "object"}).where(out.notna(), None)


def year_to_date(frame: pd.DataFrame, month: str) -> tuple[pd.DataFrame, list[str]]:
    """Each vendor's payout summed over the finalised months of `month`'s year up to `month`, and those months."""
    mine = frame[(frame["月份"].str[:4] == month[:4]) & (frame["月份"] <= month) & (frame["状态"] == "final")]
    counted = sorted(set(mine["月份"]))
    table = pd.DataFrame(
        [{"外包公司": vendor, "已定稿月数": len(group), "本年累计应付(元)": f"{sum(group['应付'], Decimal('0.00')):,.2f}"}
         for vendor, group in sorted(mine.groupby("外包公司"), key=lambda x: x[0])],
        columns=["外包公司", "已定稿月数", "本年累计应付(元)"],
    )  # fmt: skip
    return table, counted


def month_vendors(engine: Engine, rows: list) -> list:
    """The vendor-months of the month's published version (the one disputes are about)."""
    published = [r for r in rows if r.state == "published"]
    if not published:
        return []
    with reading(engine) as conn:
        return vendor_rows(conn, published[-1].id)


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


def final_statement(
    engine: Engine, month: str, user: str, vendor: str | None = None
) -> tuple[str, bytes, str]:
    """The month's statement as it stands (the final one once finalised), every vendor's or one
    vendor's, as PDF: (file name, bytes, fingerprint); taking it is an audit row, as
    `kpi statement --month M [--vendor V]`."""
    name = f"结算单_{month}.pdf" if vendor is None else f"结算单_{month}_{vendor}.pdf"
    made: list[bytes] = []

    def write(doc: Statement) -> str:
        made.append(statement_pdf(doc))
        return name

    got = export_statement(engine, month, vendor, None, user, write)
    return name, made[0], got.statement.fingerprint.sha256
