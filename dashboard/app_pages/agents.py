"""坐席: per-agent 2-hour repeats of the sidebar's month and vendor (needs the call detail 话务明细)."""

import streamlit as st

from dashboard import charts, documents, ui
from dashboard.views import agents as agent_views
from dashboard.views import trends
from dashboard.views.common import md

ctx = ui.context()
loaded = ui.require_cards(ctx)
agents = loaded.agents
detail_month = loaded.provenance.month if loaded.provenance else None
show_all = st.session_state.get("agents_all", False)
st.title(f"坐席 · {'全部外包公司' if show_all else md(ctx.vendor)} · {ctx.month}")
if agents is None or agents.empty:
    st.info("本工作簿没有话务明细（工作表「话务明细」），无法按坐席统计 2 小时重复呼叫。")
    st.caption("上传包含「话务明细」工作表的工作簿后，这里会列出每位坐席的接通量、重复呼叫数和重复拨打率。")
    st.stop()
if detail_month is not None and detail_month != ctx.month:
    st.info(f"话务明细只有 {detail_month} 的呼叫；左侧所选的 {ctx.month} 没有话务明细，无法按坐席统计。")
    st.stop()
ui.provenance(loaded, ctx.month, None if show_all else ctx.vendor)

repeat_rule = agent_views.repeat_metric(loaded.rules)
table = agent_views.agents_table(agents, loaded.rules)
left, right = st.columns([1, 2])
left.toggle("显示全部外包公司", key="agents_all", help="关闭时只显示左侧所选外包公司的坐席。")
query = right.text_input("搜索坐席工号", key="agents_query")
shown = table if show_all else table[table["外包公司"] == ctx.vendor]
if query:
    shown = shown[shown["坐席工号"].str.contains(query.strip(), case=False, regex=False)]
st.caption(f"{ctx.month}：{len(shown):,} 位坐席（点击表头排序）。")
two_places = {
    c: st.column_config.NumberColumn(c, format="%.2f") for c in ("重复拨打率(%)", "得分", "拖累公司得分")
}
st.dataframe(shown, hide_index=True, key="agents_table", column_config=two_places)
if not show_all:  # the pairs behind the counts; one agent's when the search finds exactly one
    documents.evidence_button(ctx.inputs, loaded.rules, ctx.vendor, ctx.scope, month=ctx.month)
    if len(shown) == 1:
        documents.evidence_button(
            ctx.inputs,
            loaded.rules,
            ctx.vendor,
            ctx.scope,
            shown["坐席工号"].iloc[0],
            ctx.month,
        )

baseline, target = trends.trend_lines_for(repeat_rule) if repeat_rule else (None, None)
ui.chart(charts.rate_histogram(shown["重复拨打率(%)"], baseline, target, "坐席重复拨打率分布"), key="hist")
st.subheader("重复呼叫超出基准值最多的坐席")
st.caption(
    "按各坐席自己的接通量计算：超基准重复数 = 2小时重复呼叫数 − 接通量 × 基准值（向下取整）；"
    "每家外包公司列出最多 10 位。"
)
worst = agent_views.worst_agents(shown, loaded.rules)
if worst.empty:
    st.info("没有坐席的重复拨打率超过基准值。")
else:
    st.dataframe(worst, hide_index=True, key="agents_worst", column_config=two_places)
