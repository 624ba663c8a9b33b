"""Settlement: from a total score to what finance pays, in Decimal yuan, each line to the fen.

base fee = valid calls × unit price; coefficient from the score (rulebook: linear score/100, bands,
or a curve); adjusted fee = base fee × coefficient; security deduction = incidents' percent of the base
fee (or of the adjusted fee, as the rulebook's fee_base says); payout = adjusted fee − security deduction, never below the rulebook's floor. Each line is
rounded half up to the fen, and the payout is computed from the rounded lines, so they add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kpi.money import F, round_half_up
from kpi.rules.curves import evaluate
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
    rule: str = ""  # the settlement rule assumed (the contract gives none), said on every statement
    security_percent_adjusted: Fraction = Fraction(0)  # percent of the adjusted fee withheld


def coefficient(score: Decimal, rules: Rulebook) -> tuple[Decimal, str]:
    """The fee coefficient for a printed total score, and how it was found."""
    s = rules.settlement
    if s.mode == "linear":
        return round_half_up(F(score) / 100, rules.coefficient_places), f"系数 = 总分 {score} ÷ 100"
    if s.mode == "curve":
        coef = round_half_up(evaluate(s.curve, F(score)).points, rules.coefficient_places)
        return coef, f"总分 {score} 按结算曲线：系数 {coef}"
    for min_score, coef in s.bands:
        if F(score) >= min_score:
            return round_half_up(coef, rules.coefficient_places), f"总分 {score} ≥ {min_score}：系数 {coef}"
    return Decimal(0), f"总分 {score} 低于最低分档：系数 0"


def _n(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else str(round_half_up(x, 4).normalize())


def settlement_rule(rules: Rulebook) -> str:
    """The score-to-money rule the rulebook assumes, in words (the contract states none)."""
    s = rules.settlement
    if s.mode == "linear":
        text = "系数 = 总分 ÷ 100"
    elif s.mode == "bands":
        text = "按分档：" + "；".join(f"总分 ≥ {_n(m)} 系数 {_n(c)}" for m, c in s.bands)
    else:
        points = "、".join(f"{_n(x)} 分 → {_n(c)}" for x, c in s.curve.points)
        top = _n(s.curve.bounds[1])
        text = f"按结算曲线：{points}（之间线性，高于末点沿直线延伸，系数最高 {top}）"
    return f"{text}（合同未规定得分与金额的换算，此为规则本的假设）"


def settle(
    valid_calls: int,
    score: Decimal,
    security_percent: Fraction,
    rules: Rulebook,
    security_percent_adjusted: Fraction = Fraction(0),
) -> Settlement:
    """`security_percent` is withheld from the base fee, `security_percent_adjusted` from the adjusted fee."""
    places = rules.money_places
    base = round_half_up(valid_calls * F(rules.unit_price), places)
    coef, how = coefficient(score, rules)
    adjusted = round_half_up(F(base) * F(coef), places)
    withheld = F(base) * security_percent + F(adjusted) * security_percent_adjusted
    security = round_half_up(withheld / 100, places)
    payout = adjusted - security
    note = how
    if payout < rules.settlement.payout_floor:
        payout = rules.settlement.payout_floor.quantize(base)
        note += f"；扣减后低于下限，按 {payout} 元支付"
    return Settlement(
        valid_calls,
        rules.unit_price,
        base,
        score,
        coef,
        adjusted,
        security_percent,
        security,
        payout,
        note,
        settlement_rule(rules),
        security_percent_adjusted,
    )
