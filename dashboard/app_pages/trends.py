"""趋势: chosen metrics over the months, one line per vendor, baseline and target drawn."""

import streamlit as st

from dashboard import charts, ui
from dashboard.views import cycle, trends
from dashboard.views.common import md

ctx = ui.context()
loaded = ui.require_cards(ctx)
rules = loaded.rules
st.title("趋势")
stored = ui.history(ctx)
use_history = stored is not None and st.toggle(
    f"读取历史数据库（{stored['月份'].nunique()} 个月；各月取已定稿的版本，其次已发布的，再次最新的草稿）",
    value=True,
    key="trend_history",
)

choices = {"total": "总分"} | {m.id: m.label for m in rules.metrics}
picked = st.multiselect(
    "指标",
    list(choices),
    default=["total", rules.metrics[0].id],
    format_func=choices.get,
    key="trend_metrics",
    placeholder="请选择指标",
)
if not picked:
    st.info("请至少选择一个指标。")
for metric_id in picked:
    frame = (
        cycle.history_trend(stored, metric_id) if use_history else trends.trend(list(loaded.cards), metric_id)
    )
    if metric_id == "total":
        fig = charts.trend_lines(frame, "总分", "", None, None)
    else:
        rule = rules.metric(metric_id)
        baseline, target = trends.trend_lines_for(rule)
        unit = rule.ratio.unit if rule.ratio else "分"
        fig = charts.trend_lines(frame, rule.label, unit, baseline, target)
    ui.chart(fig, key=f"trend_{metric_id}")
    gaps = trends.not_assessed(frame)
    if gaps:
        st.caption(f"未考核（图中以 × 标在底部，不连线）：{md(gaps)}")
    with st.expander(f"{choices[metric_id]} 数据表"):
        table = frame.pivot(index="月份", columns="外包公司", values="值")
        st.dataframe(table, key=f"trend_table_{metric_id}")
