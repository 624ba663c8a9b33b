"""The evidence table (2-hour repeat pairs, `kpi.detail.evidence`) as an .xlsx a manager can send.

One sheet 重复呼叫明细: a title line saying whose calls and which month, the rule applied, then one row
per pair: masked caller, the first call (id, queue and answer time, agent), the re-entry (id, time,
whether and by whom it was answered), the gap in minutes, and both rows' places in the detail.
Text is written as string cells (never formulas); times as Excel date-times; printed on A4 landscape.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import xlsxwriter

from kpi.detail.evidence import RepeatPair
from kpi.money import round_half_up
from kpi.reports.files import atomic_write

HEADERS = (
    "序号",
    "主叫号码",
    "首次呼叫编号",
    "首次进入队列时间",
    "首次接通时间",
    "接听坐席",
    "再次进入队列时间",
    "间隔(分钟)",
    "再次呼叫编号",
    "再次呼叫是否接通",
    "再次接听坐席",
    "再次接听公司",
    "首次呼叫在明细中的位置",
    "再次呼叫在明细中的位置",
)
WIDTHS = (6, 14, 14, 20, 20, 12, 20, 11, 14, 10, 12, 12, 30, 30)
ANCHOR_TEXT = {"answer_time": "接通", "queue_time": "进入队列"}


def evidence_title(vendor: str, agent: str | None, month: str) -> str:
    who = f"{vendor} 坐席 {agent}" if agent else vendor
    return f"{who}　{month} 二小时重复呼叫明细"


def rule_text(window_minutes: int, anchor: str, masked: bool = True) -> str:
    start = ANCHOR_TEXT.get(anchor, anchor)
    return (
        f"规则：一通接通的电话，同一主叫在{start}后 {window_minutes} 分钟内（含）再次进入人工队列"
        f"（无论是否接通、由哪家公司接听），记首次接听坐席一次重复；列出的是第一次再入。"
        f"间隔自首次{start}时刻起算。"
        + ("主叫号码已隐去中间几位。" if masked else "主叫号码完整显示，请妥善保管。")
    )


def _excel_time(stamp: pd.Timestamp) -> object:
    return None if pd.isna(stamp) else stamp.to_pydatetime()


def evidence_xlsx(
    pairs: Sequence[RepeatPair],
    vendor: str,
    agent: str | None,
    month: str,
    window_minutes: int,
    anchor: str = "answer_time",
    masked: bool = True,
) -> bytes:
    """The evidence sheet; `masked` says whether the pairs' callers were masked (the rule line says so)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("重复呼叫明细")
    title = book.add_format({"bold": True, "font_size": 13})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    text = book.add_format({"border": 1})
    when = book.add_format({"border": 1, "num_format": "yyyy-mm-dd hh:mm:ss"})
    minutes = book.add_format({"border": 1, "num_format": "0.00"})
    last = len(HEADERS) - 1
    sheet.merge_range(0, 0, 0, last, "", title)
    sheet.write_string(0, 0, evidence_title(vendor, agent, month), title)
    sheet.merge_range(1, 0, 1, last, "", wrap)
    sheet.write_string(
        1, 0, f"共 {len(pairs):,} 通重复呼叫。" + rule_text(window_minutes, anchor, masked), wrap
    )
    sheet.set_row(1, 30)
    for col, header in enumerate(HEADERS):
        sheet.write_string(2, col, header, head)
    for r, p in enumerate(pairs, start=3):
        values: list[tuple[str, object]] = [
            ("number", r - 2),
            ("text", p.caller),
            ("text", p.call_id),
            ("time", p.queue_time),
            ("time", p.answer_time),
            ("text", p.agent_id),
            ("time", p.reentry_time),
            ("minutes", p.gap_minutes),
            ("text", p.reentry_call_id),
            ("text", "是" if p.reentry_connected else "否"),
            ("text", p.reentry_agent),
            ("text", p.reentry_vendor),
            ("text", p.location),
            ("text", p.reentry_location),
        ]
        for col, (kind, value) in enumerate(values):
            if kind == "time":
                stamp = _excel_time(value)  # type: ignore[arg-type]
                if stamp is None:
                    sheet.write_blank(r, col, None, text)
                else:
                    sheet.write_datetime(r, col, stamp, when)
            elif kind == "minutes":
                sheet.write_number(r, col, float(round_half_up(value, 2)), minutes)  # type: ignore[arg-type]
            elif kind == "number":
                sheet.write_number(r, col, value, text)  # type: ignore[arg-type]
            elif value == "":
                sheet.write_blank(r, col, None, text)
            else:
                sheet.write_string(r, col, str(value), text)
    for col, w in enumerate(WIDTHS):
        sheet.set_column(col, col, w)
    end = max(2, len(pairs) + 2)
    sheet.freeze_panes(3, 2)
    sheet.autofilter(2, 0, end, last)
    sheet.print_area(0, 0, end, last)
    sheet.repeat_rows(2)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&R第 &P 页 共 &N 页")
    book.close()
    return buffer.getvalue()


def write_evidence(path: str | Path, data: bytes, force: bool = False) -> Path:
    return atomic_write(path, lambda handle: handle.write(data), force=force)
