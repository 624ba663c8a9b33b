"""Entry point and router: `streamlit run dashboard/app.py`. Opens on the bundled sample data.

Everything below the page config runs inside the error boundary (dashboard.boundary): the sidebar's
loading as much as the page, so an unexpected error shows one Chinese message with a reference id.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # so `dashboard` and this checkout's `kpi` import under `streamlit run`
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import boundary, ui  # noqa: E402

ICON = Path(__file__).resolve().parent / "static" / "icon.png"  # served by this server, not a CDN
PAGES = [
    st.Page(
        "app_pages/overview.py", title="总览", icon=":material/dashboard:", url_path="overview", default=True
    ),
    st.Page("app_pages/scorecard.py", title="评分卡", icon=":material/receipt_long:", url_path="scorecard"),
    st.Page("app_pages/trends.py", title="趋势", icon=":material/show_chart:", url_path="trends"),
    st.Page("app_pages/agents.py", title="坐席", icon=":material/headset_mic:", url_path="agents"),
    st.Page("app_pages/settlement.py", title="结算", icon=":material/payments:", url_path="settlement"),
    st.Page("app_pages/simulate.py", title="模拟", icon=":material/calculate:", url_path="simulate"),
    st.Page("app_pages/checks.py", title="数据检查", icon=":material/fact_check:", url_path="checks"),
    st.Page("app_pages/cycle.py", title="月度流程", icon=":material/approval:", url_path="cycle"),
]

st.set_page_config(page_title="10086 外包考核", page_icon=str(ICON), layout="wide")
page = st.navigation(PAGES)
with boundary.guarded():
    ui.style()
    ui.build_context()
    page.run()
