"""评分卡: one vendor-month — where the figures came from, every money line, waterfall from full
marks, a bullet per metric, the explanation and the clauses in full."""

import streamlit as st

from dashboard import charts, documents, ui
from dashboard.views import scorecard
from dashboard.views.common import md
from dashboard.views.readings import readings_frame
from kpi.money import fmt2
from kpi.reports.scorecards import source_line

ctx = ui.context()
loaded = ui.require_cards(ctx)
card = loaded.card(ctx.vendor, ctx.month)
st.title(f"评分卡 · {md(ctx.vendor)} · {ctx.month}")
if card is None:
    st.info(f"{md(ctx.vendor)} 在 {ctx.month} 没有数据。请在左侧另选月份或外包公司。")
    st.stop()
ui.provenance(loaded, ctx.month, ctx.vendor)

lines = scorecard.money_lines(card)
row_one, row_two = st.columns(3), st.columns(3)
row_one[0].metric("总分", fmt2(card.total))
for place, (label, figure, how) in zip([*row_one[1:], *row_two], lines, strict=True):
    place.metric(label, figure, help=md(how))
st.caption("应付金额 = 考核后酬金 − 信息安全扣款；考核后酬金 = 话务酬金 × 考核系数（每行四舍五入到分）。")

start, steps, total = scorecard.waterfall_steps(card)
ui.chart(charts.waterfall(start, steps, total), key="waterfall")

st.subheader("各指标：基准值–目标值区间与本月值")
st.caption("红 = 未达基准值，黄 = 基准值～目标值之间，绿 = 达到目标值；黑条为本月值，蓝线为目标值。")
not_assessed, drawn = [], 0
halves = st.columns(2)
for m in card.metrics:
    rule = loaded.rules.metric(m.id)
    if not m.assessed:
        not_assessed.append(f"{md(m.label)}（{md(m.segment)}）")
        continue
    if rule.curve is None:
        st.markdown(f"**{md(m.label)}**：{fmt2(m.points)} / {fmt2(m.max_points)} 分 —— {md(m.segment)}")
        continue
    spec = scorecard.bullet_spec(rule, m.value)
    value = float(m.value) if m.value is not None else None
    with halves[drawn % 2]:
        st.markdown(scorecard.bullet_heading(m))
        ui.chart(
            charts.bullet(m.label, value, spec, fmt2(m.points), fmt2(m.max_points)), key=f"bullet_{m.id}"
        )
    drawn += 1
if not_assessed:
    st.info("未考核（不计入所属类别满分）：" + "；".join(not_assessed))

st.subheader("计分说明")
st.dataframe(
    scorecard.explanation(card),
    hide_index=True,
    key="explanation",
    column_config={
        "指标": st.column_config.TextColumn(pinned=True),
        "得分": st.column_config.TextColumn(width="small"),
    },
)
left, right = st.columns(2)
with left:
    st.markdown("**类别得分**")
    st.dataframe(scorecard.categories(card), hide_index=True, key="categories")
with right:
    st.markdown("**扣分项 / 加分项**")
    st.dataframe(scorecard.adjustments(card), hide_index=True, key="adjustments")

st.subheader("条款原文")
with st.container(key="clauses"):
    for label, clause in scorecard.clauses(card):
        st.markdown(f"**{md(label)}**：「{md(clause)}」")

if dict(card.sources).get("repeat_2h_calls") == "detail":  # counted from the call detail
    documents.evidence_button(ctx.inputs, loaded.rules, ctx.vendor, ctx.scope, month=ctx.month)

st.subheader("条款解读对得分的影响")
st.caption(
    "合同原文未明确或自相矛盾的条款：每种解读单独套用（规则本其他规定不变）时的总分和应付金额，"
    "变化 = 该解读下的结果 − 规则本的结果；标「（规则本）」的是规则本采用的解读。与 kpi readings 相同。"
)
st.dataframe(readings_frame(ui.readings(ctx), ctx.vendor), hide_index=True, key="readings")

st.subheader("数据来源")
st.text(source_line(card))  # which figures came from the call detail, which from the summary
for note in card.notes:  # partly covered month, windows that cannot be judged
    st.text(note)
