"""坐席: per-agent 2-hour repeats (needs the call detail sheet 话务明细)."""

import streamlit as st

from dashboard import charts, documents, ui
from dashboard.views import agents as agent_views
from dashboard.views import trends

ctx = ui.context()
loaded = ui.require_cards(ctx)
st.title("坐席")
agents = loaded.agents
if agents is None or agents.empty:
    st.info("本工作簿没有话务明细（工作表「话务明细」），无法按坐席统计 2 小时重复呼叫。")
    st.caption("上传包含「话务明细」工作表的工作簿后，这里会列出每位坐席的接通量、重复呼叫数和重复拨打率。")
    st.stop()

repeat_rule = agent_views.repeat_metric(loaded.rules)
table = agent_views.agents_table(agents, loaded.rules)
vendors = ["全部", *sorted(table["外包公司"].unique())]
left, right = st.columns([1, 2])
vendor = left.selectbox("外包公司", vendors, key="agents_vendor")
query = right.text_input("搜索坐席工号", key="agents_query")
shown = table if vendor == "全部" else table[table["外包公司"] == vendor]
if query:
    shown = shown[shown["坐席工号"].str.contains(query.strip(), case=False, regex=False)]
st.caption(f"{len(shown):,} 位坐席（点击表头排序）。")
two_places = {
    c: st.column_config.NumberColumn(c, format="%.2f") for c in ("重复拨打率(%)", "得分", "拖累公司得分")
}
st.dataframe(shown, hide_index=True, key="agents_table", column_config=two_places)
if vendor != "全部":  # the pairs behind the counts; one agent's when the search finds exactly one
    documents.evidence_button(ctx.inputs, loaded.rules, loaded.records, vendor)
    if len(shown) == 1:
        documents.evidence_button(ctx.inputs, loaded.rules, loaded.records, vendor, shown["坐席工号"].iloc[0])

baseline, target = trends.trend_lines_for(repeat_rule) if repeat_rule else (None, None)
st.plotly_chart(
    charts.rate_histogram(shown["重复拨打率(%)"], baseline, target, "坐席重复拨打率分布"), key="hist"
)
st.subheader("拖累公司得分最多的坐席")
st.caption("若该坐席的重复拨打率降到目标值，其所属公司的「二小时重复拨打率」可多得的分数。")
worst = shown.sort_values(["拖累公司得分", "超目标重复数"], ascending=False).head(10)
st.dataframe(worst, hide_index=True, key="agents_worst", column_config=two_places)
