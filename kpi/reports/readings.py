"""Reporting the contested readings: the `kpi readings` JSON and table, and the part of `kpi explain`
that names each reading the rulebook follows that the clause's text does not state."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kpi.money import fmt2
from kpi.reports.scorecards import table
from kpi.rules.readings import Reading
from kpi.scoring.readings import ReadingRow

IN_EFFECT = "（规则本）"


def signed(value: Decimal) -> str:
    """A change with its sign: "+0.50", "-3.00", "+0.00"."""
    text = fmt2(value)
    return text if text.startswith("-") else f"+{text}"


def signed_money(value: Decimal) -> str:
    """A change of yuan as people read it: "+1,234.50", "-249.90"."""
    return f"{'+' if value >= 0 else '-'}{abs(value):,.2f}"


def reading_dict(row: ReadingRow) -> dict[str, str]:
    """One row of `kpi readings --format json`."""
    return {
        "vendor": row.vendor,
        "clause": row.clause,
        "reading": row.reading,
        "total_score": fmt2(row.total),
        "payout": fmt2(row.payout),
        "delta_total": signed(row.delta_total),
        "delta_payout": signed(row.delta_payout),
    }


READINGS_HEADERS = ["外包公司", "条款", "解读", "总分", "结算金额(元)", "总分变化", "金额变化(元)"]


def reading_cells(row: ReadingRow) -> list[str]:
    """A row as the table (and the app) prints it; the rulebook's own reading is marked."""
    return [
        row.vendor,
        row.topic,
        row.reading + (IN_EFFECT if row.in_effect else ""),
        fmt2(row.total),
        f"{row.payout:,.2f}",
        signed(row.delta_total),
        signed_money(row.delta_payout),
    ]


def readings_table(rows: Sequence[ReadingRow]) -> str:
    if not rows:
        return "（规则本没有列出条款的其他解读）"
    return table(READINGS_HEADERS, [reading_cells(r) for r in rows], right={3, 4, 5, 6})


def readings_note(month: str, left_out: Sequence[Reading]) -> str:
    """What the table's reader should know: each reading alone, and any reading left out."""
    note = f"{month}：每种解读单独套用（规则本其他规定不变），变化 = 该解读下的结果 − 规则本的结果；{IN_EFFECT}为规则本采用的解读。"
    topics = "、".join(dict.fromkeys(f"「{r.topic}」" for r in left_out))
    if topics:
        note += f"\n{topics}只影响按话务明细计算的数字；本次的数字不是取自话务明细，未列出。"
    return note


def readings_used(rows: Sequence[ReadingRow]) -> str:
    """The `kpi explain` section for one vendor-month (`rows` are its reading rows): each reading the
    rulebook follows that the clause's text does not state and that decided something (another
    reading of the clause would change the total or the payout), with what the others would give."""
    out = [
        "【本评分采用的条款解读】（原文未明确规定、影响本月结果的解读；其他解读下的变化见括号，kpi readings 可看全部）"
    ]
    for topic in dict.fromkeys(r.topic for r in rows):
        mine = [r for r in rows if r.topic == topic]
        used = next((r for r in mine if r.in_effect), None)
        others = [r for r in mine if not r.in_effect and (r.delta_total or r.delta_payout)]
        if used is None or used.literal or not others:
            continue
        effects = "；".join(
            f"按「{r.reading}」总分 {signed(r.delta_total)}、应付 {signed_money(r.delta_payout)} 元"
            for r in others
        )
        out.append(f"  · {topic}：{used.reading}（{effects}）")
        out.append(f"      条款：「{used.clause}」")
    if len(out) == 1:
        out.append("  无：本月结果不取决于原文未明确的解读。")
    return "\n".join(out)
