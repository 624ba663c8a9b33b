"""Helpers for the app tests that run with a database (KPI_DB): a session already signed in (the
scope put where dashboard.auth keeps it), the pages the navigation offers."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from kpi.access.scope import Scope


def signed_in(at: AppTest, scope: Scope) -> AppTest:
    """The session as if `scope`'s user had signed in (dashboard.auth's contract); runs the app."""
    at.session_state["auth_scope"] = scope
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


HIDDEN = ("forbidden.py",)  # the hidden addresses of pages a role does not have


def nav(at: AppTest) -> list[str]:
    """The titles of the pages the last run's st.navigation shows, in order (AppTest keeps what was
    registered to resolve switch_page; there is no public accessor). Left out: the hidden addresses
    that lead to 登录 or to 无权查看 (dashboard/app.py `_hidden`)."""
    return [
        info["page_name"]
        for info in at._registered_pages.values()
        if not str(info.get("script_path", "")).endswith(HIDDEN)
        and not (
            str(info.get("script_path", "")).endswith("signin.py")
            and info["url_pathname"] not in ("", "signin")
        )
    ]
