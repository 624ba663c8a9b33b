"""登录: the only page until someone signs in (KPI_DB set). An empty users table asks for the first
管理员 (nothing hard-coded, no default password); then name and password, or the office's identity
provider when `.streamlit/secrets.toml` configures `[auth]`."""

import streamlit as st
from streamlit.errors import StreamlitAuthError

from dashboard import auth
from dashboard.boundary import LOG
from dashboard.views.common import md
from kpi.access.users import AccessError, create_first_admin, has_users, sign_in

ERROR_KEY = "signin_error"
FORM_WIDTH = 480  # px: a sign-in form, not a page-wide band


def _enter(name: str, password: str) -> None:
    """Sign in with these credentials: the session starts, or the refusal is kept to be shown."""
    result = sign_in(auth.engine(), name, password, auth.now())
    if result.ok:
        st.session_state.pop(ERROR_KEY, None)
        auth.enter(result.user.scope())
    else:
        st.session_state[ERROR_KEY] = result.message


def _sign_in() -> None:
    """The form's callback: check the name and password, then forget the password typed."""
    state = st.session_state
    name, password = state.get("signin_name", ""), state.get("signin_password", "")
    state["signin_password"] = ""
    if not name.strip() or not password:
        state[ERROR_KEY] = "请输入用户名和密码。"
        return
    _enter(name, password)


def _first_admin() -> None:
    state = st.session_state
    name, password, again = (state.get(k, "") for k in ("first_name", "first_password", "first_again"))
    state["first_password"] = state["first_again"] = ""
    if password != again:
        state[ERROR_KEY] = "两次输入的密码不一致，请重新输入。"
        return
    try:
        create_first_admin(auth.engine(), name, password)
    except AccessError as exc:
        state[ERROR_KEY] = str(exc)
        return
    _enter(name, password)


st.title("登录")
st.caption("10086 热线话务外包考核与结算")
notice = st.session_state.pop(auth.NOTICE_KEY, None)
if notice:
    st.info(md(notice), icon=":material/info:")
error = st.session_state.pop(ERROR_KEY, None)
if error:
    st.error(md(error), icon=":material/error:")

if not has_users(auth.engine()):
    st.subheader("创建首位管理员")
    st.info(
        "数据库中还没有用户。请设置首位管理员的用户名和密码（至少 8 个字符）；其他用户由管理员在「用户管理」页添加。"
    )
    with st.form("first_admin_form", border=True, width=FORM_WIDTH):
        st.text_input("用户名", key="first_name", max_chars=100)
        st.text_input("密码", type="password", key="first_password")
        st.text_input("再次输入密码", type="password", key="first_again")
        st.form_submit_button("创建管理员并登录", key="first_submit", type="primary", on_click=_first_admin)
    st.stop()

with st.form("signin_form", border=True, width=FORM_WIDTH):
    st.text_input("用户名", key="signin_name", max_chars=100, autocomplete="username")
    st.text_input("密码", type="password", key="signin_password", autocomplete="current-password")
    st.form_submit_button("登录", key="signin_submit", type="primary", on_click=_sign_in)

if auth.oidc_configured():
    refused = st.session_state.get(auth.REFUSED_KEY)
    if refused is not None and st.user.get("is_logged_in"):
        st.error(md(refused[1]), icon=":material/block:")
        if st.button("退出统一身份账户", key="oidc_logout"):
            st.session_state.pop(auth.REFUSED_KEY, None)
            st.logout()
    elif st.button("使用单位统一身份登录", key="oidc_login", icon=":material/badge:"):
        st.session_state.pop(auth.NO_AUTO_KEY, None)
        try:
            st.login()
        except StreamlitAuthError as exc:  # [auth] incomplete: say so here, the details to the log
            LOG.warning("st.login: %s", exc)
            st.error(auth.OIDC_BROKEN, icon=":material/error:")
