"""The sign-in gate: who is using this session, as a `kpi.access.scope.Scope`.

- A session already signed in keeps its scope in `st.session_state["auth_scope"]`, its last activity in
  `st.session_state["auth_last_seen"]`; idle longer than `IDLE` (a working day), or disabled by a
  管理员 since, it is signed out with a Chinese notice.
- Without a database (KPI_DB unset) the app is the sample-data demo, run as 演示 合同管理.
- With KPI_DB the only page is 登录 (`app_pages/signin.py`) until someone signs in: with a password, or
  through the office's identity provider (`st.login`) when `.streamlit/secrets.toml` has an `[auth]`
  section, the provider's e-mail naming the user (`identity_user`).

Pages read the scope with `current_scope()`; the gate has run before any page does.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st
from sqlalchemy.engine import Engine

from dashboard import data as d
from dashboard.views.common import md
from kpi.access.roles import MANAGER, VENDOR
from kpi.access.scope import Scope
from kpi.access.users import get_user, idle_expired, sign_in_identity

SCOPE_KEY = "auth_scope"
SEEN_KEY = "auth_last_seen"
OIDC_KEY = "auth_oidc"  # signed in through the identity provider (sign out with st.logout)
NOTICE_KEY = "auth_notice"  # why the session was signed out, shown once on 登录
REFUSED_KEY = "auth_refused"  # (e-mail, message) of a provider sign-in that maps to no user
FRESH_KEY = "auth_fresh"  # signed in by this run: land on the role's first page, not a hidden address
NO_AUTO_KEY = "auth_no_auto"  # after an idle OIDC session: wait for the user, do not map st.user again

DEMO = Scope("演示用户", MANAGER, demo=True)
DEMO_BANNER = (
    "演示模式：以「演示用户（合同管理）」身份查看内置示例数据，未配置数据库，无需登录。"
    "正式使用时设置环境变量 `KPI_DB` 指向历史数据库后启动，即需登录（见 docs/sign-in.md）。"
)
DEMO_BADGE = ":orange-badge[:material/science: 演示]"
IDLE_NOTICE = "超过 8 小时未操作，已自动退出登录，请重新登录。"
GONE_NOTICE = "您的账户已停用或已删除，已退出登录；如有疑问请联系管理员。"
SIGNED_OUT = "已退出登录。"
OIDC_BROKEN = (
    "统一身份登录未能启动：请检查 .streamlit/secrets.toml 中 [auth] 的配置（见 docs/sign-in.md），"
    "服务器日志中有详细原因。仍可用用户名和密码登录。"
)


def now() -> datetime:
    """The local time, with its offset (as the sign-in's own clock in kpi.access)."""
    return datetime.now().astimezone()


def current_scope() -> Scope:
    """The signed-in user's scope (the gate put it there before the page runs)."""
    return st.session_state[SCOPE_KEY]


def oidc_configured() -> bool:
    """Whether `.streamlit/secrets.toml` (or the test's secrets) has an `[auth]` section; no secrets
    file at all is simply no."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # StreamlitSecretNotFoundError: no secrets.toml
        return False


def provider_email() -> str | None:
    """The e-mail of the user the identity provider signed in (st.user), if any."""
    if not oidc_configured() or not st.user.get("is_logged_in"):
        return None
    return str(st.user.get("email") or "").strip()


def engine() -> Engine:
    return d.history_engine(d.history_db())


def enter(scope: Scope, oidc: bool = False) -> None:
    """Start a signed-in session."""
    st.session_state[SCOPE_KEY] = scope
    st.session_state[SEEN_KEY] = now()
    st.session_state[OIDC_KEY] = oidc
    st.session_state[FRESH_KEY] = True
    for key in (NOTICE_KEY, REFUSED_KEY, NO_AUTO_KEY):
        st.session_state.pop(key, None)


def leave(notice: str | None = None) -> bool:
    """End the session's sign-in; True when it was an OIDC sign-in. Everything the session holds goes
    with it (the loaded workbook, picked vendor, fetched statements and evidence), so whoever signs in
    next in this browser starts clean."""
    oidc = bool(st.session_state.get(OIDC_KEY))
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if notice:
        st.session_state[NOTICE_KEY] = notice
    return oidc


def _still_allowed(scope: Scope) -> bool:
    user = get_user(engine(), scope.user)
    return user is not None and not user.disabled and user.scope() == scope


def gate() -> Scope | None:
    """The scope of this run, or None when the only page is 登录. Raises HistoryError (Chinese) when
    the configured database cannot be opened.

    A scope already in the session is used as it is; one that this gate signed in (password or
    provider) is also checked against the users table on every run, so a user disabled by a 管理员
    is out at their next click."""
    state = st.session_state
    scope: Scope | None = state.get(SCOPE_KEY)
    if scope is not None and scope.demo:
        return scope
    if scope is not None:
        seen = state.get(SEEN_KEY)
        if seen is not None and idle_expired(seen, now()):
            return _expire(IDLE_NOTICE)
        if state.get(OIDC_KEY) is not None and not _still_allowed(scope):
            return _expire(GONE_NOTICE)
        state[SEEN_KEY] = now()
        return scope
    if d.history_db() is None:
        state[SCOPE_KEY] = DEMO
        return DEMO
    engine()  # a database that cannot be opened is said here (HistoryError), before any form
    email = None if state.get(NO_AUTO_KEY) else provider_email()
    if email is not None:
        refused = state.get(REFUSED_KEY)
        if refused is None or refused[0] != email:  # one audit row per refusal, not one per rerun
            result = sign_in_identity(engine(), email, now())
            if result.ok:
                enter(result.user.scope(), oidc=True)
                return current_scope()
            state[REFUSED_KEY] = (email, result.message)
    return None


def _expire(notice: str) -> None:
    """Sign the session out; after a provider sign-in, wait for the user to sign in again rather than
    mapping the provider's still-valid cookie straight back in."""
    if leave(notice):
        st.session_state[NO_AUTO_KEY] = True
    return None


def who(scope: Scope) -> str:
    """当前用户：name（role[ · vendor]）, as the sidebar shows it (plain text, not Markdown)."""
    role = f"{scope.role} · {scope.vendor}" if scope.role == VENDOR and scope.vendor else scope.role
    return f"当前用户：{scope.user}（{role}）"


def _sign_out() -> None:
    if leave(SIGNED_OUT):
        st.logout()  # the provider's cookie too, or the next run would sign the user in again


def sidebar(scope: Scope) -> None:
    """Who is signed in and the way out, at the top of the sidebar; the demo marked as such."""
    with st.sidebar:
        if scope.demo:
            st.caption(f"{DEMO_BADGE} {md(who(scope))}")
            return
        st.caption(md(who(scope)))
        st.button("退出登录", key="sign_out", on_click=_sign_out, icon=":material/logout:")


def banner(scope: Scope) -> None:
    """The demo's line at the top of every page (on a phone the sidebar is folded away)."""
    if scope.demo:
        st.caption(f"{DEMO_BADGE} {DEMO_BANNER}")
