"""总览: the month at a glance — where the figures came from, a card per vendor, the ranking, the
metric × vendor heat map."""

import streamlit as st

from dashboard import charts, ui
from dashboard.views import cycle, overview
from dashboard.views.common import md

ctx = ui.context()
loaded = ui.require_cards(ctx)
month = ctx.month
cards = loaded.month_cards(month)
previous_month = loaded.previous_month(month)
previous = loaded.month_cards(previous_month) if previous_month else []

st.title(f"总览 · {month}")
ui.provenance(loaded, month)
st.caption(
    f"{len(cards)} 家外包公司。"
    + (f"变化均与 {previous_month} 相比；重复率等越低越好的指标，下降显示为绿色。" if previous_month else "")
)

per_row = 4
tiles = overview.vendor_cards(cards, previous, loaded.rules)
for start in range(0, len(tiles), per_row):
    columns = st.columns(per_row)
    for offset, (column, tile) in enumerate(zip(columns, tiles[start : start + per_row], strict=False)):
        with column.container(border=True, key=f"vendor_card_{start + offset}"):
            st.subheader(md(tile.vendor))
            for figure in tile.figures:
                st.metric(
                    figure.label,
                    figure.value,
                    delta=figure.delta,
                    delta_color=figure.delta_color,
                    delta_arrow="off" if figure.delta_color == "off" else "auto",
                )
            st.markdown("  \n".join(rate.markdown() for rate in tile.rates))

left, right = st.columns([2, 3])
with left:
    ui.chart(charts.ranking_bar(overview.ranking(cards)), key="ranking")
with right:
    ui.chart(charts.heat_map(overview.heat_cells(cards, loaded.rules)), key="heat")
st.caption(
    "颜色按指标值所在区间：绿 = 达到目标值；黄 = 基准值～目标值之间；红 = 未达基准值；灰 = 未考核。与评分卡相同。"
)

stored = ui.history(ctx)
if stored is not None:
    latest = stored["月份"].max()
    table, counted = cycle.year_to_date(stored, latest)
    st.subheader(f"{latest[:4]} 年累计应付（历史数据库）")
    if counted:
        st.caption(f"只计已定稿的月份：{'、'.join(counted)}。")
        st.dataframe(table, hide_index=True, key="year_to_date")
    else:
        st.caption(f"{latest[:4]} 年还没有已定稿的月份。")
