"""结算: the month's settlement table with its totals row, and the downloads."""

import streamlit as st

from dashboard import documents, ui
from dashboard.views import settlement
from kpi.reports.statement import scorecards_json, scorecards_xlsx, settlement_rules, statement_bytes

ctx = ui.context()
loaded = ui.require_cards(ctx)
st.title("结算")
span = st.radio("范围", ["本月", "全部月份"], horizontal=True, key="settlement_scope")
cards = loaded.month_cards(ctx.month) if span == "本月" else list(loaded.cards)
label = ctx.month if span == "本月" else f"{loaded.months[0]}～{loaded.months[-1]}"
st.caption(f"{label}：应付金额 = 话务酬金 × 考核系数 − 信息安全扣款；每行金额四舍五入到分，合计为各行之和。")
table = settlement.settlement_table(cards)
right = {c: st.column_config.TextColumn(c, alignment="right") for c in table.columns[2:]}
st.dataframe(table, hide_index=True, key="statement", column_config=right)
for line in settlement_rules(cards):  # the contract gives no score-to-money rule: say which was assumed
    st.caption(line)

stem = f"结算单_{label}"
one, two, three = st.columns(3)
month = ctx.month if span == "本月" else None
documents.download(
    one,
    "下载结算单（.xlsx）",
    statement_bytes(cards),
    file_name=f"{stem}.xlsx",
    mime=documents.XLSX,
    key="download_statement",
    type="primary",
    scope=ctx.scope,
    month=month,
)
documents.download(
    two,
    "下载评分卡汇总（.xlsx）",
    scorecards_xlsx(cards),
    file_name=f"评分卡_{label}.xlsx",
    mime=documents.XLSX,
    key="download_scorecards",
    scope=ctx.scope,
    month=month,
)
documents.download(
    three,
    "下载评分卡（JSON）",
    scorecards_json(cards),
    file_name=f"评分卡_{label}.json",
    mime="application/json",
    key="download_json",
    scope=ctx.scope,
    month=month,
)
st.caption("结算单与命令行 `kpi settle` 生成的文件相同（结算单 + 评分卡两个工作表）。")

st.subheader(f"签字用结算单 · {ctx.month}")
month_cards = loaded.month_cards(ctx.month)
pick = st.selectbox("结算单范围", settlement.statement_choices(month_cards), key="statement_pick")
chosen = month_cards if pick == settlement.ALL else [c for c in month_cards if c.vendor == pick]
documents.statement_buttons(chosen, loaded.rules, ctx.inputs, f"结算单_{ctx.month}_{pick}", ctx.scope)
st.caption(
    "每项得分与扣分、每一行金额和大写金额、编制/审核/批准签字栏；每页印有页码和指纹"
    "（输入文件与规则本的 SHA-256），与命令行 `kpi statement` 生成的相同。"
)
