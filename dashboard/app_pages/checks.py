"""数据检查: the validation report of the workbook (and rulebook), and the reconciliation with detail."""

import pandas as pd
import streamlit as st

from dashboard import documents, ui
from dashboard.views import checks
from dashboard.views.common import md, wording
from dashboard.views.provenance import not_judged

ctx = ui.context()
loaded = ui.context().loaded
st.title("数据检查")
st.caption(f"文件：{md(loaded.file)}")

if loaded.rule_problems:
    st.error(f"规则本有 {len(loaded.rule_problems)} 处问题，未评分：")
    ui.show_problems(loaded.rule_problems)

if loaded.notices:  # user text: shown as text, never Markdown
    st.warning(f"读取工作簿时有 {len(loaded.notices)} 条说明（不是错误，但请核对）：")
    st.text("\n".join(loaded.notices))

if loaded.problems:
    st.error(
        f"工作簿有 {len(loaded.problems)} 处问题（每处给出位置、发现的值和应为的值）。修正后请重新上传。"
    )
    ui.show_problems(loaded.problems)
    documents.download(
        st,
        "下载问题清单（CSV）",
        checks.problems_csv(loaded.problems),
        file_name="数据检查问题清单.csv",
        mime="text/csv",
        key="download_problems",
        scope=ctx.scope,
    )
elif loaded.rule_problems:
    st.warning("规则本有误，工作簿只读取了月度指标汇总表，未校验话务明细、未评分；规则本修正后再检查。")
elif loaded.records:
    months = sorted({r.month for r in loaded.records})
    vendors = sorted({r.vendor for r in loaded.records})
    st.success(
        f"检查通过：{len(loaded.records)} 行（{len(vendors)} 家外包公司 × {len(months)} 个月），没有发现问题。"
    )
    have = {(r.vendor, r.month): r.row for r in loaded.records}
    coverage = pd.DataFrame(
        [[f"第 {have[(v, m)]} 行" if (v, m) in have else "缺" for m in months] for v in vendors],
        index=vendors,
        columns=months,
    )
    st.markdown("**各外包公司各月数据所在行（「月度指标」工作表）**")
    st.dataframe(coverage, key="coverage")
    missing = int((coverage == "缺").sum().sum())
    if missing:
        st.warning(f"有 {missing} 个外包公司-月份没有数据行。")

if loaded.detail_notices:
    st.warning(f"话务明细有 {len(loaded.detail_notices)} 条提示（数字已按下列方式计算，请核对）：")
    for notice in loaded.detail_notices:
        st.text(notice)  # file names are user text: shown as text, never Markdown

st.subheader("话务明细对账")
if not loaded.ok:
    st.info("问题修正前不读取话务明细，无对账表。")
elif loaded.reconciliation is None:
    st.info("本工作簿没有话务明细，无对账表。")
else:
    st.caption("汇总表是外包公司申报的数字，话务明细是依据；下表列出两者的差异。")
    shown = loaded.reconciliation.assign(指标=loaded.reconciliation["指标"].map(wording))
    st.dataframe(shown, hide_index=True, key="reconciliation")
    if loaded.provenance is not None:
        unjudged = not_judged(loaded.provenance, loaded.provenance.month)
        if unjudged:
            st.caption(unjudged)
