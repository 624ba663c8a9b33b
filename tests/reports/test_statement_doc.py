"""The statement as data: every line of the spec's worked example, the sources and the fingerprint."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from kpi.reports.fingerprint import DETAIL, RULEBOOK, WORKBOOK, fingerprint
from kpi.reports.statement_doc import build_statement
from kpi.reports.statement_records import Quantity, cell_text, period_text, version_text
from kpi.scoring.scorecard import score
from tests.builders import vendor_month

FP = fingerprint([(WORKBOOK, "五月.xlsx", b"workbook"), (RULEBOOK, "default.toml", b"rules")])
ISSUED = date(2026, 11, 25)


def test_one_vendor_statement_of_the_spec_example(rules):
    card = score(vendor_month(), rules)
    doc = build_statement([card], rules, FP, ISSUED)
    assert (doc.title, doc.scope, doc.vendor, doc.month) == (
        "10086热线话务外包服务费结算单",
        "甲公司",
        "甲公司",
        "2024-05",
    )
    assert doc.period == "2024年05月01日至2024年05月31日"
    assert (doc.contract, doc.effective_month) == ("10086热线话务外包合作公司业务考核细则", "2024-01")
    assert doc.summary is None
    assert doc.signers == ("编制", "审核", "批准", "外包公司确认")
    (sec,) = doc.sections
    money = {row[0]: cell_text(row[2]) for row in sec.money.rows}
    assert money == {
        "有效话务量": "9,800 通",
        "单价": "0.85 元/通",
        "话务酬金": "8,330.00 元",
        "考核总分": "63.53 分",
        "考核系数": "0.6353",
        "考核后酬金": "5,292.05 元",
        "信息安全扣款": "833.00 元",
        "应付金额": "4,459.05 元",
    }
    assert sec.payout == Decimal("4459.05") == doc.total_payout
    assert sec.payout_capitals == doc.total_capitals == "人民币肆仟肆佰伍拾玖元零伍分"
    first = sec.metrics.rows[0]
    assert [cell_text(c) for c in first] == [
        "运营表现",
        "二小时重复拨打率",
        "2小时重复呼叫数 1550；接通量 10000",
        "15.5000%",
        "8.50 分",
        "10.00 分",
    ]
    assert {row[0] for row in sec.metrics.rows} == {"运营表现", "服务表现", "其他"}
    assert [(r[0], cell_text(r[2])) for r in sec.categories.rows] == [
        ("运营表现", "25.40 分"),
        ("服务表现", "49.63 分"),
        ("其他", "2.00 分"),
    ]
    adjustments = {r[0]: (cell_text(r[1]), cell_text(r[3]), cell_text(r[4])) for r in sec.adjustments.rows}
    assert adjustments["升级投诉"] == ("2", "-10.00 分", "—")
    assert adjustments["业务稽核合格率"] == ("93.5000%", "-1.50 分", "—")
    assert adjustments["信息安全事件"] == ("1", "0.00 分", "10.00%")
    assert sec.total == Decimal("63.53")
    assert sec.sources == "月度指标汇总表"


def test_all_vendors_statement_sums_the_printed_payouts(rules):
    a = score(vendor_month(), rules)
    b = score(vendor_month(security_incidents=0), rules)
    b = replace(b, vendor="乙公司")
    doc = build_statement([b, a], rules, FP, ISSUED)
    assert doc.vendor is None and doc.scope == "全部外包公司（2 家）"
    assert [s.vendor for s in doc.sections] == ["乙公司", "甲公司"]  # by name, as `kpi score`
    assert doc.signers == ("编制", "审核", "批准")
    total = doc.summary.rows[-1]
    assert total[0] == "合计（2 家）"
    assert cell_text(total[-1]) == "9,751.10 元"  # 4,459.05 + 5,292.05
    assert doc.total_payout == Decimal("9751.10")
    assert doc.total_capitals == "人民币玖仟柒佰伍拾壹元壹角整"


def test_statement_covers_one_month(rules):
    a = score(vendor_month(), rules)
    b = replace(a, month="2024-06")
    with pytest.raises(ValueError):
        build_statement([a, b], rules, FP, ISSUED)


def test_sources_are_listed_with_short_digests(rules):
    doc = build_statement([score(vendor_month(), rules)], rules, FP, ISSUED)
    assert [(r[0], r[1], len(r[2])) for r in doc.sources.rows] == [
        ("工作簿", "五月.xlsx", 12),
        ("规则本", "default.toml", 12),
    ]


def test_fingerprint_follows_content_not_names_or_detail_order():
    same = fingerprint([(RULEBOOK, "copy.toml", b"rules"), (WORKBOOK, "renamed.xlsx", b"workbook")])
    assert same.sha256 == FP.sha256
    d1 = fingerprint([(WORKBOOK, "w", b"w"), (DETAIL, "a", b"a"), (DETAIL, "b", b"b"), (RULEBOOK, "r", b"r")])
    d2 = fingerprint([(WORKBOOK, "w", b"w"), (DETAIL, "b", b"b"), (DETAIL, "a", b"a"), (RULEBOOK, "r", b"r")])
    assert d1.sha256 == d2.sha256
    changed = fingerprint([(WORKBOOK, "五月.xlsx", b"workbook"), (RULEBOOK, "default.toml", b"rules ")])
    assert changed.sha256 != FP.sha256
    assert len(FP.sha256) == 64


def test_period_version_and_quantities():
    assert period_text("2024-02") == "2024年02月01日至2024年02月29日"
    assert (version_text(None), version_text(1), version_text(2)) == ("", "第 1 版", "第 2 版，更正")
    assert Quantity(Decimal("14.0409"), "%", 4).text == "14.0409%"
    assert Quantity(Decimal("1234567.5"), "元", 2).text == "1,234,567.50 元"
