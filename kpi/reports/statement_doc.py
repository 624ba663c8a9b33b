"""The settlement statement a finance officer signs (shared spec statement.md), as data.

`build_statement(cards, rules, fingerprint, issued)` is a pure function: scorecards of one month
(one vendor, or all) + the rulebook + the inputs' fingerprint → a `Statement` whose tables hold every
line as printed. The PDF and .xlsx writers (`statement_pdf`, `statement_xlsx`) only lay it out, so
both show the same figures; the history database can store the same record.

Cells are text, or a `Quantity` (an exact number with its unit and places) that the .xlsx writer
keeps as a number with a unit format. Money is the scorecards' settlement, line by line, to the fen;
the all-vendors total is the sum of the printed payouts.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from kpi.money import round_half_up
from kpi.reports.capitals import rmb
from kpi.reports.fingerprint import Fingerprint
from kpi.reports.scorecards import show, sources_text
from kpi.rules.rulebook import Rulebook
from kpi.scoring.scorecard import Scorecard

TITLE = "10086热线话务外包服务费结算单"
SIGNERS = ("编制", "审核", "批准")
VENDOR_SIGNER = "外包公司确认"
VALUE_PLACES = 4  # a metric's value, as `kpi explain` and the JSON show it


@dataclass(frozen=True)
class Quantity:
    """An exact number as printed: `value` already rounded to `places`, with its unit."""

    value: Decimal
    unit: str = ""
    places: int = 2

    @property
    def text(self) -> str:
        number = f"{self.value:,.{self.places}f}"
        return f"{number} {self.unit}" if self.unit and self.unit not in "%‱" else number + self.unit


Cell = str | Quantity


def cell_text(cell: Cell) -> str:
    return cell.text if isinstance(cell, Quantity) else cell


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[int, ...]  # relative column widths
    total_row: bool = False  # the last row is a total


@dataclass(frozen=True)
class VendorSection:
    vendor: str
    month: str
    sources: str  # which figures came from the call detail, which from the summary sheet
    notes: tuple[str, ...]
    metrics: Table
    categories: Table
    adjustments: Table
    total: Decimal
    money: Table
    payout: Decimal
    payout_capitals: str  # 人民币…


@dataclass(frozen=True)
class Statement:
    title: str
    month: str
    period: str  # 2024年05月01日至2024年05月31日
    scope: str  # the vendor, or 全部外包公司（N 家）
    vendor: str | None  # None for all vendors
    contract: str
    effective_month: str
    rulebook: str  # the rulebook's file name
    fingerprint: Fingerprint
    issued: date
    version: str  # "" or 第 1 版 / 第 2 版，更正
    sources: Table
    summary: Table | None  # all vendors: one line each and the total
    sections: tuple[VendorSection, ...]
    total_payout: Decimal
    total_capitals: str
    signers: tuple[str, ...]


def month_text(month: str) -> str:
    year, mon = month.split("-")
    return f"{year}年{mon}月"


def period_text(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    last = calendar.monthrange(year, mon)[1]
    return f"{year}年{mon:02d}月01日至{year}年{mon:02d}月{last:02d}日"


def version_text(version: int | None) -> str:
    if version is None:
        return ""
    return "第 1 版" if version <= 1 else f"第 {version} 版，更正"


def _q(value: Fraction | int | Decimal | None, unit: str = "", places: int = 2) -> Cell:
    """A count as a whole number; anything else to `places` decimals (a blank as —)."""
    if value is None:
        return "—"
    if isinstance(value, int) or (isinstance(value, Fraction) and value.denominator == 1 and not unit):
        return Quantity(Decimal(int(value)), unit, 0)
    return Quantity(round_half_up(value, places), unit, places)


def _value(value: Fraction | None, unit: str) -> Cell:
    """A metric's value at fixed places: 4 for rates (as `kpi explain`), 2 for a score in 分."""
    if value is None:
        return "—"
    places = 2 if unit == "分" else VALUE_PLACES
    return Quantity(round_half_up(value, places), unit, places)


def _points(value: Decimal) -> Quantity:
    return Quantity(value, "分", 2)


def _yuan(value: Decimal) -> Quantity:
    return Quantity(value, "元", 2)


def _metrics(card: Scorecard, rules: Rulebook) -> Table:
    labels = {c.id: c.label for c in rules.categories}
    rows = tuple(
        (
            labels.get(m.category, m.category),
            m.label,
            "；".join(f"{label} {show(v)}" for _, label, v in m.inputs),
            _value(m.value, m.unit) if m.assessed else "未考核",
            _points(m.points) if m.assessed else "未考核",
            _points(m.max_points),
        )
        for m in card.metrics
    )
    return Table("考核指标", ("类别", "指标", "输入", "值", "得分", "满分"), rows, (10, 16, 40, 14, 10, 10))


def _categories(card: Scorecard) -> Table:
    rows = tuple((c.label, c.formula, _points(c.score), _points(c.weight)) for c in card.categories)
    return Table("类别得分", ("类别", "计算", "得分", "权重"), rows, (14, 56, 15, 15))


def _adjustments(card: Scorecard) -> Table:
    rows = tuple(
        (
            a.label,
            _q(a.value, a.unit, VALUE_PLACES),
            a.rule,
            _points(a.points),
            _q(a.fee_percent, "%", 2) if a.fee_percent else "—",
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
        ("话务酬金", f"{s.valid_calls:,} × {s.unit_price}", _yuan(s.base_fee)),
        ("考核总分", "各类别得分之和 + 扣分项与加分项", _points(card.total)),
        ("考核系数", s.note, Quantity(s.coefficient, "", len(str(s.coefficient).partition(".")[2]))),
        ("考核后酬金", f"{s.base_fee:,.2f} × {s.coefficient}", _yuan(s.adjusted_fee)),
        ("信息安全扣款", f"{s.base_fee:,.2f} × {show(s.security_percent)}%", _yuan(s.security_deduction)),
        ("应付金额", f"{s.adjusted_fee:,.2f} − {s.security_deduction:,.2f}", _yuan(s.payout)),
    )
    return Table("结算金额（每行四舍五入到分）", ("项目", "计算", "金额"), rows, (20, 55, 25), total_row=True)


def vendor_section(card: Scorecard, rules: Rulebook) -> VendorSection:
    return VendorSection(
        card.vendor,
        card.month,
        sources_text(card),
        tuple(card.notes),
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
            _yuan(c.settlement.base_fee),
            _points(c.total),
            Quantity(c.settlement.coefficient, "", len(str(c.settlement.coefficient).partition(".")[2])),
            _yuan(c.settlement.adjusted_fee),
            _yuan(c.settlement.security_deduction),
            _yuan(c.settlement.payout),
        )
        for c in cards
    ]
    rows.append(
        (
            f"合计（{len(cards)} 家）",
            Quantity(Decimal(sum(c.settlement.valid_calls for c in cards)), "通", 0),
            _yuan(sum((c.settlement.base_fee for c in cards), Decimal("0.00"))),
            "",
            "",
            _yuan(sum((c.settlement.adjusted_fee for c in cards), Decimal("0.00"))),
            _yuan(sum((c.settlement.security_deduction for c in cards), Decimal("0.00"))),
            _yuan(sum((c.settlement.payout for c in cards), Decimal("0.00"))),
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
    version: int | None = None,
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
