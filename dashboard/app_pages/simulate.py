"""模拟 (self-audit): change any input of a vendor-month and watch points, total and payout move."""

from fractions import Fraction

import streamlit as st

from dashboard import ui
from dashboard.views import common
from dashboard.views import simulate as simulate_views
from kpi.inputs import BY_KEY
from kpi.money import fmt2
from kpi.scoring.next_point import next_points
from kpi.scoring.whatif import simulate, with_inputs

ctx = ui.context()
loaded = ui.require_cards(ctx)
rules = loaded.rules
record = loaded.record(ctx.vendor, ctx.month)
st.title(f"模拟 · {ctx.vendor} · {ctx.month}")
if record is None:
    st.info(f"{ctx.vendor} 在 {ctx.month} 没有数据。请在左侧另选月份或外包公司。")
    st.stop()
before = loaded.card(ctx.vendor, ctx.month)
prefix = f"sim|{ctx.vendor}|{ctx.month}|"
if st.button("恢复原始数据", key="sim_reset"):
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]

st.caption("修改左侧任一数据，右侧得分、总分和应付金额即时更新。原始数据不会被修改。")
left, right = st.columns([2, 3])
changes = {}
with left, st.container(height=640):
    for field in simulate_views.input_fields(dict(record.inputs)):
        key = prefix + field.key
        if field.kind == "count":
            if field.value is None:
                value = st.number_input(field.label, min_value=0, value=None, step=1, key=key)
            else:
                value = st.number_input(field.label, min_value=0, value=int(field.value), step=1, key=key)
            new = None if value is None else int(value)
        else:
            shown = None if field.value is None else float(field.value)
            top = 100.0
            value = st.number_input(
                field.label + ("（%）" if field.kind == "rate" else ""),
                min_value=0.0,
                max_value=top,
                value=shown,
                step=0.1,
                format="%.2f",
                key=key,
            )
            if value is None:
                new = None
            elif shown is not None and value == shown:
                new = field.value
            else:
                new = Fraction(f"{value:.4f}")
        if new != field.value:
            changes[field.key] = new

after = simulate(record, rules, changes)
with right:
    a, b = st.columns(2)
    a.metric(
        "模拟总分",
        fmt2(after.total),
        delta=common.signed(after.total - before.total) if changes else None,
    )
    b.metric(
        "模拟应付金额(元)",
        common.money(after.settlement.payout),
        delta=common.signed(after.settlement.payout - before.settlement.payout) if changes else None,
    )
    over = simulate_views.over_limits({**record.inputs, **changes})
    if over:
        st.warning("模拟数据不合常理：" + "；".join(over) + "。")
    if changes:
        st.caption("已修改：" + "、".join(BY_KEY[k].header for k in changes))
    st.dataframe(simulate_views.comparison(before, after), hide_index=True, key="sim_compare")

    st.subheader("再得 1 分需要什么")

    moves = next_points(with_inputs(record, changes), rules)
    lines = []
    for move in moves:
        if move.kind in ("full", "not_assessed"):
            continue
        effect = ""
        if move.total_after != move.total_before:
            effect = (
                f"（总分 {common.signed(move.total_after - move.total_before)}，"
                f"应付 {common.signed(move.payout_after - move.payout_before)} 元）"
            )
        lines.append(f"- **{move.label}**：{move.text}{effect}")
    full = [m.label for m in moves if m.kind == "full"]
    st.markdown("\n".join(lines) if lines else "所有指标均已满分。")
    if full:
        st.caption("已得满分：" + "、".join(full))
