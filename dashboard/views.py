"""What the pages show, as plain data: rows, frames and chart inputs built from scorecards.

No Streamlit here and no scoring: every number comes from kpi (scorecards, settlement, whatif);
this module only arranges and formats it, so the tests can check the figures without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from kpi.columns import BY_KEY, SUMMARY_COLUMNS, over_limit
from kpi.errors import Problem
from kpi.export import STATEMENT_HEADERS, statement_rows, table_csv_bytes
from kpi.money import fmt2, round_half_up
from kpi.report import show
from kpi.rulebook import Metric, Rulebook
from kpi.scoring import MetricScore, Scorecard
from kpi.whatif import agent_costs

RED, AMBER, GREEN, GREY = "#d9534f", "#f0ad4e", "#5cb85c", "#c8c8c8"
STATUS_LABEL = {"red": "未达基准", "amber": "基准～目标之间", "green": "满分", "na": "未考核"}


def money(value: Decimal) -> str:
    """Yuan as printed on the statement: thousands separators, two decimals (exact Decimal)."""
    return f"{value:,.2f}"


def signed(value: Decimal) -> str:
    return f"{'+' if value >= 0 else ''}{value:,.2f}"


def value_text(value: Fraction | None, unit: str, places: int = 2) -> str:
    return "—" if value is None else f"{round_half_up(value, places)}{unit}"


# ------------------------------------------------------------------ 总览
@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    delta: str | None
    delta_color: str  # "normal" | "inverse" | "off"


@dataclass(frozen=True)
class VendorCard:
    vendor: str
    total: Decimal
    payout: Decimal
    figures: tuple[Figure, ...]


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
        for m in card.metrics:
            rule = rules.metric(m.id)
            if rule.direction != "lower_better":
                continue
            old = next((x for x in prev.metrics if x.id == m.id), None) if prev else None
            delta, color = None, "inverse"
            if old is not None and old.value is not None and m.value is not None:
                change = round_half_up(m.value - old.value, 2)
                delta = f"{'+' if change > 0 else ''}{change}{m.unit}"
                color = "off" if change == 0 else "inverse"
            figures.append(Figure(m.label, value_text(m.value, m.unit), delta, color))
        out.append(VendorCard(card.vendor, card.total, card.settlement.payout, tuple(figures)))
    return out


def ranking(cards: list[Scorecard]) -> pd.DataFrame:
    rows = [{"外包公司": c.vendor, "总分": float(c.total), "总分文本": fmt2(c.total)} for c in cards]
    return (
        pd.DataFrame(rows).sort_values(["总分", "外包公司"], ascending=[False, True]).reset_index(drop=True)
    )


def baseline_points(rule: Metric) -> Fraction:
    """The points a metric earns at its baseline (the curve's worst point); 70% of the max otherwise."""
    if rule.curve is not None:
        return min(p for _, p in rule.curve.points)
    return rule.max_points * Fraction(7, 10)


def status(score: MetricScore, rule: Metric) -> str:
    """Red–amber–green: full marks green, at least the baseline's points amber, below it red."""
    if not score.assessed:
        return "na"
    if score.points >= score.max_points:
        return "green"
    if score.points >= round_half_up(baseline_points(rule), 2):
        return "amber"
    return "red"


def heat_cells(cards: list[Scorecard], rules: Rulebook) -> pd.DataFrame:
    """One row per vendor × metric: points, max, points / max and the RAG status."""
    rows = []
    for card in sorted(cards, key=lambda c: c.vendor):
        for m in card.metrics:
            rows.append(
                {
                    "vendor": card.vendor,
                    "metric": m.label,
                    "points": float(m.points),
                    "max_points": float(m.max_points),
                    "share": float(m.points / m.max_points) if m.assessed else None,
                    "status": status(m, rules.metric(m.id)),
                    "text": f"{fmt2(m.points)}/{fmt2(m.max_points)}" if m.assessed else "未考核",
                }
            )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ 评分卡
def waterfall_steps(card: Scorecard) -> tuple[Decimal, list[tuple[str, Decimal]], Decimal]:
    """Full marks, then what each metric, rounding, deduction and bonus cost or added, then the total.

    A metric's step is its lost points scaled into its category (lost / assessed max × weight),
    rounded like the category; any rounding difference of the category is its own step, so
    start + sum(steps) == total exactly.
    """
    start = sum((c.weight for c in card.categories), Decimal(0))
    steps: list[tuple[str, Decimal]] = []
    for c in card.categories:
        assessed = [m for m in card.metrics if m.category == c.id and m.assessed]
        if not assessed:
            continue
        shown = Decimal(0)
        for m in assessed:
            if m.points == m.max_points:
                continue
            lost = round_half_up(
                -(Fraction(m.max_points - m.points) / Fraction(c.max_points)) * Fraction(c.weight)
            )
            steps.append((m.label, lost))
            shown += lost
        rest = (c.score - c.weight) - shown
        if rest:
            steps.append((f"{c.label}取整", rest))
    for a in card.adjustments:
        if a.points:
            steps.append((a.label, a.points))
    return start, steps, card.total


def bullet_spec(rule: Metric, value: Fraction | None) -> dict:
    """Axis and red–amber–green bands of a ratio metric: the bands' edges are the curve's ends
    (baseline = the worst point, target = the best point)."""
    xs = [x for x, _ in rule.curve.points]
    lower = rule.direction == "lower_better"
    target, baseline = (xs[0], xs[-1]) if lower else (xs[-1], xs[0])
    span = abs(baseline - target) or Fraction(1)
    points = [target, baseline] + ([value] if value is not None else [])
    lo = max(Fraction(0), min(points) - span)
    hi = max(points) + span
    if rule.ratio.unit == "%" and not lower:
        hi = min(hi, Fraction(100))
    if lower:
        bands = [(lo, target, GREEN), (target, baseline, AMBER), (baseline, hi, RED)]
    else:
        bands = [(lo, baseline, RED), (baseline, target, AMBER), (target, hi, GREEN)]
    return {
        "lo": lo,
        "hi": hi,
        "target": target,
        "baseline": baseline,
        "bands": bands,
        "unit": rule.ratio.unit,
    }


def explanation(card: Scorecard) -> pd.DataFrame:
    labels = {c.id: c.label for c in card.categories}
    rows = []
    for m in card.metrics:
        rows.append(
            {
                "类别": labels.get(m.category, m.category),
                "指标": m.label,
                "输入": "，".join(f"{label} {show(v)}" for _, label, v in m.inputs),
                "值": value_text(m.value, m.unit) if m.assessed else "—",
                "计分说明": m.segment,
                "得分": fmt2(m.points) if m.assessed else "未考核",
                "满分": fmt2(m.max_points),
                "条款": m.clause,
            }
        )
    return pd.DataFrame(rows)


def categories(card: Scorecard) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"类别": c.label, "权重": fmt2(c.weight), "计算": c.formula, "得分": fmt2(c.score)}
            for c in card.categories
        ]
    )


def adjustments(card: Scorecard) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"项目": a.label, "数据": show(a.value), "计算": a.rule, "分数": fmt2(a.points), "条款": a.clause}
            for a in card.adjustments
        ]
    )


# ------------------------------------------------------------------ 趋势
def trend(cards: list[Scorecard], metric_id: str) -> pd.DataFrame:
    """month, vendor, value (float; None when not assessed) for a metric, or the total ("total")."""
    rows = []
    for c in sorted(cards, key=lambda c: (c.month, c.vendor)):
        if metric_id == "total":
            rows.append({"月份": c.month, "外包公司": c.vendor, "值": float(c.total)})
            continue
        m = next(x for x in c.metrics if x.id == metric_id)
        value = float(round_half_up(m.value, 4)) if m.assessed and m.value is not None else None
        rows.append({"月份": c.month, "外包公司": c.vendor, "值": value})
    return pd.DataFrame(rows)


def trend_lines_for(rule: Metric) -> tuple[float | None, float | None]:
    """(baseline, target) of a ratio metric for the trend chart."""
    if rule.curve is None:
        return None, None
    xs = [x for x, _ in rule.curve.points]
    if rule.direction == "lower_better":
        return float(xs[-1]), float(xs[0])
    return float(xs[0]), float(xs[-1])


# ------------------------------------------------------------------ 结算
def settlement_table(cards: list[Scorecard]) -> pd.DataFrame:
    """The statement's lines and its totals row, printed as on the statement (exact Decimal)."""
    rows, totals = statement_rows(cards)

    def line(r: dict, total: bool = False) -> list[str]:
        return [
            str(r["month"]),
            str(r["vendor"]),
            f"{int(r['valid_calls']):,}",
            "" if total else str(r["unit_price"]),
            money(r["base_fee"]),
            "" if total else fmt2(r["score"]),
            "" if total else str(r["coefficient"]),
            money(r["adjusted_fee"]),
            money(r["security_deduction"]),
            money(r["payout"]),
        ]

    body = [line(r) for r in rows] + [line(totals, total=True)]
    return pd.DataFrame(body, columns=STATEMENT_HEADERS)


# ------------------------------------------------------------------ 模拟
@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # "count" | "rate" | "score"
    value: int | Fraction | None


def input_fields(inputs: dict) -> list[Field]:
    """The summary sheet's figures of a vendor-month, in the sheet's column order."""
    return [
        Field(c.key, c.header, c.kind, inputs.get(c.key))
        for c in SUMMARY_COLUMNS
        if c.kind in ("count", "rate", "score")
    ]


def over_limits(inputs: dict) -> list[str]:
    """Counts above the column they may not exceed (e.g. more correct dial tests than tests)."""
    return [
        f"「{column.header}」大于「{BY_KEY[column.at_most].header}」" for column, _, _ in over_limit(inputs)
    ]


def comparison(before: Scorecard, after: Scorecard) -> pd.DataFrame:
    rows = []
    for a, b in zip(before.metrics, after.metrics, strict=True):
        rows.append(
            {
                "指标": a.label,
                "原值": value_text(a.value, a.unit) if a.assessed else "未考核",
                "模拟值": value_text(b.value, b.unit) if b.assessed else "未考核",
                "原得分": fmt2(a.points),
                "模拟得分": fmt2(b.points),
                "变化": signed(b.points - a.points),
            }
        )
    for a, b in zip(before.adjustments, after.adjustments, strict=True):
        if a.points or b.points:
            rows.append(
                {
                    "指标": a.label,
                    "原值": show(a.value) + (a.unit if a.value is not None else ""),
                    "模拟值": show(b.value) + (b.unit if b.value is not None else ""),
                    "原得分": fmt2(a.points),
                    "模拟得分": fmt2(b.points),
                    "变化": signed(b.points - a.points),
                }
            )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ 数据检查 / 坐席
def problems_table(problems: tuple[Problem, ...] | list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "序号": i,
                "文件": p.file,
                "工作表": p.sheet,
                "行": "" if p.row is None else str(p.row),
                "列": p.column,
                "发现": p.value,
                "应为": p.expected,
                "问题": p.message,
            }
            for i, p in enumerate(problems, 1)
        ],
        columns=["序号", "文件", "工作表", "行", "列", "发现", "应为", "问题"],
    )


def problems_csv(problems: tuple[Problem, ...] | list[Problem]) -> bytes:
    """The problem list to download: a found value like "=1+1" stays text in Excel."""
    table = problems_table(problems)
    return table_csv_bytes(list(table.columns), table.values.tolist())


AGENT_COLUMNS = ["agent_id", "vendor", "connected_calls", "repeat_2h_calls", "rate", "points"]


def repeat_metric(rules: Rulebook) -> Metric | None:
    """The rulebook's metric scored on 2-hour repeats (None if a custom rulebook has none)."""
    return next((m for m in rules.metrics if m.ratio and "repeat_2h_calls" in m.ratio.numerator), None)


def agents_table(agents: pd.DataFrame, rules: Rulebook) -> pd.DataFrame:
    """The per-agent repeat table with Chinese headers and what each agent costs the vendor.

    The rate shown is recomputed from the counts in percent (repeats / connected × 100, rounded to
    2 places for display), whatever scale the frame's own `rate` column uses."""
    rule = repeat_metric(rules)
    rows = list(
        zip(
            agents["agent_id"].astype(str),
            agents["vendor"].astype(str),
            agents["connected_calls"].astype(int),
            agents["repeat_2h_calls"].astype(int),
            strict=True,
        )
    )
    costs = agent_costs(rules, rows, rule.id) if rule is not None and rule.curve is not None else []
    by_agent = {(c.agent_id, c.vendor): c for c in costs}
    out = pd.DataFrame(
        {
            "坐席工号": agents["agent_id"].astype(str),
            "外包公司": agents["vendor"].astype(str),
            "接通量": agents["connected_calls"].astype(int),
            "2小时重复呼叫数": agents["repeat_2h_calls"].astype(int),
            "重复拨打率(%)": [
                float(round_half_up(Fraction(int(r), int(c)) * 100, 2)) if int(c) else None
                for r, c in zip(agents["repeat_2h_calls"], agents["connected_calls"], strict=True)
            ],
            "得分": agents["points"].astype(float),
        }
    )
    keys = list(zip(out["坐席工号"], out["外包公司"], strict=True))
    out["超目标重复数"] = [by_agent[k].excess if k in by_agent else None for k in keys]
    out["拖累公司得分"] = [float(by_agent[k].points_cost) if k in by_agent else None for k in keys]
    return out
