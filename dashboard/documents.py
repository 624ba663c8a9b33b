"""The documents the app hands out: the signable statement (PDF / .xlsx, as `kpi statement`) and
the 2-hour repeat evidence (.xlsx, as `kpi evidence`).

The pure builders (`fingerprint_of`, `statement_files`, `evidence_file`) hold no Streamlit and are
what the tests call; the buttons make their file only when clicked (a deferred download), so pages
do not pay for documents nobody asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from kpi.detail.evidence import repeat_pairs
from kpi.detail.run import detail_bytes, finish_detail
from kpi.records import VendorMonth
from kpi.reports.evidence import evidence_xlsx
from kpi.reports.fingerprint import DETAIL, RULEBOOK, WORKBOOK, Fingerprint, fingerprint
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


def fingerprint_of(inputs: Inputs) -> Fingerprint:
    return fingerprint(
        [
            (WORKBOOK, inputs.name, inputs.data),
            *((DETAIL, name, data) for data, name in inputs.extra),
            (RULEBOOK, inputs.rules_source, inputs.rules_text.encode("utf-8")),
        ]
    )


def statement_files(
    cards: Sequence[Scorecard], rules: Rulebook, inputs: Inputs, issued: date
) -> tuple[bytes, bytes]:
    """The statement of these cards (one month) as (PDF, .xlsx) bytes."""
    doc = build_statement(cards, rules, fingerprint_of(inputs), issued)
    return statement_pdf(doc), statement_xlsx(doc)


def evidence_file(
    inputs: Inputs, rules: Rulebook, records: Sequence[VendorMonth], vendor: str, agent: str | None
) -> tuple[bytes | None, str]:
    """The evidence .xlsx of a vendor (or one agent) and its month, or None and why not."""
    found = detail_bytes(inputs.data, inputs.name, extra=inputs.extra)
    if found is None or found.calls is None:
        return None, "本工作簿没有话务明细"
    run = finish_detail(found, rules, records)
    if run.problems or run.measure is None:
        return None, "话务明细有问题，见「数据检查」"
    month = run.measure.month
    pairs = repeat_pairs(found.calls, month, vendor, agent, rules.detail)
    data = evidence_xlsx(
        pairs, vendor, agent, month, rules.detail.repeat_window_minutes, rules.detail.repeat_anchor
    )
    return data, month


# ------------------------------------------------------------------ buttons (Streamlit)
def statement_buttons(cards: Sequence[Scorecard], rules: Rulebook, inputs: Inputs, stem: str) -> None:
    """PDF and .xlsx downloads of the signable statement of these cards (made when clicked)."""
    left, right = st.columns(2)
    try:
        find_font()
    except FontMissing as exc:
        left.caption(f"无法生成 PDF：{exc}")
    else:
        left.download_button(
            "下载签字用结算单（PDF）",
            lambda: statement_files(cards, rules, inputs, date.today())[0],
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key="download_statement_pdf",
            on_click="ignore",
            type="primary",
        )
    right.download_button(
        "下载签字用结算单（.xlsx，A4 打印）",
        lambda: statement_files(cards, rules, inputs, date.today())[1],
        file_name=f"{stem}.xlsx",
        mime=XLSX,
        key="download_statement_doc",
        on_click="ignore",
    )


def evidence_button(
    inputs: Inputs, rules: Rulebook, records: Sequence[VendorMonth], vendor: str, agent: str | None = None
) -> None:
    """A download of the 2-hour repeat pairs of a vendor (or one agent), made when clicked."""
    who = f"{vendor}_{agent}" if agent else vendor
    label = f"下载重复呼叫证据（{agent or vendor}，.xlsx）"
    st.download_button(
        label,
        lambda: evidence_file(inputs, rules, records, vendor, agent)[0] or b"",
        file_name=f"重复呼叫证据_{who}.xlsx",
        mime=XLSX,
        key=f"download_evidence_{'agent' if agent else 'vendor'}",
        on_click="ignore",
        help="每一通计为 2 小时重复的呼叫与其再次进入队列的呼叫（主叫号码隐去中间几位），与命令行 kpi evidence 相同。",
    )
