"""The documents the app hands out: the signable statement (PDF / .xlsx, as `kpi statement`) and
the 2-hour repeat evidence (.xlsx, as `kpi evidence`).

The pure builders (`fingerprint_of`, `statement_files`, `evidence_file`) hold no Streamlit and are
what the tests call; the buttons make their file only when clicked (a deferred download), so pages
do not pay for documents nobody asked for.

Every builder takes the user's scope: a vendor's statement holds only its own line, its evidence only
its own calls (another vendor answering a re-entry shown as 其他外包公司), callers masked for every role
but 合同管理. Every download button of the app goes through `download` here, whose click records an
"export" audit row when a database is configured and the user is signed in (not the demo).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import streamlit as st

from dashboard import data as d
from dashboard.access import OTHERS
from dashboard.views.common import md
from kpi.access.roles import VENDOR
from kpi.access.scope import Scope
from kpi.access.users import record_export
from kpi.detail.evidence import RepeatPair, repeat_pairs
from kpi.detail.run import detail_bytes, finish_detail, read_options
from kpi.detail.source import SourceProfile
from kpi.history.store import HistoryError
from kpi.reports.evidence import evidence_xlsx
from kpi.reports.fingerprint import DETAIL, RULEBOOK, WORKBOOK, Fingerprint, fingerprint, profile_input
from kpi.reports.statement_doc import build_statement
from kpi.reports.statement_pdf import FontMissing, find_font, statement_pdf
from kpi.reports.statement_xlsx import statement_xlsx
from kpi.rules.rulebook import Rulebook
from kpi.scoring.scorecard import Scorecard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Inputs:
    """The files behind the figures: the workbook, any extra detail files and the rulebook."""

    data: bytes
    name: str
    extra: tuple[tuple[bytes, str], ...]
    rules_text: str
    rules_source: str
    source: d.Source = ("", "")  # the source profile the detail is read through: (name, TOML text)

    @property
    def profile(self) -> SourceProfile | None:
        """The parsed source profile (None for our own headers, or when it has problems: the sidebar
        load shows those and nothing is scored)."""
        return d.source_profile(self.source)[0]


def fingerprint_of(inputs: Inputs) -> Fingerprint:
    return fingerprint(
        [
            (WORKBOOK, inputs.name, inputs.data),
            *((DETAIL, name, data) for data, name in inputs.extra),
            *profile_input(inputs.profile),
            (RULEBOOK, inputs.rules_source, inputs.rules_text.encode("utf-8")),
        ]
    )


def statement_files(
    cards: Sequence[Scorecard], rules: Rulebook, inputs: Inputs, issued: date, scope: Scope
) -> tuple[bytes, bytes]:
    """The statement of these cards (one month) as (PDF, .xlsx) bytes: only the scope's vendors' lines
    (a vendor's all-vendors statement is its own)."""
    doc = build_statement(scope.keep(cards), rules, fingerprint_of(inputs), issued)
    return statement_pdf(doc), statement_xlsx(doc)


def scoped_pairs(pairs: Sequence[RepeatPair], scope: Scope) -> tuple[RepeatPair, ...]:
    """The pairs as the scope sees them: a vendor is not told which other vendor (or agent) answered a
    re-entry, only that another one did."""
    if scope.role != VENDOR:
        return tuple(pairs)
    return tuple(
        p if not p.reentry_vendor or p.reentry_vendor == scope.vendor
        else replace(p, reentry_vendor=OTHERS, reentry_agent="")
        for p in pairs
    )  # fmt: skip


def evidence_file(
    inputs: Inputs,
    rules: Rulebook,
    vendor: str,
    agent: str | None,
    scope: Scope,
) -> tuple[bytes | None, str]:
    """The evidence .xlsx of a vendor (or one agent) and its month, or None and why not; callers in
    full only for 合同管理. The detail is measured against the workbook's whole summary (read again
    from the inputs: the app's records hold only the scope's vendors), then cut to the vendor."""
    if not scope.sees_vendor(vendor):
        return None, f"按您的权限不能取得「{vendor}」的证据"
    options = read_options(rules, inputs.profile, d.detail_limits())
    found = detail_bytes(inputs.data, inputs.name, extra=inputs.extra, options=options)
    if found is None or found.calls is None:
        return None, "本工作簿没有话务明细"
    records, _ = d.read_workbook(inputs.data, inputs.name)
    run = finish_detail(found, rules, records)
    if run.problems or run.measure is None:
        return None, "话务明细有问题，见「数据检查」"
    month = run.measure.month
    masked = not scope.sees_callers
    pairs = scoped_pairs(repeat_pairs(found.calls, month, vendor, agent, rules.detail, masked), scope)
    data = evidence_xlsx(
        pairs, vendor, agent, month, rules.detail.repeat_window_minutes, rules.detail.repeat_anchor, masked
    )
    return data, month


# ------------------------------------------------------------------ buttons (Streamlit)
def export_hook(
    scope: Scope | None, name: str, month: str | None = None
) -> Callable[[], None] | Literal["ignore"]:
    """A download button's on_click: record the export (who, which file) in the audit trail when a
    database is configured and the user signed in; nothing to record (no rerun) in the demo."""
    db = d.history_db()
    if scope is None or scope.demo or db is None:
        return "ignore"

    def record() -> None:
        try:
            record_export(d.history_engine(db), scope.user, name, month)
        except HistoryError as exc:  # the file is already on its way: say the record is missing
            st.error(f"「{md(name)}」已下载，但未能记入审计记录：{md(str(exc))}", icon=":material/error:")

    return record


def download(where, label: str, data, *, file_name: str, key: str, scope: Scope | None,
             month: str | None = None, **options) -> None:  # fmt: skip
    """`st.download_button` (in `where`: st, a column) whose click is an audited export."""
    where.download_button(
        label, data, file_name=file_name, key=key, on_click=export_hook(scope, file_name, month), **options
    )


def statement_buttons(
    cards: Sequence[Scorecard], rules: Rulebook, inputs: Inputs, stem: str, scope: Scope
) -> None:
    """PDF and .xlsx downloads of the signable statement of these cards (made when clicked)."""
    left, right = st.columns(2)
    month = cards[0].month if cards else None
    try:
        find_font()
    except FontMissing as exc:
        left.caption(f"无法生成 PDF：{exc}")
    else:
        download(
            left,
            "下载签字用结算单（PDF）",
            lambda: statement_files(cards, rules, inputs, date.today(), scope)[0],
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key="download_statement_pdf",
            type="primary",
            scope=scope,
            month=month,
        )
    download(
        right,
        "下载签字用结算单（.xlsx，A4 打印）",
        lambda: statement_files(cards, rules, inputs, date.today(), scope)[1],
        file_name=f"{stem}.xlsx",
        mime=XLSX,
        key="download_statement_doc",
        scope=scope,
        month=month,
    )


def evidence_button(
    inputs: Inputs,
    rules: Rulebook,
    vendor: str,
    scope: Scope,
    agent: str | None = None,
    month: str | None = None,
) -> None:
    """A download of the 2-hour repeat pairs of a vendor (or one agent), made when clicked."""
    if not scope.sees_vendor(vendor):
        return
    who = f"{vendor}_{agent}" if agent else vendor
    label = f"下载重复呼叫证据（{agent or vendor}，.xlsx）"
    callers = "主叫号码完整显示" if scope.sees_callers else "主叫号码隐去中间几位"
    download(
        st,
        label,
        lambda: evidence_file(inputs, rules, vendor, agent, scope)[0] or b"",
        file_name=f"重复呼叫证据_{who}.xlsx",
        mime=XLSX,
        key=f"download_evidence_{'agent' if agent else 'vendor'}",
        scope=scope,
        month=month,
        help=f"每一通计为 2 小时重复的呼叫与其再次进入队列的呼叫（{callers}），与命令行 kpi evidence 相同。",
    )
