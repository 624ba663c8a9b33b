"""用户管理 (管理员 only): the users with their role, vendor and state; add a user, reset a password,
disable or enable (which also lifts a lock). Every change is one audit row naming the 管理员."""

import streamlit as st

from dashboard import auth
from dashboard.views import users as v
from dashboard.views.common import md
from kpi.access.roles import ROLES, VENDOR
from kpi.access.users import user_infos

MESSAGE_KEY = "users_message"


def report(result: tuple[bool, str]) -> None:
    st.session_state[MESSAGE_KEY] = result


scope = auth.current_scope()
engine = auth.engine()
st.title("用户管理")
st.caption("用户保存在历史数据库中（环境变量 KPI_DB），密码只存 argon2 散列。每次变更都记入审计记录。")
if MESSAGE_KEY in st.session_state:
    ok, text = st.session_state.pop(MESSAGE_KEY)
    (st.success if ok else st.error)(md(text))

infos = user_infos(engine)
st.dataframe(v.users_frame(infos), hide_index=True, key="users_table")
names = [i.user.name for i in infos]

st.subheader("新增用户")
with st.form("user_add_form", clear_on_submit=True):
    name = st.text_input("用户名（使用单位统一身份登录时填其邮箱）", key="user_add_name", max_chars=100)
    role = st.selectbox("角色", ROLES, index=ROLES.index(VENDOR), key="user_add_role")
    vendor = st.text_input(
        "所属外包公司（仅「外包公司」角色填写）",
        key="user_add_vendor",
        help="须与工作簿中的公司名称完全一致。",
    )
    password = st.text_input("初始密码（至少 8 个字符）", type="password", key="user_add_password")
    again = st.text_input("再次输入初始密码", type="password", key="user_add_again")
    if st.form_submit_button("新增用户", key="user_add", type="primary"):
        report(v.add(engine, name, role, vendor, password, again, scope.user))
        st.rerun()

if names:
    st.subheader("重设密码")
    with st.form("user_passwd_form", clear_on_submit=True):
        who = st.selectbox("用户", names, key="user_passwd_name")
        password = st.text_input("新密码（至少 8 个字符）", type="password", key="user_passwd_password")
        again = st.text_input("再次输入新密码", type="password", key="user_passwd_again")
        if st.form_submit_button("重设密码", key="user_passwd"):
            report(v.reset_password(engine, who, password, again, scope.user))
            st.rerun()

    st.subheader("停用 / 启用")
    st.caption("停用的用户不能再登录（已登录的会话在其下一次操作时退出）；启用也会解除因密码输错造成的锁定。")
    who = st.selectbox("用户", names, key="user_state_name")
    left, right = st.columns(2)
    if left.button("停用", key="user_disable"):
        report(v.disable(engine, who, scope.user))
        st.rerun()
    if right.button("启用 / 解除锁定", key="user_enable"):
        report(v.enable(engine, who, scope.user))
        st.rerun()
