"""Entry point and router: `streamlit run dashboard/app.py`. Opens on the bundled sample data."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # so `dashboard` and this checkout's `kpi` import under `streamlit run`
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import ui  # noqa: E402

PAGES = [
    st.Page("pages/overview.py", title="总览", icon="📊", url_path="overview", default=True),
    st.Page("pages/scorecard.py", title="评分卡", icon="🧾", url_path="scorecard"),
    st.Page("pages/trends.py", title="趋势", icon="📈", url_path="trends"),
    st.Page("pages/agents.py", title="坐席", icon="🎧", url_path="agents"),
    st.Page("pages/settlement.py", title="结算", icon="💴", url_path="settlement"),
    st.Page("pages/simulate.py", title="模拟", icon="🧮", url_path="simulate"),
    st.Page("pages/checks.py", title="数据检查", icon="🔎", url_path="checks"),
]

st.set_page_config(page_title="10086 外包考核", page_icon="📞", layout="wide")
page = st.navigation(PAGES)
ui.build_context()
page.run()
