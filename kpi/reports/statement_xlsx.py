"""The statement (`kpi.reports.statement_doc.Statement`) as an .xlsx that prints on A4.

One sheet 结算单: the title rows (repeated on every printed page), the sources, the summary (all
vendors), each vendor's scorecard and money lines (a page break before each vendor when there are
several), the payout in capitals, the sign-off block. Print area set, fitted to one page wide, A4
portrait; the page header and footer carry the fingerprint and 「第 x 页 共 y 页」.

Figures are numbers with their unit in the number format (6,447.25 元 stays a number a formula can
add); every text from the input is written as a string cell, never as a formula.
"""

from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from kpi.reports.files import atomic_write
from kpi.reports.statement_records import Quantity, Statement, Table, VendorSection, month_text

COLUMNS = 8
WIDTHS = (16, 18, 34, 14, 14, 14, 14, 15)
A4 = 9


class _Sheet:
    """A cursor over the worksheet with the formats it uses."""

    def __init__(self, book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        self.book, self.sheet, self.row = book, sheet, 0
        self.formats: dict[tuple, Format] = {}

    def fmt(self, unit: str = "", places: int | None = None, **props: object) -> Format:
        key = (unit, places, tuple(sorted(props.items())))
        if key not in self.formats:
            spec: dict[str, object] = {"font_size": 10, "valign": "vcenter", **props}
            if places is not None:
                number = "#,##0" + ("." + "0" * places if places else "")
                spec["num_format"] = number + (
                    f'" {unit}"' if unit and unit not in ("%", "‱") else f'"{unit}"' if unit else ""
                )
            self.formats[key] = self.book.add_format(spec)
        return self.formats[key]

    def text(self, value: str, size: int = 10, bold: bool = False, height: float | None = None) -> None:
        style = self.fmt(font_size=size, bold=bold, text_wrap=True)
        self.sheet.merge_range(self.row, 0, self.row, COLUMNS - 1, "", style)
        self.sheet.write_string(self.row, 0, value, style)
        if height:
            self.sheet.set_row(self.row, height)
        self.row += 1

    def table(self, table: Table) -> None:
        self.text(table.title, 11, bold=True)
        head = self.fmt(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
        for col, header in enumerate(table.headers):
            self.sheet.write_string(self.row, col, header, head)
        self.row += 1
        last = len(table.rows) - 1
        for n, line in enumerate(table.rows):
            extra = {"bold": True, "bg_color": "#F2F2F2"} if table.total_row and n == last else {}
            for col, value in enumerate(line):
                if isinstance(value, Quantity):
                    style = self.fmt(value.unit, value.places, border=1, **extra)
                    self.sheet.write_number(self.row, col, float(value.value), style)
                else:
                    self.sheet.write_string(self.row, col, value, self.fmt(border=1, text_wrap=True, **extra))
            self.row += 1
        self.row += 1


def _escape(text: str) -> str:
    """Text for a page header/footer, where & starts a code."""
    return text.replace("&", "&&")


def _section(out: _Sheet, sec: VendorSection, heading: bool) -> None:
    if heading:
        out.text(f"{sec.vendor}　{month_text(sec.month)}", 12, bold=True)
    out.text(f"数据来源：{sec.sources}")
    for note in sec.notes:
        out.text(f"说明：{note}")
    out.row += 1
    for table in (sec.metrics, sec.categories, sec.adjustments):
        out.table(table)
    out.text(f"考核总分：{sec.total} 分", 11, bold=True)
    out.row += 1
    out.table(sec.money)
    out.text(f"应付金额：{sec.payout:,.2f} 元　大写：{sec.payout_capitals}", 11, bold=True)
    out.row += 1


def _signoff(out: _Sheet, s: Statement) -> None:
    out.text("签字确认", 11, bold=True)
    head = out.fmt(bold=True, bg_color="#DDEBF7", border=1)
    box = out.fmt(border=1)
    out.sheet.write_string(out.row, 0, "", head)
    out.sheet.merge_range(out.row, 1, out.row, 4, "签字", head)
    out.sheet.merge_range(out.row, 5, out.row, 7, "日期", head)
    out.row += 1
    for role in s.signers:
        out.sheet.write_string(out.row, 0, role, box)
        out.sheet.merge_range(out.row, 1, out.row, 4, "", box)
        out.sheet.merge_range(out.row, 5, out.row, 7, "        年      月      日", box)
        out.sheet.set_row(out.row, 30)
        out.row += 1


def statement_xlsx(statement: Statement) -> bytes:
    """The statement as .xlsx bytes."""
    s = statement
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties({"title": f"{s.title} {s.scope} {month_text(s.month)}", "author": "kpi"})
    sheet = book.add_worksheet("结算单")
    out = _Sheet(book, sheet)
    for col, w in enumerate(WIDTHS):
        sheet.set_column(col, col, w)
    out.text(s.title, 16, bold=True, height=28)
    out.text(
        f"外包公司：{s.scope}　结算月份：{month_text(s.month)}（{s.period}）"
        + (f"　{s.version}" if s.version else "")
    )
    out.text(f"指纹 SHA-256：{s.fingerprint.sha256}", 8)
    sheet.repeat_rows(0, 2)
    out.text(f"考核依据：《{s.contract}》，规则本 {s.rulebook}，生效月份 {s.effective_month}")
    out.text(f"生成日期：{s.issued.isoformat()}")
    out.row += 1
    out.table(s.sources)
    breaks = []
    if s.summary is not None:
        out.table(s.summary)
        out.text(f"应付合计：{s.total_payout:,.2f} 元　大写：{s.total_capitals}", 11, bold=True)
        out.row += 1
        _signoff(out, s)
        for sec in s.sections:
            out.row += 1
            breaks.append(out.row)
            _section(out, sec, heading=True)
    else:
        _section(out, s.sections[0], heading=False)
        _signoff(out, s)
    sheet.set_h_pagebreaks(breaks)
    sheet.print_area(0, 0, out.row - 1, COLUMNS - 1)
    sheet.set_paper(A4)
    sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.8)
    sheet.set_header(
        f"&L&8{_escape(s.title)} {_escape(s.scope)} {month_text(s.month)}&R&8{_escape(s.version)}"
    )
    sheet.set_footer(f"&L&8指纹 SHA-256：{s.fingerprint.sha256}&R&8第 &P 页 共 &N 页")
    book.close()
    return buffer.getvalue()


def write_statement_xlsx(statement: Statement, path: str | Path, force: bool = False) -> Path:
    data = statement_xlsx(statement)
    return atomic_write(path, lambda handle: handle.write(data), force=force)
