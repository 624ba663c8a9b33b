"""Charts as plain functions: data in, a plotly figure out (no Streamlit, no scoring).

Each function takes what `dashboard.views` prepares, so its figure data can be checked directly:
the waterfall's steps add up to the total, the bullet's bands are the rulebook's thresholds.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go

from dashboard.views.common import AMBER, GREEN, GREY, RED, STATUS_LABEL

FONT = dict(family="WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif")
STATUS_CODE = {"na": 0, "red": 1, "amber": 2, "green": 3}
# distinct line colours for vendors (Tableau 10), set explicitly so neighbours never look alike
LINE_COLOURS = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
]


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title=title, height=height, font=FONT, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def waterfall(start: Decimal, steps: list[tuple[str, Decimal]], total: Decimal, title: str = "") -> go.Figure:
    """Full marks → each metric's, rounding's and adjustment's effect → the total."""
    labels = ["满分", *[label for label, _ in steps], "总分"]
    values = [float(start), *[float(v) for _, v in steps], float(total)]
    measures = ["absolute", *["relative"] * len(steps), "total"]
    text = [f"{start:.2f}", *[f"{v:+.2f}" for _, v in steps], f"{total:.2f}"]
    fig = go.Figure(
        go.Waterfall(
            x=labels,
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
    fig.update_yaxes(title="分")
    return _layout(fig, title or "从满分到总分", 420)


def bullet(label: str, value: float | None, spec: dict, points: str, max_points: str) -> go.Figure:
    """One metric: red–amber–green bands from the rulebook's baseline and target, and the value."""
    unit = spec["unit"]
    steps = [{"range": [float(a), float(b)], "color": color} for a, b, color in spec["bands"]]
    fig = go.Figure(
        go.Indicator(
            mode="number+gauge",
            value=value if value is not None else float(spec["lo"]),
            number=dict(suffix=unit, valueformat=".2f", font=dict(size=18)),
            title=dict(
                text=f"<b>{label}</b><br><span style='font-size:12px;color:#555'>{points} / {max_points} 分</span>",
                font=dict(size=14),
            ),
            domain=dict(x=[0.34, 0.8], y=[0.15, 0.85]),
            gauge=dict(
                shape="bullet",
                axis=dict(range=[float(spec["lo"]), float(spec["hi"])], ticksuffix=unit),
                steps=steps,
                bar=dict(color="#222", thickness=0.3),
                threshold=dict(
                    line=dict(color="#337ab7", width=3), thickness=0.9, value=float(spec["target"])
                ),
            ),
        )
    )
    fig.update_layout(height=140, font=FONT, margin=dict(l=10, r=10, t=10, b=10))
    return fig


def ranking_bar(frame: pd.DataFrame, title: str = "总分排名") -> go.Figure:
    """Vendors by total score, best on top."""
    ordered = frame.sort_values("总分", ascending=True)
    fig = go.Figure(
        go.Bar(
            x=ordered["总分"],
            y=ordered["外包公司"],
            orientation="h",
            text=ordered["总分文本"],
            textposition="auto",
            marker=dict(color="#337ab7"),
        )
    )
    fig.update_xaxes(title="总分")
    return _layout(fig, title, 120 + 40 * len(frame))


def heat_map(cells: pd.DataFrame, title: str = "各指标得分（得分 / 满分）") -> go.Figure:
    """Vendor × metric, coloured red–amber–green by status, labelled points / max."""
    vendors = list(dict.fromkeys(cells["vendor"]))
    metrics = list(dict.fromkeys(cells["metric"]))
    z, text, hover = [], [], []
    for v in vendors:
        rows = cells[cells["vendor"] == v].set_index("metric")
        z.append([STATUS_CODE[rows.loc[m, "status"]] for m in metrics])
        text.append([rows.loc[m, "text"] for m in metrics])
        hover.append([STATUS_LABEL[rows.loc[m, "status"]] for m in metrics])
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
            x=metrics,
            y=vendors,
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            textfont=dict(size=12),
            hovertemplate="%{y} · %{x}<br>%{text}（%{customdata}）<extra></extra>",
            colorscale=colorscale,
            zmin=-0.5,
            zmax=3.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, 140 + 45 * len(vendors))


def trend_lines(
    frame: pd.DataFrame, title: str, unit: str, baseline: float | None, target: float | None
) -> go.Figure:
    """One line per vendor over the months; the baseline and target drawn as dashed lines."""
    fig = go.Figure()
    for i, (vendor, rows) in enumerate(frame.groupby("外包公司", sort=True)):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=rows["月份"],
                y=rows["值"],
                mode="lines+markers",
                name=str(vendor),
                line=dict(color=colour, width=2),
                marker=dict(color=colour),
            )
        )
    if baseline is not None:
        fig.add_hline(
            y=baseline, line=dict(color=RED, dash="dash"), annotation_text=f"基准值 {baseline:g}{unit}"
        )
    if target is not None:
        fig.add_hline(
            y=target, line=dict(color=GREEN, dash="dash"), annotation_text=f"目标值 {target:g}{unit}"
        )
    fig.update_xaxes(type="category", title="月份")
    fig.update_yaxes(title=unit or "分", ticksuffix=unit)
    return _layout(fig, title, 380)


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
