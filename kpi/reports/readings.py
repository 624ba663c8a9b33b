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
        f"{'+' if row.delta_payout >= 0 else '-'}{abs(row.delta_payout):,.2f}",
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


def readings_used(readings: Sequence[Reading]) -> str:
    """The `kpi explain` section naming each reading in effect that is not the clause's literal text."""
    out = ["【本评分采用的条款解读】（原文未明确规定，规则本的选择；kpi readings 可看其他解读的影响）"]
    out += [f"  · {r.topic}：{r.label}\n      条款：「{r.clause}」" for r in readings]
    if not readings:
        out.append("  无：各条款均按原文字面计算。")
    return "\n".join(out)
