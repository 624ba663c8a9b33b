"""Charts as plain functions: data in, a plotly figure out (no Streamlit, no scoring).

Each function takes what `dashboard.views` prepares, so its figure data can be checked directly:
the waterfall's steps add up to the total, the bullet's bands are the rulebook's thresholds.
"""

from __future__ import annotations

import html
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go

from dashboard.views.common import AMBER, GREEN, GREY, RED, STATUS_LABEL

FONT = dict(family="WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif")
STATUS_CODE = {"na": 0, "red": 1, "amber": 2, "green": 3}
# distinct line colours for vendors, none of them the red, amber or green of the baseline, the bands
# and the target (Tableau 10 without its red, green, yellow and pink)
LINE_COLOURS = ["#4e79a7", "#f28e2b", "#76b7b2", "#b07aa1", "#9c755f", "#17becf", "#1f3a93", "#7f7f7f"]
# no toolbar: on a phone it covers the chart's title, and nothing in it is needed to read a figure
CONFIG = {"displayModeBar": False, "displaylogo": False}


def plain(text: object) -> str:
    """User text (a vendor name) for plotly, which reads <b>, <a href> and entities in its labels."""
    return html.escape(str(text), quote=False)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title=plain(title), height=height, font=FONT, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def waterfall(start: Decimal, steps: list[tuple[str, Decimal]], total: Decimal, title: str = "") -> go.Figure:
    """Full marks → each metric's, rounding's and adjustment's effect → the total."""
    labels = ["满分", *[label for label, _ in steps], "总分"]
    values = [float(start), *[float(v) for _, v in steps], float(total)]
    measures = ["absolute", *["relative"] * len(steps), "total"]
    text = [f"{start:.2f}", *[f"{v:+.2f}" for _, v in steps], f"{total:.2f}"]
    running, level = [start], start
    for _, v in steps:
        level += v
        running.append(level)
    top, bottom = float(max(running)), float(min(min(running), Decimal(0)))
    fig = go.Figure(
        go.Waterfall(
            x=[plain(x) for x in labels],
            cliponaxis=False,
            y=values,
            measure=measures,
            text=text,
            textposition="outside",
            decreasing=dict(marker=dict(color=RED)),
            increasing=dict(marker=dict(color=GREEN)),
            totals=dict(marker=dict(color="#337ab7")),
            connector=dict(line=dict(color="#999", width=1)),
        )
    )
    fig.update_yaxes(title="分", range=[bottom, top + (top - bottom) * 0.12])  # room for the labels
    return _layout(fig, title or "从满分到总分", 420)


def bullet(label: str, value: float | None, spec: dict, points: str, max_points: str) -> go.Figure:
    """One metric: red–amber–green bands from the rulebook's baseline and target, and the value's bar.

    The value and points are not drawn in the figure (a narrow screen clipped them, 14.04% reading
    "4.04%"): the page writes them above the chart as text, which wraps instead."""
    unit = spec["unit"]
    steps = [{"range": [float(a), float(b)], "color": color} for a, b, color in spec["bands"]]
    fig = go.Figure(
        go.Indicator(
            mode="gauge",
            value=value if value is not None else float(spec["lo"]),
            domain=dict(x=[0.07, 0.93], y=[0.3, 1.0]),  # room for the end ticks' labels
            gauge=dict(
                shape="bullet",
                axis=dict(range=[float(spec["lo"]), float(spec["hi"])], ticksuffix=unit, nticks=6),
                steps=steps,
                bar=dict(color="#222", thickness=0.3),
                threshold=dict(
                    line=dict(color="#337ab7", width=3), thickness=0.9, value=float(spec["target"])
                ),
            ),
        )
    )
    fig.update_layout(height=80, font=FONT, margin=dict(l=4, r=4, t=4, b=4))
    return fig


def ranking_bar(frame: pd.DataFrame, title: str = "总分排名") -> go.Figure:
    """Vendors by total score, best on top, on the fixed 0–100 scale of a score."""
    ordered = frame.sort_values("总分", ascending=True)
    fig = go.Figure(
        go.Bar(
            x=ordered["总分"],
            y=[plain(v) for v in ordered["外包公司"]],
            orientation="h",
            text=ordered["总分文本"],
            textposition=["inside" if t >= 20 else "outside" for t in ordered["总分"]],
            insidetextanchor="end",
            textfont=dict(color=["#fff" if t >= 20 else "#1f2933" for t in ordered["总分"]]),
            cliponaxis=False,
            marker=dict(color="#337ab7"),
        )
    )
    fig.update_xaxes(title="总分", range=[0, 100], dtick=20)
    fig.update_yaxes(automargin=True)
    return _layout(fig, title, 120 + 40 * len(frame))


def heat_map(cells: pd.DataFrame, title: str = "各指标得分") -> go.Figure:
    """Metric (rows, with its maximum) × vendor (columns), coloured by the value's band, labelled with
    the points only, so a label fits its cell even on a phone; the hover gives value and points / max."""
    vendors = list(dict.fromkeys(cells["vendor"]))
    metrics = list(dict.fromkeys(cells["metric"]))
    z, text, hover = [], [], []
    for m in metrics:
        rows = cells[cells["metric"] == m].set_index("vendor")
        z.append([STATUS_CODE[rows.loc[v, "status"]] for v in vendors])
        text.append([rows.loc[v, "text"] for v in vendors])
        hover.append([f"{rows.loc[v, 'detail']}（{STATUS_LABEL[rows.loc[v, 'status']]}）" for v in vendors])
    colorscale = [  # codes 0..3 over zmin..zmax = -0.5..3.5: each code owns a quarter
        [0.0, GREY],
        [0.25, GREY],
        [0.25, RED],
        [0.5, RED],
        [0.5, AMBER],
        [0.75, AMBER],
        [0.75, GREEN],
        [1.0, GREEN],
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[plain(v) for v in vendors],
            y=[plain(m) for m in metrics],
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            textfont=dict(size=12),
            hovertemplate="%{x} · %{y}<br>%{customdata}<extra></extra>",
            colorscale=colorscale,
            zmin=-0.5,
            zmax=3.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", automargin=True)
    return _layout(fig, title, 90 + 34 * len(metrics))


def trend_lines(
    frame: pd.DataFrame, title: str, unit: str, baseline: float | None, target: float | None
) -> go.Figure:
    """One line per vendor over the months; the baseline and target as dashed lines named in the
    legend (not labels sitting on the points); a month not assessed is marked 未考核, not a silent gap."""
    fig = go.Figure()
    months = sorted(frame["月份"].unique())
    for i, (vendor, rows) in enumerate(frame.groupby("外包公司", sort=True)):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=rows["月份"],
                y=rows["值"],
                mode="lines+markers",
                name=plain(vendor),
                line=dict(color=colour, width=2),
                marker=dict(color=colour),
            )
        )
    missing = frame[frame["值"].isna()]
    if not missing.empty:
        known = frame["值"].dropna()
        floor = min([*known, *(v for v in (baseline, target) if v is not None)], default=0.0)
        fig.add_trace(
            go.Scatter(
                x=missing["月份"],
                y=[floor] * len(missing),
                mode="markers",
                name="未考核",
                marker=dict(symbol="x-thin-open", size=12, color="#555", line=dict(width=2)),
                customdata=[plain(v) for v in missing["外包公司"]],
                hovertemplate="%{x} · %{customdata}：未考核<extra></extra>",
            )
        )
    for value, name, colour in ((baseline, "基准值", RED), (target, "目标值", GREEN)):
        if value is not None:
            fig.add_trace(
                go.Scatter(
                    x=months,
                    y=[value] * len(months),
                    mode="lines",
                    name=f"{name} {value:g}{unit}",
                    line=dict(color=colour, dash="dash", width=1.5),
                    hoverinfo="skip",
                )
            )
    fig.update_xaxes(type="category", title="月份", categoryorder="array", categoryarray=months)
    fig.update_yaxes(title=unit or "分", ticksuffix=unit)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.25, x=0))
    return _layout(fig, title, 420)


def rate_histogram(rates: pd.Series, baseline: float | None, target: float | None, title: str) -> go.Figure:
    """The distribution of agents' rates, with the baseline and target."""
    fig = go.Figure(go.Histogram(x=rates, nbinsx=30, marker=dict(color="#337ab7")))
    if baseline is not None:
        fig.add_vline(x=baseline, line=dict(color=RED, dash="dash"), annotation_text="基准值")
    if target is not None:
        fig.add_vline(x=target, line=dict(color=GREEN, dash="dash"), annotation_text="目标值")
    fig.update_xaxes(title="重复拨打率", ticksuffix="%")
    fig.update_yaxes(title="坐席数")
    return _layout(fig, title, 320)
