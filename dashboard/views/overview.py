"""总览: the vendor cards, the ranking and the heat map's cells."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from dashboard.views.common import (
    change_text,
    md,
    money,
    signed,
    status,
    value_text,
)
from kpi.money import fmt2, round_half_up
from kpi.rules.rulebook import Rulebook
from kpi.scoring.scorecard import Scorecard


# ------------------------------------------------------------------ 总览
@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    delta: str | None
    delta_color: str  # "normal" | "inverse" | "off"


@dataclass(frozen=True)
class Rate:
    """A lower-is-better rate on a vendor's card: its value and its change from the previous month."""

    label: str
    value: str
    change: str | None  # in 个百分点 / 个万分点
    better: bool | None  # None: no change to colour

    def markdown(self) -> str:
        """One compact line (the card stays short on a phone); the label escaped (a rulebook's text)."""
        text = f"{md(self.label)} **{self.value}**"
        if self.change is None:
            return text
        colour = "gray" if self.better is None else "green" if self.better else "red"
        return f"{text} :{colour}[{self.change}]"


@dataclass(frozen=True)
class VendorCard:
    vendor: str
    total: Decimal
    payout: Decimal
    figures: tuple[Figure, ...]
    rates: tuple[Rate, ...] = ()


def vendor_cards(cards: list[Scorecard], previous: list[Scorecard], rules: Rulebook) -> list[VendorCard]:
    """A card per vendor: total, payout and the lower-is-better rates, each with the change from the
    previous month (rates that should fall are coloured inversely)."""
    before = {c.vendor: c for c in previous}
    out = []
    for card in sorted(cards, key=lambda c: (-c.total, c.vendor)):
        prev = before.get(card.vendor)
        figures = [
            Figure("总分", fmt2(card.total), signed(card.total - prev.total) if prev else None, "normal"),
            Figure(
                "应付金额(元)",
                money(card.settlement.payout),
                signed(card.settlement.payout - prev.settlement.payout) if prev else None,
                "normal",
            ),
        ]
        rates = []
        for m in card.metrics:
            rule = rules.metric(m.id)
            if rule.direction != "lower_better":
                continue
            old = next((x for x in prev.metrics if x.id == m.id), None) if prev else None
            change, better = None, None
            if old is not None and old.value is not None and m.value is not None:
                step = round_half_up(m.value - old.value, 2)
                change = change_text(step, m.unit)
                better = None if step == 0 else step < 0
            rates.append(Rate(m.label, value_text(m.value, m.unit), change, better))
        out.append(VendorCard(card.vendor, card.total, card.settlement.payout, tuple(figures), tuple(rates)))
    return out


def ranking(cards: list[Scorecard]) -> pd.DataFrame:
    rows = [{"外包公司": c.vendor, "总分": float(c.total), "总分文本": fmt2(c.total)} for c in cards]
    return (
        pd.DataFrame(rows).sort_values(["总分", "外包公司"], ascending=[False, True]).reset_index(drop=True)
    )


def heat_cells(cards: list[Scorecard], rules: Rulebook) -> pd.DataFrame:
    """One row per vendor × metric: points, max, the value's red–amber–green band, the cell's label
    (the points only, so it fits a cell on a phone; the maximum is in the metric's name) and the
    hover text."""
    rows = []
    for card in sorted(cards, key=lambda c: c.vendor):
        for m in card.metrics:
            band = status(m, rules.metric(m.id))
            rows.append(
                {
                    "vendor": card.vendor,
                    "metric": f"{m.label}（满分 {m.max_points.normalize():f}）",
                    "points": float(m.points),
                    "max_points": float(m.max_points),
                    "status": band,
                    "text": fmt2(m.points) if m.assessed else "未考核",
                    "detail": (
                        f"{value_text(m.value, m.unit)}　{fmt2(m.points)} / {fmt2(m.max_points)} 分"
                        if m.assessed
                        else "未考核"
                    ),
                }
            )
    return pd.DataFrame(rows)
