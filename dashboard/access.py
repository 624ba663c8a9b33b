"""What the signed-in user may see, applied where the app fetches data: `scoped` cuts a loaded workbook
down to the scope's vendors before any page gets it (records, scorecards, agents, reconciliation,
provenance, notices, problems), and the history readers below do the same for the 月度流程, 趋势 and
总览 pages. Caller numbers are masked here for every role but 合同管理 (`Scope.callers`).

No Streamlit here: the tests call these functions on small fixtures.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from dashboard.data import Loaded
from dashboard.views.provenance import Provenance
from kpi.access.roles import VENDOR
from kpi.access.scope import Scope
from kpi.errors import Problem
from kpi.history.disputes import Dispute, add_dispute, get_dispute, list_disputes
from kpi.history.store import HistoryError, reading
from kpi.history.versions import MonthSummary, current, month_versions, months, vendor_rows

OTHERS = "其他外包公司"  # what a vendor sees where another vendor's name stood (a re-entry's vendor)


def keep_frame(frame: pd.DataFrame | None, scope: Scope, column: str) -> pd.DataFrame | None:
    """The rows of a table whose `column` names a vendor the scope sees (index reset)."""
    if frame is None:
        return None
    if frame.empty or column not in frame.columns:
        return frame
    mine = frame[[scope.sees_vendor(str(v)) for v in frame[column]]]
    return mine.reset_index(drop=True)


def masked_frame(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """A table with the caller numbers in its text cells masked (every role but 合同管理)."""
    if scope.sees_callers or frame.empty:
        return frame
    return frame.map(lambda v: scope.callers(v) if isinstance(v, str) else v)


def masked_problem(p: Problem, scope: Scope) -> Problem:
    c = scope.callers
    return replace(p, message=c(p.message), value=c(p.value), expected=c(p.expected), file=c(p.file))


def scoped_provenance(p: Provenance | None, scope: Scope) -> Provenance | None:
    if p is None or scope.role != VENDOR:
        return p
    by_vendor = scope.keep(p.not_judgeable_by_vendor, lambda x: x[0])
    return replace(
        p,
        differences=scope.keep(p.differences),
        not_judgeable=sum(n for _, n in by_vendor),
        not_judgeable_by_vendor=by_vendor,
    )


def _names(loaded: Loaded) -> set[str]:
    return {r.vendor for r in loaded.records} | {c.vendor for c in loaded.cards}


def self_audit_notice(loaded: Loaded, scope: Scope) -> str | None:
    """What a vendor is told when its own upload holds other vendors' rows (or none of its own)."""
    if scope.role != VENDOR:
        return None
    names = _names(loaded)
    others = sorted(names - {scope.vendor})
    if not names or not others and scope.vendor in names:
        return None
    if scope.vendor not in names:
        return (
            f"工作簿中没有「{scope.vendor}」的数据（只有另外 {len(others)} 家外包公司的），"
            "按您的权限不予评分。请上传本公司的月度工作簿。"
        )
    return f"工作簿中另有 {len(others)} 家外包公司的数据，已按您的权限忽略，只评分「{scope.vendor}」。"


def withheld(count: int) -> Problem:
    """The one problem a vendor sees in place of the problems of data it did not upload."""
    return Problem(
        f"数据中发现 {count} 处问题，可能涉及其他外包公司的数据，按您的权限不显示明细；请联系合同管理。"
    )


def scoped(loaded: Loaded, scope: Scope, own_upload: bool = False) -> tuple[Loaded, tuple[str, ...]]:
    """The loaded workbook as the scope may see it, and what the user is told about the cut.

    A 外包公司 user keeps only its own vendor's records, scorecards, agents, reconciliation rows and
    provenance; the problems and notices of a file it uploaded itself are its own (shown, callers
    masked), those of data it did not upload (the sample, a shared file) are withheld behind one
    generic problem, and notices naming another vendor are dropped. 财务 sees every vendor, callers
    masked; 合同管理 sees everything as loaded."""
    said: tuple[str, ...] = ()
    problems, notices, detail_notices = loaded.problems, loaded.notices, loaded.detail_notices
    if scope.role == VENDOR:
        names = _names(loaded)
        if own_upload:
            notice = self_audit_notice(loaded, scope)
            said = (notice,) if notice else ()
        else:
            problems = (withheld(len(problems)),) if problems else ()
            others = names - {scope.vendor}
            notices = tuple(n for n in notices if not any(o in n for o in others))
            detail_notices = tuple(n for n in detail_notices if not any(o in n for o in others))
    out = replace(
        loaded,
        records=scope.keep(loaded.records),
        cards=scope.keep(loaded.cards),
        problems=tuple(masked_problem(p, scope) for p in problems),
        notices=tuple(scope.callers(n) for n in notices),
        detail_notices=tuple(scope.callers(n) for n in detail_notices),
        provenance=scoped_provenance(loaded.provenance, scope),
        agents=keep_frame(loaded.agents, scope, "vendor"),
        reconciliation=keep_frame(loaded.reconciliation, scope, "外包公司"),
    )
    return out, said


# ------------------------------------------------------------------ the history database, as the scope sees it
def scoped_months(conn: Connection, scope: Scope) -> list[MonthSummary]:
    """The months table: for a vendor, only months it has a row in, with its own payout as the total."""
    rows = months(conn)
    if scope.role != VENDOR:
        return rows
    out = []
    for m in rows:
        standing = current(month_versions(conn, m.month))
        mine = scope.keep(vendor_rows(conn, standing.id)) if standing is not None else ()
        if mine:
            total = sum((Decimal(r.payout) for r in mine), Decimal("0.00"))
            out.append(replace(m, payout_total=f"{total:.2f}"))
    return out


def scoped_disputes(conn: Connection, month: str, scope: Scope) -> list[Dispute]:
    """The month's disputes the scope sees (a vendor: its own)."""
    vendor = scope.vendor if scope.role == VENDOR else None
    return list(scope.keep(list_disputes(conn, month, vendor=vendor)))


def dispute_vendors(rows: list, scope: Scope) -> list:
    """The vendor rows the scope may file a dispute for (合同管理: every one; a vendor: its own)."""
    return [r for r in rows if scope.files_dispute_for(r.vendor)]


def file_dispute(
    engine: Engine,
    scope: Scope,
    month: str,
    vendor: str,
    metric: str,
    claim: str,
    reason: str,
    user: str,
    evidence: tuple[str, bytes] | None = None,
) -> Dispute:
    """`add_dispute`, refused (HistoryError, Chinese) for a vendor the scope may not dispute for."""
    if not scope.files_dispute_for(vendor):
        raise HistoryError(f"按您的权限不能为「{vendor}」登记争议")
    return add_dispute(engine, month, vendor, metric, claim, reason, user, evidence)


def takes_evidence(scope: Scope, dispute: Dispute) -> bool:
    """Who may take a dispute's evidence file out: 合同管理 and the vendor that filed it (财务 sees no
    caller numbers, and an uploaded file cannot be masked)."""
    return scope.runs_cycle or (scope.role == VENDOR and dispute.vendor == scope.vendor)


def check_evidence(engine: Engine, number: int, scope: Scope) -> None:
    """Raise HistoryError (Chinese) when the scope may not take dispute #number's evidence."""
    with reading(engine) as conn:
        dispute = get_dispute(conn, number)
    if not takes_evidence(scope, dispute):
        raise HistoryError(f"按您的权限不能取出争议 #{number} 的证据文件")
