"""The statement .xlsx, read back with openpyxl: prints on A4, fitted to width, title rows repeated,
fingerprint and page numbers on every page, figures as numbers with units, text never a formula."""

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from kpi.reports.fingerprint import RULEBOOK, WORKBOOK, fingerprint
from kpi.reports.statement_doc import build_statement
from kpi.reports.statement_xlsx import statement_xlsx, write_statement_xlsx
from kpi.scoring.scorecard import score
from tests.builders import vendor_month

FP = fingerprint([(WORKBOOK, "五月.xlsx", b"workbook"), (RULEBOOK, "default.toml", b"rules")])


def sheet_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))["结算单"]


def values(ws) -> list[object]:
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.fixture
def ws(rules):
    doc = build_statement([score(vendor_month(), rules)], rules, FP, date(2026, 11, 25))
    return sheet_of(statement_xlsx(doc))


def test_prints_on_a4_fitted_to_width_with_repeated_title_rows(ws):
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # fitToWidth is left out when 1, its default in the file format (ECMA-376)
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$3"
    assert ws.print_area == f"'结算单'!$A$1:$H${ws.max_row}"


def test_fingerprint_and_page_numbers_on_every_page(ws):
    assert FP.sha256 in ws.oddFooter.left.text
    assert ws.oddFooter.right.text == "第 &P 页 共 &N 页"
    assert ws["A3"].value == f"指纹 SHA-256：{FP.sha256}"  # a repeated title row


def test_contents_chinese_categories_and_figures_with_units(ws):
    cells = values(ws)
    assert ws["A1"].value == "10086热线话务外包服务费结算单"
    assert {"运营表现", "服务表现", "其他"} <= set(cells)
    assert "operations" not in cells
    assert "应付金额：4,459.05 元　大写：人民币肆仟肆佰伍拾玖元零伍分" in cells
    assert {"编制", "审核", "批准", "外包公司确认"} <= set(cells)
    money = {}
    for row in ws.iter_rows():
        if (
            row[0].value in ("话务酬金", "考核后酬金", "信息安全扣款", "应付金额", "有效话务量")
            and row[2].value
        ):
            money[row[0].value] = (row[2].value, row[2].number_format)
    assert money == {
        "有效话务量": (9800, '#,##0" 通"'),
        "话务酬金": (8330, '#,##0.00" 元"'),
        "考核后酬金": (5292.05, '#,##0.00" 元"'),
        "信息安全扣款": (833, '#,##0.00" 元"'),
        "应付金额": (4459.05, '#,##0.00" 元"'),
    }
    repeat = next(row for row in ws.iter_rows() if row[1].value == "二小时重复拨打率")
    assert (repeat[3].value, repeat[3].number_format) == (15.5, '#,##0.0000"%"')
    assert (repeat[4].value, repeat[4].number_format) == (8.5, '#,##0.00" 分"')


def test_text_from_the_input_is_never_a_formula(rules):
    card = replace(score(vendor_month(), rules), vendor='=HYPERLINK("http://x","点我")')
    ws = sheet_of(statement_xlsx(build_statement([card], rules, FP, date(2026, 11, 25))))
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert any(
        str(v).endswith(
            '=HYPERLINK("http://x","点我")　结算月份：2024年05月（2024年05月01日至2024年05月31日）'
        )
        for v in values(ws)
    )


def test_all_vendors_break_pages_between_vendors(rules):
    cards = [replace(score(vendor_month(), rules), vendor=v) for v in ("甲公司", "乙公司", "丙公司")]
    doc = build_statement(cards, rules, FP, date(2026, 11, 25))
    ws = sheet_of(statement_xlsx(doc))
    assert len(ws.row_breaks.brk) == 3
    total = next(row for row in ws.iter_rows() if row[0].value == "合计（3 家）")
    assert Decimal(str(total[7].value)) == Decimal("13377.15")  # 3 × 4,459.05


def test_never_overwrites_without_force(rules, tmp_path):
    doc = build_statement([score(vendor_month(), rules)], rules, FP, date(2026, 11, 25))
    path = write_statement_xlsx(doc, tmp_path / "结算单.xlsx")
    with pytest.raises(FileExistsError):
        write_statement_xlsx(doc, path)
    assert write_statement_xlsx(doc, path, force=True) == path
