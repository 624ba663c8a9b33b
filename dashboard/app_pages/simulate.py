"""模拟 (self-audit): change any input of a vendor-month and watch points, total and payout move; the
cliffs ahead, and the next point's actions ranked by the 元 they bring."""

from fractions import Fraction

import streamlit as st

from dashboard import ui
from dashboard.views import common
from dashboard.views import simulate as simulate_views
from dashboard.views.common import md
from kpi.inputs import BY_KEY
from kpi.money import fmt2
from kpi.scoring.next_point import next_points
from kpi.scoring.whatif import simulate, with_inputs

ctx = ui.context()
loaded = ui.require_cards(ctx)
rules = loaded.rules
record = loaded.record(ctx.vendor, ctx.month)
st.title(f"模拟 · {md(ctx.vendor)} · {ctx.month}")
if record is None:
    st.info(f"{md(ctx.vendor)} 在 {ctx.month} 没有数据。请在左侧另选月份或外包公司。")
    st.stop()
before = loaded.card(ctx.vendor, ctx.month)
prefix = f"sim|{ctx.vendor}|{ctx.month}|"
fields = simulate_views.input_fields(dict(record.inputs))
originals = {prefix + f.key: simulate_views.widget_value(f) for f in fields}
for key, value in originals.items():  # the boxes take their values from the session, set once
    st.session_state.setdefault(key, value)


def reset() -> None:
    """Put every box back to the workbook's figure (before the boxes are drawn again)."""
    st.session_state.update(originals)


st.button("恢复原始数据", key="sim_reset", on_click=reset)
st.caption("修改左侧任一数据，右侧得分、总分和应付金额即时更新。原始数据不会被修改。")
left, right = st.columns([2, 3])
changes = {}
with left, st.container(height=640):
    for field in fields:
        key = prefix + field.key
        if field.kind == "count":
            value = st.number_input(field.label, min_value=0, step=1, key=key)
            new = None if value is None else int(value)
        else:
            shown = simulate_views.widget_value(field)
            value = st.number_input(
                field.label + ("（%）" if field.kind == "rate" else ""),
                min_value=0.0,
                max_value=100.0,
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
changed = with_inputs(record, changes)
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
    unassessed = simulate_views.became_unassessed(before, after, changes)
    if unassessed:
        st.info(md(unassessed), icon=":material/info:")
    for cliff in simulate_views.near_cliffs(changed, rules):
        st.warning(md(cliff.text), icon=":material/warning:")
    if changes:
        st.caption("已修改：" + "、".join(common.wording(BY_KEY[k].header) for k in changes))
    st.dataframe(simulate_views.comparison(before, after), hide_index=True, key="sim_compare")

    st.subheader("再得 1 分需要什么")
    st.caption("逐项单独计算（其他数据不变），按应付金额增加从多到少排列。")
    moves = next_points(changed, rules)
    ranked = simulate_views.ranked_moves(moves)
    st.markdown("\n".join(simulate_views.move_line(m) for m in ranked) if ranked else "所有指标均已满分。")
    full = [m.label for m in moves if m.kind == "full"]
    if full:
        st.caption("已得满分：" + md("、".join(full)))
