"""评分卡: one vendor-month — waterfall from full marks, a bullet per metric, the explanation."""

import streamlit as st

from dashboard import charts, ui
from dashboard.views import common, scorecard
from kpi.money import fmt2
from kpi.reports.scorecards import source_line

ctx = ui.context()
loaded = ui.require_cards(ctx)
card = loaded.card(ctx.vendor, ctx.month)
st.title(f"评分卡 · {ctx.vendor} · {ctx.month}")
if card is None:
    st.info(f"{ctx.vendor} 在 {ctx.month} 没有数据。请在左侧另选月份或外包公司。")
    st.stop()

s = card.settlement
a, b, c, e = st.columns(4)
a.metric("总分", fmt2(card.total))
b.metric("考核系数", str(s.coefficient))
c.metric("话务酬金(元)", common.money(s.base_fee))
e.metric("应付金额(元)", common.money(s.payout))

start, steps, total = scorecard.waterfall_steps(card)
st.plotly_chart(charts.waterfall(start, steps, total), key="waterfall")

st.subheader("各指标：基准值–目标值区间与本月值")
st.caption("红 = 未达基准值，黄 = 基准值～目标值之间，绿 = 达到目标值；黑条为本月值，蓝线为目标值。")
not_assessed, drawn = [], 0
halves = st.columns(2)
for m in card.metrics:
    rule = loaded.rules.metric(m.id)
    if not m.assessed:
        not_assessed.append(f"{m.label}（{m.segment}）")
        continue
    if rule.curve is None:
        st.markdown(f"**{m.label}**：{fmt2(m.points)} / {fmt2(m.max_points)} 分 —— {m.segment}")
        continue
    spec = scorecard.bullet_spec(rule, m.value)
    value = float(m.value) if m.value is not None else None
    halves[drawn % 2].plotly_chart(
        charts.bullet(m.label, value, spec, fmt2(m.points), fmt2(m.max_points)),
        key=f"bullet_{m.id}",
    )
    drawn += 1
if not_assessed:
    st.info("未考核（不计入所属类别满分）：" + "；".join(not_assessed))

st.subheader("计分说明")
st.dataframe(scorecard.explanation(card), hide_index=True, key="explanation")
left, right = st.columns(2)
with left:
    st.markdown("**类别得分**")
    st.dataframe(scorecard.categories(card), hide_index=True, key="categories")
with right:
    st.markdown("**扣分项 / 加分项**")
    st.dataframe(scorecard.adjustments(card), hide_index=True, key="adjustments")
st.caption(s.note)

st.subheader("数据来源")
st.text(source_line(card))  # which figures came from the call detail, which from the summary
for note in card.notes:  # partly covered month, windows that cannot be judged
    st.text(note)
