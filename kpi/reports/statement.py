"""The settlement statement and the scorecards as files: .xlsx (statement sheet with its total row,
scorecard sheet), CSV and JSON. Totals are sums of the printed lines."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from kpi.money import fmt2
from kpi.reports.files import atomic_write, neutralise
from kpi.reports.scorecards import scorecard_dict, show, source_line
from kpi.scoring.scorecard import Scorecard

if TYPE_CHECKING:  # imported where a workbook is written: `kpi score` loads no xlsxwriter
    import xlsxwriter

STATEMENT_HEADERS = [
    "月份",
    "外包公司",
    "有效话务量",
    "单价(元)",
    "话务酬金(元)",
    "考核总分",
    "考核系数",
    "考核后酬金(元)",
    "信息安全扣款(元)",
    "应付金额(元)",
    "数据来源",
]


MONEY_COLUMNS = ("base_fee", "adjusted_fee", "security_deduction", "payout")


def statement_rows(cards: list[Scorecard]) -> tuple[list[dict[str, object]], dict[str, object]]:
    """The statement's lines and its totals row (each total is the sum of the printed lines)."""
    rows = []
    for c in cards:
        s = c.settlement
        rows.append(
            {
                "month": c.month,
                "vendor": c.vendor,
                "valid_calls": s.valid_calls,
                "unit_price": s.unit_price,
                "base_fee": s.base_fee,
                "score": c.total,
                "coefficient": s.coefficient,
                "adjusted_fee": s.adjusted_fee,
                "security_deduction": s.security_deduction,
                "payout": s.payout,
                "source": source_line(c),  # which figures came from the call detail, per vendor
            }
        )
    totals: dict[str, object] = {
        "month": "合计",
        "vendor": f"{len(rows)} 行",
        "valid_calls": sum(int(r["valid_calls"]) for r in rows),
        "source": "",
    }
    for key in MONEY_COLUMNS:
        totals[key] = sum((r[key] for r in rows), Decimal("0.00"))
    return rows, totals


def settlement_rules(cards: list[Scorecard]) -> list[str]:
    """The settlement rule each line assumed, said once below the statement (the contract gives none)."""
    return [f"结算规则：{rule}" for rule in dict.fromkeys(c.settlement.rule for c in cards) if rule]


def statement_bytes(cards: list[Scorecard]) -> bytes:
    """The settlement statement workbook (结算单 + 评分卡 sheets) as bytes."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    fmt = {
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "int": book.add_format({"num_format": "#,##0"}),
        "score": book.add_format({"num_format": "0.00"}),
        "coef": book.add_format({"num_format": "0.0000"}),
        "total": book.add_format({"bold": True, "num_format": "#,##0.00", "top": 1}),
        "total_int": book.add_format({"bold": True, "num_format": "#,##0", "top": 1}),
        "total_text": book.add_format({"bold": True, "top": 1}),
    }
    _statement_sheet(book, fmt, cards)
    _scorecard_sheet(book, fmt, cards)
    book.close()
    return buffer.getvalue()


def write_statement(cards: list[Scorecard], path: str | Path, force: bool = False) -> Path:
    """The statement as .xlsx, or as .csv when `path` ends in .csv."""
    data = statement_csv_bytes(cards) if str(path).lower().endswith(".csv") else statement_bytes(cards)
    return atomic_write(path, lambda handle: handle.write(data), force=force)


STATEMENT_KEYS = (
    "month",
    "vendor",
    "valid_calls",
    "unit_price",
    "base_fee",
    "score",
    "coefficient",
    *MONEY_COLUMNS[1:],
    "source",
)


TEXT_KEYS = ("month", "vendor", "source")


def statement_csv_bytes(cards: list[Scorecard]) -> bytes:
    """The statement as CSV (UTF-8 with BOM, so Excel shows the Chinese): text from the input is
    neutralised against formula injection; numbers are written as plain numbers."""
    rows, totals = statement_rows(cards)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(STATEMENT_HEADERS)
    for row in [*rows, totals]:
        writer.writerow(
            [
                neutralise(str(row[k])) if k in TEXT_KEYS else ("" if row.get(k) is None else str(row[k]))
                for k in STATEMENT_KEYS
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _statement_sheet(book: xlsxwriter.Workbook, fmt: dict, cards: list[Scorecard]) -> None:
    sheet = book.add_worksheet("结算单")
    rows, totals = statement_rows(cards)
    for col, header in enumerate(STATEMENT_HEADERS):
        sheet.write_string(0, col, header, fmt["head"])
    for r, row in enumerate(rows, start=1):
        sheet.write_string(r, 0, str(row["month"]))
        sheet.write_string(r, 1, str(row["vendor"]))
        sheet.write_number(r, 2, int(row["valid_calls"]), fmt["int"])
        sheet.write_number(r, 3, float(row["unit_price"]), fmt["money"])
        sheet.write_number(r, 4, float(row["base_fee"]), fmt["money"])
        sheet.write_number(r, 5, float(row["score"]), fmt["score"])
        sheet.write_number(r, 6, float(row["coefficient"]), fmt["coef"])
        for col, key in zip((7, 8, 9), MONEY_COLUMNS[1:], strict=True):
            sheet.write_number(r, col, float(row[key]), fmt["money"])
        sheet.write_string(r, 10, str(row["source"]))
    last = len(rows) + 1
    sheet.write_string(last, 0, "合计", fmt["total_text"])
    sheet.write_string(last, 1, str(totals["vendor"]), fmt["total_text"])
    for col, key, style in (
        (2, "valid_calls", "total_int"),
        (4, "base_fee", "total"),
        (7, "adjusted_fee", "total"),
        (8, "security_deduction", "total"),
        (9, "payout", "total"),
    ):
        letter = chr(ord("A") + col)
        sheet.write_formula(last, col, f"=SUM({letter}2:{letter}{last})", fmt[style], float(totals[key]))
    for i, line in enumerate(settlement_rules(cards)):
        sheet.write_string(last + 2 + i, 0, line)
    sheet.set_column(0, 1, 12)
    sheet.set_column(2, 9, 15)
    sheet.set_column(10, 10, 60)
    sheet.freeze_panes(1, 2)


def _scorecard_sheet(book: xlsxwriter.Workbook, fmt: dict, cards: list[Scorecard]) -> None:
    sheet = book.add_worksheet("评分卡")
    headers = ["月份", "外包公司", "项目", "类别", "值", "得分", "满分", "计分说明", "条款"]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, fmt["head"])
    r = 1
    for card in cards:
        lines = [
            (
                m.label,
                m.category,
                show(m.value),
                fmt2(m.points) if m.assessed else "未考核",
                fmt2(m.max_points),
                m.segment,
                m.clause,
            )
            for m in card.metrics
        ]
        lines += [
            (c.label + "小计", c.id, "", fmt2(c.score), fmt2(c.weight), c.formula, "")
            for c in card.categories
        ]
        lines += [
            (a.label, "扣分/加分", show(a.value), fmt2(a.points), "", a.rule, a.clause)
            for a in card.adjustments
        ]
        lines.append(("总分", "", "", fmt2(card.total), "", "", ""))
        lines.append(("数据来源", "", "", "", "", source_line(card), ""))
        lines += [("说明", "", "", "", "", note, "") for note in card.notes]
        for line in lines:
            sheet.write_string(r, 0, card.month)
            sheet.write_string(r, 1, card.vendor)
            for col, value in enumerate(line, start=2):
                if col in (5, 6) and value not in ("", "未考核"):
                    sheet.write_number(r, col, float(value), fmt["score"])
                else:
                    sheet.write_string(r, col, str(value))
            r += 1
    sheet.set_column(0, 6, 12)
    sheet.set_column(7, 7, 40)
    sheet.set_column(8, 8, 60)


def scorecards_json(cards: list[Scorecard]) -> bytes:
    return json.dumps([scorecard_dict(c) for c in cards], ensure_ascii=False, indent=2).encode("utf-8")


def scorecards_xlsx(cards: list[Scorecard]) -> bytes:
    """One row per vendor-month: each metric's points, category scores, adjustments, total, payout.
    Text is written as text (never a formula); numbers as numbers."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("评分卡汇总")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    num = book.add_format({"num_format": "0.00"})
    cash = book.add_format({"num_format": "#,##0.00"})
    if cards:
        first = cards[0]
        headers = [
            "月份",
            "外包公司",
            *[m.label for m in first.metrics],
            *[c.label for c in first.categories],
            *[a.label for a in first.adjustments],
            "总分",
            "应付金额(元)",
        ]
        for col, h in enumerate(headers):
            sheet.write_string(0, col, h, head)
        for r, card in enumerate(cards, start=1):
            sheet.write_string(r, 0, card.month)
            sheet.write_string(r, 1, card.vendor)
            values = [m.points if m.assessed else None for m in card.metrics]
            values += [c.score for c in card.categories] + [a.points for a in card.adjustments] + [card.total]
            for col, v in enumerate(values, start=2):
                if v is None:
                    sheet.write_string(r, col, "未考核")
                else:
                    sheet.write_number(r, col, float(v), num)
            sheet.write_number(r, len(headers) - 1, float(card.settlement.payout), cash)
        sheet.set_column(0, len(headers) - 1, 14)
        sheet.freeze_panes(1, 2)
    book.close()
    return buffer.getvalue()
