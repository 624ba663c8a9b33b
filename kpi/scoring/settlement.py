"""Settlement: from a total score to what finance pays, in Decimal yuan, each line to the fen.

base fee = valid calls × unit price; coefficient from the score (rulebook: linear score/100, or
bands); adjusted fee = base fee × coefficient; security deduction = incidents' percent of the base
fee; payout = adjusted fee − security deduction, never below the rulebook's floor. Each line is
rounded half up to the fen, and the payout is computed from the rounded lines, so they add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kpi.money import F, round_half_up
from kpi.rules.rulebook import Rulebook


@dataclass(frozen=True)
class Settlement:
    valid_calls: int
    unit_price: Decimal
    base_fee: Decimal
    score: Decimal
    coefficient: Decimal
    adjusted_fee: Decimal
    security_percent: Fraction  # percent of the base fee withheld for security incidents
    security_deduction: Decimal
    payout: Decimal
    note: str = ""


def coefficient(score: Decimal, rules: Rulebook) -> tuple[Decimal, str]:
    """The fee coefficient for a printed total score, and how it was found."""
    s = rules.settlement
    if s.mode == "linear":
        return round_half_up(F(score) / 100, rules.coefficient_places), f"系数 = 总分 {score} ÷ 100"
    for min_score, coef in s.bands:
        if F(score) >= min_score:
            return round_half_up(coef, rules.coefficient_places), f"总分 {score} ≥ {min_score}：系数 {coef}"
    return Decimal(0), f"总分 {score} 低于最低分档：系数 0"


def settle(valid_calls: int, score: Decimal, security_percent: Fraction, rules: Rulebook) -> Settlement:
    places = rules.money_places
    base = round_half_up(valid_calls * F(rules.unit_price), places)
    coef, how = coefficient(score, rules)
    adjusted = round_half_up(F(base) * F(coef), places)
    security = round_half_up(F(base) * security_percent / 100, places)
    payout = adjusted - security
    note = how
    if payout < rules.settlement.payout_floor:
        payout = rules.settlement.payout_floor.quantize(base)
        note += f"；扣减后低于下限，按 {payout} 元支付"
    return Settlement(
        valid_calls, rules.unit_price, base, score, coef, adjusted, security_percent, security, payout, note
    )
