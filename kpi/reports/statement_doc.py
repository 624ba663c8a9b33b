"""The settlement statement a finance officer signs (shared spec statement.md), as data.

`build_statement(cards, rules, fingerprint, issued)` is a pure function: scorecards of one month
(one vendor, or all) + the rulebook + the inputs' fingerprint → a `Statement`
(`kpi.reports.statement_records`) whose tables hold every line as printed. The PDF and .xlsx writers
(`statement_pdf`, `statement_xlsx`) only lay it out, so both show the same figures; the history
database can store the same record. Money is the scorecards' settlement, line by line, to the fen;
the all-vendors total is the sum of the printed payouts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from kpi.reports.capitals import rmb
from kpi.reports.fingerprint import Fingerprint
from kpi.reports.scorecards import show, source_line
from kpi.reports.statement_records import (
    VALUE_PLACES,
    Cell,
    Quantity,
    Statement,
    Table,
    VendorSection,
    period_text,
    points,
    quantity,
    value_cell,
    version_text,
    yuan,
)
from kpi.rules.rulebook import Rulebook
from kpi.scoring.scorecard import Scorecard

TITLE = "10086热线话务外包服务费结算单"
SIGNERS = ("编制", "审核", "批准")
VENDOR_SIGNER = "外包公司确认"


def _metrics(card: Scorecard, rules: Rulebook) -> Table:
    labels = {c.id: c.label for c in rules.categories}
    rows = tuple(
        (
            labels.get(m.category, m.category),
            m.label,
            "；".join(f"{label} {show(v)}" for _, label, v in m.inputs),
            value_cell(m.value, m.unit) if m.assessed else "未考核",
            points(m.points) if m.assessed else "未考核",
            points(m.max_points),
        )
        for m in card.metrics
    )
    return Table("考核指标", ("类别", "指标", "输入", "值", "得分", "满分"), rows, (10, 16, 40, 14, 10, 10))


def _categories(card: Scorecard) -> Table:
    rows = tuple((c.label, c.formula, points(c.score), points(c.weight)) for c in card.categories)
    return Table("类别得分", ("类别", "计算", "得分", "权重"), rows, (14, 56, 15, 15))


def _adjustments(card: Scorecard) -> Table:
    rows = tuple(
        (
            a.label,
            quantity(a.value, a.unit, VALUE_PLACES),
            a.rule,
            points(a.points),
            quantity(a.fee_percent, "%", 2) if a.fee_percent else "—",
        )
        for a in card.adjustments
    )
    headers = ("项目", "数量/值", "计算", "扣分/加分", "扣款(占话务酬金)")
    return Table("扣分项与加分项", headers, rows, (16, 14, 40, 14, 16))


def _money(card: Scorecard) -> Table:
    s = card.settlement
    source = "话务明细" if dict(card.sources).get("valid_calls") == "detail" else "月度指标汇总表"
    rows = (
        ("有效话务量", f"取自{source}", Quantity(Decimal(s.valid_calls), "通", 0)),
        ("单价", "服务酬金条款", Quantity(s.unit_price, "元/通", len(str(s.unit_price).partition(".")[2]))),
        ("话务酬金", f"{s.valid_calls:,} × {s.unit_price}", yuan(s.base_fee)),
        ("考核总分", "各类别得分之和 + 扣分项与加分项", points(card.total)),
        ("考核系数", s.note, Quantity(s.coefficient, "", len(str(s.coefficient).partition(".")[2]))),
        ("考核后酬金", f"{s.base_fee:,.2f} × {s.coefficient}", yuan(s.adjusted_fee)),
        ("信息安全扣款", f"{s.base_fee:,.2f} × {show(s.security_percent)}%", yuan(s.security_deduction)),
        ("应付金额", f"{s.adjusted_fee:,.2f} − {s.security_deduction:,.2f}", yuan(s.payout)),
    )
    return Table("结算金额（每行四舍五入到分）", ("项目", "计算", "金额"), rows, (20, 55, 25), total_row=True)


def vendor_section(card: Scorecard, rules: Rulebook) -> VendorSection:
    return VendorSection(
        card.vendor,
        card.month,
        source_line(card),
        tuple(card.notes) + ((f"结算规则：{card.settlement.rule}",) if card.settlement.rule else ()),
        _metrics(card, rules),
        _categories(card),
        _adjustments(card),
        card.total,
        _money(card),
        card.settlement.payout,
        rmb(card.settlement.payout),
    )


def _sources(fp: Fingerprint) -> Table:
    rows = tuple((s.role, s.name, s.short) for s in fp.sources)
    return Table("数据来源", ("类别", "文件", "SHA-256（前 12 位）"), rows, (15, 60, 25))


def _summary(cards: Sequence[Scorecard]) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (
            c.vendor,
            Quantity(Decimal(c.settlement.valid_calls), "通", 0),
            yuan(c.settlement.base_fee),
            points(c.total),
            Quantity(c.settlement.coefficient, "", len(str(c.settlement.coefficient).partition(".")[2])),
            yuan(c.settlement.adjusted_fee),
            yuan(c.settlement.security_deduction),
            yuan(c.settlement.payout),
        )
        for c in cards
    ]
    rows.append(
        (
            f"合计（{len(cards)} 家）",
            Quantity(Decimal(sum(c.settlement.valid_calls for c in cards)), "通", 0),
            yuan(sum((c.settlement.base_fee for c in cards), Decimal("0.00"))),
            "",
            "",
            yuan(sum((c.settlement.adjusted_fee for c in cards), Decimal("0.00"))),
            yuan(sum((c.settlement.security_deduction for c in cards), Decimal("0.00"))),
            yuan(sum((c.settlement.payout for c in cards), Decimal("0.00"))),
        )
    )
    headers = (
        "外包公司",
        "有效话务量",
        "话务酬金",
        "考核总分",
        "考核系数",
        "考核后酬金",
        "信息安全扣款",
        "应付金额",
    )
    return Table("汇总", headers, tuple(rows), (16, 12, 13, 10, 9, 13, 13, 14), total_row=True)


def build_statement(
    cards: Sequence[Scorecard],
    rules: Rulebook,
    fingerprint: Fingerprint,
    issued: date,
    version: int | str | None = None,
) -> Statement:
    """The statement of one month for the given scorecards (one vendor's, or every vendor's).

    Raises ValueError for no cards or cards of several months (a bug in the caller)."""
    months = {c.month for c in cards}
    if len(months) != 1:
        raise ValueError(f"a statement covers one month, got {sorted(months)}")
    month = months.pop()
    cards = sorted(cards, key=lambda c: c.vendor)
    single = len(cards) == 1
    total = sum((c.settlement.payout for c in cards), Decimal("0.00"))
    return Statement(
        title=TITLE,
        month=month,
        period=period_text(month),
        scope=cards[0].vendor if single else f"全部外包公司（{len(cards)} 家）",
        vendor=cards[0].vendor if single else None,
        contract=rules.name,
        effective_month=rules.effective_month,
        rulebook=rules.source,
        fingerprint=fingerprint,
        issued=issued,
        version=version_text(version),
        sources=_sources(fingerprint),
        summary=None if single else _summary(cards),
        sections=tuple(vendor_section(c, rules) for c in cards),
        total_payout=total,
        total_capitals=rmb(total),
        signers=SIGNERS + ((VENDOR_SIGNER,) if single else ()),
    )
