"""Entry point and router: `streamlit run dashboard/app.py`. Opens on the bundled sample data.

The sign-in gate (dashboard.auth) decides the pages: 登录 alone until someone signs in (KPI_DB set),
用户管理 alone for a 管理员 (who never loads a workbook), the data pages of each other role; without a
database the demo runs as 演示 合同管理.

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

from dashboard import auth, boundary, ui  # noqa: E402
from dashboard.views.common import md  # noqa: E402
from kpi.access.roles import FINANCE, MANAGER, VENDOR  # noqa: E402
from kpi.access.scope import Scope  # noqa: E402
from kpi.history.store import HistoryError  # noqa: E402

ICON = Path(__file__).resolve().parent / "static" / "icon.png"  # served by this server, not a CDN


def data_pages() -> dict[str, st.Page]:
    return {
        "overview": st.Page(
            "app_pages/overview.py",
            title="总览",
            icon=":material/dashboard:",
            url_path="overview",
            default=True,
        ),
        "scorecard": st.Page(
            "app_pages/scorecard.py", title="评分卡", icon=":material/receipt_long:", url_path="scorecard"
        ),
        "trends": st.Page(
            "app_pages/trends.py", title="趋势", icon=":material/show_chart:", url_path="trends"
        ),
        "agents": st.Page(
            "app_pages/agents.py", title="坐席", icon=":material/headset_mic:", url_path="agents"
        ),
        "settlement": st.Page(
            "app_pages/settlement.py", title="结算", icon=":material/payments:", url_path="settlement"
        ),
        "simulate": st.Page(
            "app_pages/simulate.py", title="模拟", icon=":material/calculate:", url_path="simulate"
        ),
        "checks": st.Page(
            "app_pages/checks.py", title="数据检查", icon=":material/fact_check:", url_path="checks"
        ),
        "cycle": st.Page(
            "app_pages/cycle.py", title="月度流程", icon=":material/approval:", url_path="cycle"
        ),
    }


# What each role finds in the navigation (a 外包公司's data is cut to its own vendor where it is fetched).
ROLE_PAGES = {
    MANAGER: ("overview", "scorecard", "trends", "agents", "settlement", "simulate", "checks", "cycle"),
    FINANCE: ("overview", "scorecard", "trends", "settlement", "cycle"),
    VENDOR: ("overview", "scorecard", "trends", "agents", "settlement", "simulate", "checks", "cycle"),
}


URL_PATHS = (*ROLE_PAGES[MANAGER], "users")


def _hidden(script: str, title: str, shown: list[st.Page]) -> list[st.Page]:
    """Every other page's address, kept but hidden, leading to `script`: a bookmark of a page opens
    登录 (and that page after signing in) or says the role cannot see it, never Streamlit's English
    "page not found"."""
    taken = {p._url_path for p in shown}  # a default page's url_path reads ""
    return [
        st.Page(script, title=title, url_path=u, visibility="hidden") for u in URL_PATHS if u not in taken
    ]


def pages_for(scope: Scope | None) -> tuple[list[st.Page], list[st.Page]]:
    """The pages the navigation shows, and the hidden addresses of all the others."""
    if scope is None:
        shown = [st.Page("app_pages/signin.py", title="登录", icon=":material/login:", url_path="signin")]
        return shown, _hidden("app_pages/signin.py", "登录", shown)
    if scope.manages_users:
        shown = [st.Page("app_pages/users.py", title="用户管理", icon=":material/group:", url_path="users")]
    else:
        pages = data_pages()
        shown = [pages[name] for name in ROLE_PAGES[scope.role]]
    return shown, _hidden("app_pages/forbidden.py", "无权查看", shown)


st.set_page_config(page_title="10086 外包考核", page_icon=str(ICON), layout="wide")
with boundary.guarded():
    try:
        scope = auth.gate()
    except HistoryError as exc:  # KPI_DB names a database that cannot be opened: say which and why
        st.error(md(str(exc)), icon=":material/error:")
        st.stop()
    shown, hidden = pages_for(scope)
    page = st.navigation(shown + hidden)
    if st.session_state.pop(auth.FRESH_KEY, False) and page in hidden:
        st.switch_page(shown[0])  # just signed in at the address of a page this role does not have
    ui.style()
    if scope is not None:
        auth.sidebar(scope)
        if scope.sees_data:
            ui.build_context()
        auth.banner(scope)
    page.run()
