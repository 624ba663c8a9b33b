"""The statement (`kpi.reports.statement_doc.Statement`) as a PDF on A4, with an embedded CJK font.

Every page carries the title line at the top and, at the bottom, the fingerprint and 「第 x 页 共 y 页」.
Text is written as text (fpdf2 embeds a subset of the TrueType font with its Unicode map), so
`pdftotext` gives the figures back. User text (vendor names …) is never read as markup.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from kpi.reports.files import atomic_write
from kpi.reports.statement_records import (
    Cell,
    Quantity,
    Statement,
    Table,
    VendorSection,
    cell_text,
    month_text,
)

# Debian's fonts-wqy-microhei first (scripts/dev.sh installs it), then other common CJK fonts.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
FONT = "cjk"
HEAD_FILL = (221, 235, 247)
TOTAL_FILL = (242, 242, 242)


def pdf_text(cell: Cell) -> str:
    """A cell as printed in the PDF; a per-ten-thousand value reads 万分之 3.5228 (the CJK fonts
    have no ‱ glyph)."""
    if isinstance(cell, Quantity) and cell.unit == "‱":
        return f"万分之 {cell.value:,.{cell.places}f}"
    return cell_text(cell)


class FontMissing(FileNotFoundError):
    """No CJK font on the machine: the PDF cannot show Chinese."""


def find_font() -> Path:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("找不到中文字体（请安装 Debian 的 fonts-wqy-microhei）")


class _Document(FPDF):
    def __init__(self, statement: Statement, font: Path) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.statement = statement
        self.add_font(FONT, "", str(font))
        self.set_margins(15, 18, 15)
        self.set_auto_page_break(True, margin=20)

    def header(self) -> None:
        s = self.statement
        self.set_font(FONT, size=8)
        self.set_text_color(90, 90, 90)
        left = f"{s.title}　{s.scope}　{month_text(s.month)}"
        self.set_xy(15, 8)
        self.cell(120, 5, left)
        self.cell(0, 5, s.version, align="R")
        self.set_text_color(0, 0, 0)
        self.set_y(18)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, size=7)
        self.set_text_color(90, 90, 90)
        self.cell(150, 4, f"指纹 SHA-256：{self.statement.fingerprint.sha256}")
        self.cell(0, 4, f"第 {self.page_no()} 页 共 {{nb}} 页", align="R")
        self.set_text_color(0, 0, 0)

    # ---------------------------------------------------------------- blocks
    def heading(self, text: str, size: float = 11) -> None:
        self.set_font(FONT, size=size)
        self.cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def para(self, text: str, size: float = 9.5) -> None:
        self.set_font(FONT, size=size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    def table_block(self, table: Table) -> None:
        if len(table.rows) <= 12 and self.will_page_break(12 + 5 * (len(table.rows) + 1)):
            self.add_page()  # a short table stays on one page
        self.heading(table.title, 10)
        self.set_font(FONT, size=8)
        numeric = [any(isinstance(r[i], Quantity) for r in table.rows) for i in range(len(table.headers))]
        with self.table(
            col_widths=table.widths,
            headings_style=FontFace(fill_color=HEAD_FILL),
            line_height=4.2,
            text_align="LEFT",
            repeat_headings=1,
            padding=1,
        ) as out:
            head = out.row()
            for text in table.headers:
                head.cell(text)
            last = len(table.rows) - 1
            for n, row in enumerate(table.rows):
                style = FontFace(fill_color=TOTAL_FILL) if table.total_row and n == last else None
                r = out.row(style=style)
                for i, value in enumerate(row):
                    r.cell(pdf_text(value), align="RIGHT" if numeric[i] else "LEFT")
        self.ln(3)


def _front(pdf: _Document, s: Statement) -> None:
    pdf.set_font(FONT, size=16)
    pdf.cell(0, 10, s.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.para(f"外包公司：{s.scope}")
    pdf.para(f"结算月份：{month_text(s.month)}（{s.period}）")
    pdf.para(f"考核依据：《{s.contract}》，规则本 {s.rulebook}，生效月份 {s.effective_month}")
    pdf.para(f"生成日期：{s.issued.isoformat()}" + (f"　版本：{s.version}" if s.version else ""))
    pdf.ln(2)
    pdf.table_block(s.sources)


def _section(pdf: _Document, sec: VendorSection, heading: bool) -> None:
    if heading:
        pdf.heading(f"{sec.vendor}　{month_text(sec.month)}", 12)
    pdf.para(f"数据来源：{sec.sources}")
    for note in sec.notes:
        pdf.para(f"说明：{note}")
    pdf.ln(2)
    pdf.table_block(sec.metrics)
    pdf.table_block(sec.categories)
    pdf.table_block(sec.adjustments)
    pdf.heading(f"考核总分：{sec.total} 分", 10.5)
    pdf.table_block(sec.money)
    pdf.heading(f"应付金额：{sec.payout:,.2f} 元　大写：{sec.payout_capitals}", 10.5)


def _signoff(pdf: _Document, s: Statement) -> None:
    if pdf.will_page_break(12 + 12 * len(s.signers)):
        pdf.add_page()
    pdf.ln(4)
    pdf.heading("签字确认", 11)
    pdf.set_font(FONT, size=10)
    with pdf.table(
        col_widths=(25, 85, 70),
        headings_style=FontFace(fill_color=HEAD_FILL),
        line_height=10,
        text_align="LEFT",
        v_align="MIDDLE",
    ) as out:
        head = out.row()
        for text in ("", "签字", "日期"):
            head.cell(text)
        for role in s.signers:
            row = out.row()
            row.cell(role)
            row.cell("")
            row.cell("        年      月      日")


def statement_pdf(statement: Statement, font: Path | None = None) -> bytes:
    """The statement as PDF bytes."""
    pdf = _Document(statement, font or find_font())
    pdf.set_title(f"{statement.title} {statement.scope} {month_text(statement.month)}")
    pdf.set_creator("kpi")
    pdf.set_creation_date(datetime.combine(statement.issued, time()))
    pdf.add_page()
    _front(pdf, statement)
    if statement.summary is not None:
        pdf.table_block(statement.summary)
        pdf.heading(f"应付合计：{statement.total_payout:,.2f} 元　大写：{statement.total_capitals}", 10.5)
        _signoff(pdf, statement)
        for sec in statement.sections:
            pdf.add_page()
            _section(pdf, sec, heading=True)
    else:
        _section(pdf, statement.sections[0], heading=False)
        _signoff(pdf, statement)
    return bytes(pdf.output())


def write_statement_pdf(statement: Statement, path: str | Path, force: bool = False) -> Path:
    data = statement_pdf(statement)
    return atomic_write(path, lambda handle: handle.write(data), force=force)
