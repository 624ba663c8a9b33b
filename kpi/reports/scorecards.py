"""Reporting a scorecard: JSON for tools, an aligned table and a line-by-line explanation for people."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from kpi.inputs import label as input_label
from kpi.money import fmt2, round_half_up
from kpi.scoring.scorecard import Scorecard
from kpi.scoring.settlement import Settlement
from kpi.scoring.whatif import Move


def show(value: object) -> str:
    """An input or value as printed: exact integers as is, fractions to 4 decimals, blanks as —."""
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return str(round_half_up(value, 4).normalize())
    return str(value)


def settlement_dict(s: Settlement) -> dict[str, object]:
    return {
        "valid_calls": s.valid_calls,
        "unit_price": str(s.unit_price),
        "base_fee": fmt2(s.base_fee),
        "coefficient": str(s.coefficient),
        "adjusted_fee": fmt2(s.adjusted_fee),
        "security_deduction": fmt2(s.security_deduction),
        "payout": fmt2(s.payout),
    }


def scorecard_dict(card: Scorecard) -> dict[str, object]:
    """The JSON shape of `kpi score --format json` (points, scores and money as 2-decimal strings)."""
    return {
        "vendor": card.vendor,
        "month": card.month,
        "metrics": [
            {
                "id": m.id,
                "label": m.label,
                "category": m.category,
                "assessed": m.assessed,
                "value": None if m.value is None else str(round_half_up(m.value, 4)),
                "unit": m.unit,
                "points": fmt2(m.points),
                "max_points": fmt2(m.max_points),
                "inputs": {k: show(v) for k, _, v in m.inputs},
                "segment": m.segment,
                "clause": m.clause,
            }
            for m in card.metrics
        ],
        "categories": {c.id: fmt2(c.score) for c in card.categories},
        "adjustments": [
            {"id": a.id, "label": a.label, "points": fmt2(a.points), "value": show(a.value), "rule": a.rule}
            for a in card.adjustments
        ],
        "total_score": fmt2(card.total),
        "settlement": settlement_dict(card.settlement),
        "sources": dict(card.sources),
        "notes": list(card.notes),
    }


def width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, cells: int, right: bool = False) -> str:
    gap = " " * max(0, cells - width(text))
    return gap + text if right else text + gap


def table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """An aligned plain-text table (Chinese-aware)."""
    right = right or set()
    widths = [max(width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(pad(h, widths[i], i in right) for i, h in enumerate(headers))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(pad(c, widths[i], i in right) for i, c in enumerate(r)) for r in rows]
    return "\n".join(lines)


def scores_table(cards: list[Scorecard]) -> str:
    """One line per vendor-month: metric points, category scores, adjustments, total, payout."""
    if not cards:
        return "（没有数据）"
    first = cards[0]
    headers = [
        "月份",
        "外包公司",
        *[m.label for m in first.metrics],
        *[c.label for c in first.categories],
        "扣分/加分",
        "总分",
        "结算金额(元)",
    ]
    rows = []
    for card in cards:
        adjust = sum((a.points for a in card.adjustments), Decimal(0))
        rows.append(
            [
                card.month,
                card.vendor,
                *[fmt2(m.points) if m.assessed else "未考核" for m in card.metrics],
                *[fmt2(c.score) for c in card.categories],
                fmt2(adjust),
                fmt2(card.total),
                f"{card.settlement.payout:,.2f}",
            ]
        )
    return table(headers, rows, right=set(range(2, len(headers))))


def explain(card: Scorecard) -> str:
    """The reasoning behind one scorecard, line by line, with the clauses."""
    out = [f"{card.vendor}　{card.month} 考核得分说明", ""]
    by_category: dict[str, list] = {c.id: [] for c in card.categories}  # one pass over the metrics
    for m in card.metrics:
        by_category[m.category].append(m)
    for c in card.categories:
        out.append(f"【{c.label}】权重 {c.weight}")
        for m in by_category[c.id]:
            inputs = "，".join(f"{label} {show(v)}" for _, label, v in m.inputs)
            value = "—" if m.value is None else f"{show(m.value)}{m.unit}"
            points = (
                f"{fmt2(m.points)} / {fmt2(m.max_points)}"
                if m.assessed
                else f"未考核（满分 {fmt2(m.max_points)} 不计入）"
            )
            out.append(f"  · {m.label}：{value}　得分 {points}")
            out.append(f"      输入：{inputs}")
            out.append(f"      计分：{m.segment}")
            out.append(f"      条款：「{m.clause}」")
        out.append(f"  小计：{c.formula}")
        out.append("")
    out.append("【扣分项 / 加分项】")
    for a in card.adjustments:
        out.append(f"  · {a.label}：{fmt2(a.points)} 分　（{a.rule}）")
        out.append(f"      条款：「{a.clause}」")
    parts = " + ".join(fmt2(c.score) for c in card.categories)
    adjust = sum((a.points for a in card.adjustments), Decimal(0))
    out += ["", f"总分 = {parts} {'-' if adjust < 0 else '+'} {fmt2(abs(adjust))} = {fmt2(card.total)}", ""]
    s = card.settlement
    withheld = [f"{s.base_fee:,.2f} × {show(s.security_percent)}%"]
    if s.security_percent_adjusted:  # the rulebook takes it from the adjusted fee (fee_base)
        withheld = [w for w in withheld if s.security_percent] + [
            f"考核后酬金 {s.adjusted_fee:,.2f} × {show(s.security_percent_adjusted)}%"
        ]
    out += [
        "【结算】",
        f"  话务酬金 = 有效话务量 {s.valid_calls:,} × 单价 {s.unit_price} 元 = {s.base_fee:,.2f} 元",
        f"  考核系数 = {s.coefficient}（{s.note}）",
        f"  考核后酬金 = {s.base_fee:,.2f} × {s.coefficient} = {s.adjusted_fee:,.2f} 元",
        f"  信息安全扣款 = {' + '.join(withheld)} = {s.security_deduction:,.2f} 元",
        f"  应付金额 = {s.adjusted_fee:,.2f} − {s.security_deduction:,.2f} = {s.payout:,.2f} 元",
    ]
    if s.rule:
        out.append(f"  结算规则：{s.rule}")
    if card.sources:
        out.append("")
        out.append(f"数据来源：{source_line(card)}")
    out += [f"说明：{note}" for note in card.notes]
    return "\n".join(out)


def next_steps(moves: Sequence[Move]) -> str:
    """What it would take to gain the next point, metric by metric (for a vendor's self-audit)."""
    out = ["【如何多得分】（逐项单独计算，其他数据不变）"]
    for move in moves:
        if move.kind in ("full", "not_assessed"):
            continue
        effect = ""
        if move.total_after != move.total_before:
            effect = f"：总分 {fmt2(move.total_before)} → {fmt2(move.total_after)}"
        if move.payout_after != move.payout_before:
            effect += f"，应付 {move.payout_before:,.2f} → {move.payout_after:,.2f} 元"
        out.append(f"  · {move.label}：{move.text}{effect}")
    if len(out) == 1:
        out.append("  各项均已满分或未考核。")
    return "\n".join(out)


def provenance(cards: Sequence[Scorecard], measured: Sequence[str] = ()) -> list[str]:
    """Per month and vendor, which figures came from the call detail and which from the summary: a
    vendor the detail of a `measured` month does not mention is named as taking every figure from
    the summary."""
    lines = []
    for month in sorted({c.month for c in cards}):
        groups: dict[tuple[str, ...], list[str]] = {}
        for card in sorted((c for c in cards if c.month == month), key=lambda c: c.vendor):
            keys = tuple(input_label(k) for k, v in card.sources if v == "detail")
            groups.setdefault(keys, []).append(card.vendor)
        for keys, vendors in sorted(groups.items(), key=lambda g: (not g[0], g[0])):
            who = "、".join(vendors)
            if keys:
                lines.append(
                    f"数据来源：{month} {who}的{'、'.join(keys)}取自话务明细，其余取自月度指标汇总表。"
                )
            else:
                why = "（该月话务明细中没有这家公司）" if month in measured else ""
                lines.append(f"数据来源：{month} {who}的全部数字取自月度指标汇总表{why}。")
    return lines


def source_line(card: Scorecard) -> str:
    """Where one card's figures came from: which from the call detail, the rest from the summary."""
    detail = [input_label(k) for k, v in card.sources if v == "detail"]
    if detail:
        return "话务明细（" + "、".join(detail) + "），其余取自月度指标汇总表"
    return "月度指标汇总表"
