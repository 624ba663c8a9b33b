"""The records a settlement statement is made of (`kpi.reports.statement_doc` builds them; the PDF
and .xlsx writers lay them out): tables of printed cells, a vendor's section, the statement, and
how a figure is printed (`Quantity`: an exact number rounded to its places, with its unit, which
the .xlsx writer keeps as a number with a unit format)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from kpi.money import round_half_up
from kpi.reports.fingerprint import Fingerprint

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
        return f"{number} {self.unit}" if self.unit and self.unit not in ("%", "‱") else number + self.unit


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


def version_text(version: int | str | None) -> str:
    """A version number, or the history's own wording of it (as given)."""
    if version is None:
        return ""
    if isinstance(version, str):
        return version
    return "第 1 版" if version <= 1 else f"第 {version} 版，更正"


def quantity(value: Fraction | int | Decimal | None, unit: str = "", places: int = 2) -> Cell:
    """A count as a whole number; anything else to `places` decimals (a blank as —)."""
    if value is None:
        return "—"
    if isinstance(value, int) or (isinstance(value, Fraction) and value.denominator == 1 and not unit):
        return Quantity(Decimal(int(value)), unit, 0)
    return Quantity(round_half_up(value, places), unit, places)


def value_cell(value: Fraction | None, unit: str) -> Cell:
    """A metric's value at fixed places: 4 for rates (as `kpi explain`), 2 for a score in 分."""
    if value is None:
        return "—"
    places = 2 if unit == "分" else VALUE_PLACES
    return Quantity(round_half_up(value, places), unit, places)


def points(value: Decimal) -> Quantity:
    return Quantity(value, "分", 2)


def yuan(value: Decimal) -> Quantity:
    return Quantity(value, "元", 2)
