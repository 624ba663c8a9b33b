"""The sign-in gate through AppTest: the demo without a database, the first 管理员 on an empty one,
用户管理, password sign-in with its lock, signing out, idle expiry, each role's pages, and the identity
provider's e-mail mapped to a user."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import DEMO_BANNER, GONE_NOTICE, IDLE_NOTICE, OIDC_BROKEN, SIGNED_OUT
from dashboard.views.common import md
from kpi.access.roles import ADMIN, FINANCE, MANAGER, VENDOR
from kpi.access.scope import Scope
from kpi.access.users import add_user, create_first_admin, disable_user
from kpi.history.store import open_store
from tests.dashboard.signin import nav, signed_in
from tests.history_db import audit_rows
from tests.paths import ROOT

APP = str(ROOT / "dashboard" / "app.py")
ALL_PAGES = ["总览", "评分卡", "趋势", "坐席", "结算", "模拟", "数据检查", "月度流程"]
ADMIN_PASSWORD = "admin-pass-2024"
VENDOR_PASSWORD = "huaxin-pass-2024"
WRONG = "用户名或密码不正确"


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def start() -> AppTest:
    return ok(AppTest.from_file(APP, default_timeout=120).run())


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return ok(at.button(key="signin_submit").click().run())


def sidebar_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.sidebar.caption]


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    path = str(tmp_path / "kpi.db")
    monkeypatch.setenv("KPI_DB", path)
    return path


@pytest.fixture
def users(db: str) -> str:
    """A 管理员 and a 外包公司 user of 华信客服 (one of the sample's vendors)."""
    engine = open_store(db)
    create_first_admin(engine, "王管理", ADMIN_PASSWORD)
    add_user(engine, "华信小李", VENDOR, VENDOR_PASSWORD, vendor="华信客服", by="王管理")
    add_user(engine, "财务老陈", FINANCE, "finance-pass-2024", by="王管理")
    engine.dispose()
    return db


# ------------------------------------------------------------------ without a database: the demo
def test_without_a_database_the_demo_opens_as_demo_manager(monkeypatch):
    monkeypatch.delenv("KPI_DB", raising=False)
    at = start()
    assert at.title[0].value == "总览 · 2024-06"
    badge = ":orange-badge[:material/science: 演示]"
    assert at.main.caption[0].value == f"{badge} {DEMO_BANNER}"  # on every page, above its title
    assert sidebar_captions(at)[0] == f"{badge} 当前用户：演示用户（合同管理）"
    assert DEMO_BANNER == (
        "演示模式：以「演示用户（合同管理）」身份查看内置示例数据，未配置数据库，无需登录。"
        "正式使用时设置环境变量 `KPI_DB` 指向历史数据库后启动，即需登录（见 docs/sign-in.md）。"
    )
    assert at.session_state["auth_scope"] == Scope("演示用户", MANAGER, demo=True)
    assert nav(at) == ALL_PAGES
    assert not [b for b in at.sidebar.button if b.key == "sign_out"]  # nobody to sign out


# ------------------------------------------------------------------ the first start
def test_an_empty_database_asks_for_the_first_admin_and_lands_on_user_management(db):
    at = start()
    assert at.title[0].value == "登录"
    assert nav(at) == ["登录"]
    assert at.subheader[0].value == "创建首位管理员"
    assert not at.text_input(key="first_name").value  # nothing filled in, no default password
    at.text_input(key="first_name").input("王管理")
    at.text_input(key="first_password").input(ADMIN_PASSWORD)
    at.text_input(key="first_again").input("admin-pass-2025")
    ok(at.button(key="first_submit").click().run())
    assert [e.value for e in at.error] == ["两次输入的密码不一致，请重新输入。"]
    at.text_input(key="first_name").input("王管理")
    at.text_input(key="first_password").input("short")
    at.text_input(key="first_again").input("short")
    ok(at.button(key="first_submit").click().run())
    assert [e.value for e in at.error] == ["密码太短：至少 8 个字符"]
    at.text_input(key="first_password").input(ADMIN_PASSWORD)
    at.text_input(key="first_again").input(ADMIN_PASSWORD)
    ok(at.button(key="first_submit").click().run())

    assert at.title[0].value == "用户管理"
    assert nav(at) == ["用户管理"]
    assert sidebar_captions(at) == ["当前用户：王管理（管理员）"]
    assert not at.sidebar.get("file_uploader")  # a 管理员 never loads a workbook
    table = at.dataframe[0].value
    assert table.columns.tolist() == [
        "用户名",
        "角色",
        "所属外包公司",
        "状态",
        "最近登录",
        "创建时间",
        "创建人",
    ]
    assert table[["用户名", "角色", "所属外包公司", "状态", "创建人"]].values.tolist() == [
        ["王管理", ADMIN, "", "启用", "王管理"]
    ]
    assert table["最近登录"][0] in {f"{datetime.now() - timedelta(minutes=m):%Y-%m-%d %H:%M}" for m in (0, 1)}
    assert [(r.who, r.action) for r in audit_rows(db)] == [("王管理", "user_add"), ("王管理", "sign_in")]
    with open(db, "rb") as f:
        assert ADMIN_PASSWORD.encode() not in f.read()


# ------------------------------------------------------------------ 用户管理
def test_the_admin_adds_a_vendor_user_who_then_signs_in_to_the_vendor_pages(db):
    engine = open_store(db)
    create_first_admin(engine, "王管理", ADMIN_PASSWORD)
    at = sign_in(start(), "王管理", ADMIN_PASSWORD)
    assert at.title[0].value == "用户管理"

    def add(name: str, role: str, vendor: str, password: str, again: str | None = None) -> AppTest:
        at.text_input(key="user_add_name").input(name)
        at.selectbox(key="user_add_role").set_value(role)
        at.text_input(key="user_add_vendor").input(vendor)
        at.text_input(key="user_add_password").input(password)
        at.text_input(key="user_add_again").input(password if again is None else again)
        return ok(at.button(key="user_add").click().run())

    add("华信小李", VENDOR, "", VENDOR_PASSWORD)
    assert [e.value for e in at.error] == ["角色「外包公司」须填写所属外包公司（与工作簿中的公司名称一致）。"]
    add("华信小李", VENDOR, "华信客服", VENDOR_PASSWORD, "huaxin-pass-2025")
    assert [e.value for e in at.error] == ["两次输入的密码不一致，请重新输入。"]
    add("华信小李", VENDOR, "华信客服", VENDOR_PASSWORD)
    assert [s.value for s in at.success] == ["已新增用户「华信小李」（外包公司 · 华信客服）"]
    add("华信小李", FINANCE, "", "another-pass-1")
    assert [e.value for e in at.error] == ["用户「华信小李」已存在"]
    assert at.dataframe[0].value[
        ["用户名", "角色", "所属外包公司", "状态", "最近登录", "创建人"]
    ].values.tolist() == [
        ["华信小李", VENDOR, "华信客服", "启用", "—", "王管理"],
        ["王管理", ADMIN, "", "启用", at.dataframe[0].value["最近登录"][1], "王管理"],
    ]
    at.selectbox(key="user_state_name").set_value("王管理")
    ok(at.button(key="user_disable").click().run())
    assert [e.value for e in at.error] == ["「王管理」是唯一启用中的管理员，不能停用；请先新增另一位管理员"]

    ok(at.sidebar.button(key="sign_out").click().run())
    assert at.title[0].value == "登录"
    assert [i.value for i in at.info] == [SIGNED_OUT]
    assert "auth_scope" not in at.session_state

    sign_in(at, "华信小李", VENDOR_PASSWORD)
    assert nav(at) == ALL_PAGES
    assert at.title[0].value == "总览 · 2024-06"
    assert sidebar_captions(at)[0] == "当前用户：华信小李（外包公司 · 华信客服）"
    assert at.session_state["auth_scope"] == Scope("华信小李", VENDOR, "华信客服")
    who = [(r.who, r.action) for r in audit_rows(db)]
    assert who[-1] == ("华信小李", "sign_in") and ("王管理", "user_add") in who

    assert "_ctx" in at.session_state  # the loaded workbook …
    ok(at.sidebar.button(key="sign_out").click().run())
    assert at.title[0].value == "登录"
    assert "_ctx" not in at.session_state and "vendor" not in at.session_state  # … goes with the user
    engine.dispose()


def test_the_admin_resets_a_password_and_disables_and_enables_a_user(users):
    at = sign_in(start(), "王管理", ADMIN_PASSWORD)
    at.selectbox(key="user_passwd_name").set_value("华信小李")
    at.text_input(key="user_passwd_password").input("new-huaxin-pass")
    at.text_input(key="user_passwd_again").input("new-huaxin-pass")
    ok(at.button(key="user_passwd").click().run())
    assert [s.value for s in at.success] == ["已重设用户「华信小李」的密码（同时解除锁定）"]
    at.selectbox(key="user_state_name").set_value("华信小李")
    ok(at.button(key="user_disable").click().run())
    assert [s.value for s in at.success] == ["已停用用户「华信小李」"]
    assert ["华信小李", VENDOR, "华信客服", "停用"] in at.dataframe[0].value.iloc[:, :4].values.tolist()
    ok(at.button(key="user_disable").click().run())
    assert [e.value for e in at.error] == ["用户「华信小李」已是停用状态"]
    ok(at.button(key="user_enable").click().run())
    assert [s.value for s in at.success] == ["已启用用户「华信小李」"]

    other = sign_in(start(), "华信小李", VENDOR_PASSWORD)
    assert [e.value for e in other.error] == [WRONG]  # the old password no longer works
    sign_in(other, "华信小李", "new-huaxin-pass")
    assert other.title[0].value == "总览 · 2024-06"


# ------------------------------------------------------------------ wrong passwords and the lock
def test_a_wrong_password_is_refused_and_five_lock_the_account(users):
    at = start()
    sign_in(at, "华信小李", "not-the-password")
    assert [e.value for e in at.error] == [WRONG]
    assert at.text_input(key="signin_password").value == ""  # the typed password is not kept
    assert at.text_input(key="signin_name").value == "华信小李"
    sign_in(at, "无此人", VENDOR_PASSWORD)
    assert [e.value for e in at.error] == [WRONG]  # an unknown name reads the same
    for _ in range(3):
        sign_in(at, "华信小李", "not-the-password")
        assert [e.value for e in at.error] == [WRONG]
    sign_in(at, "华信小李", "not-the-password")  # the fifth
    until = datetime.now() + timedelta(minutes=15)
    (message,) = [e.value for e in at.error]
    message = message.replace("\\:", ":")  # shown through md(): the colon escaped, drawn as typed
    shown = re.fullmatch(r"密码连续输错 5 次，账户已锁定至 (\d\d:\d\d)，请稍后再试或联系管理员", message)
    assert shown and shown.group(1) in {f"{until:%H:%M}", f"{until - timedelta(minutes=1):%H:%M}"}
    sign_in(at, "华信小李", VENDOR_PASSWORD)  # the right password is refused while locked
    assert [e.value for e in at.error] == [md(message)]
    assert at.title[0].value == "登录" and "auth_scope" not in at.session_state

    admin = sign_in(start(), "王管理", ADMIN_PASSWORD)  # the 管理员 sees the lock and lifts it
    states = dict(admin.dataframe[0].value[["用户名", "状态"]].values.tolist())
    assert states["华信小李"] == f"锁定至 {datetime.now():%Y-%m-%d} {shown.group(1)}"
    admin.selectbox(key="user_state_name").set_value("华信小李")
    ok(admin.button(key="user_enable").click().run())
    assert [s.value for s in admin.success] == ["已解除用户「华信小李」的锁定"]
    sign_in(at, "华信小李", VENDOR_PASSWORD)
    assert at.title[0].value == "总览 · 2024-06"


# ------------------------------------------------------------------ the session
def test_a_session_idle_for_more_than_a_working_day_is_signed_out(users):
    at = sign_in(start(), "华信小李", VENDOR_PASSWORD)
    assert at.title[0].value == "总览 · 2024-06"
    at.session_state["auth_last_seen"] = datetime.now().astimezone() - timedelta(hours=7, minutes=59)
    ok(at.run())
    assert at.title[0].value == "总览 · 2024-06"  # under 8 hours: still signed in, the clock restarts
    assert at.session_state["auth_last_seen"] > datetime.now().astimezone() - timedelta(minutes=1)
    at.session_state["auth_last_seen"] = datetime.now().astimezone() - timedelta(hours=9)
    ok(at.run())
    assert at.title[0].value == "登录"
    assert [i.value for i in at.info] == [IDLE_NOTICE]
    assert IDLE_NOTICE == "超过 8 小时未操作，已自动退出登录，请重新登录。"
    assert nav(at) == ["登录"]


def test_a_user_disabled_while_signed_in_is_out_at_the_next_click(users):
    at = sign_in(start(), "华信小李", VENDOR_PASSWORD)
    engine = open_store(users)
    disable_user(engine, "华信小李", "王管理")
    engine.dispose()
    ok(at.run())
    assert at.title[0].value == "登录"
    assert [i.value for i in at.info] == [GONE_NOTICE]
    sign_in(at, "华信小李", VENDOR_PASSWORD)
    assert [e.value for e in at.error] == ["该账户已停用，请联系管理员"]


# ------------------------------------------------------------------ each role's pages
def test_finance_sees_exactly_its_five_pages(users):
    at = sign_in(start(), "财务老陈", "finance-pass-2024")
    assert nav(at) == ["总览", "评分卡", "趋势", "结算", "月度流程"]
    assert sidebar_captions(at)[0] == "当前用户：财务老陈（财务）"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/agents.py")
    # the address of a page 财务 does not have (a bookmark of /agents) says so in Chinese
    hidden = {i["url_pathname"] for i in at._registered_pages.values() if i["page_name"] == "无权查看"}
    assert hidden == {"agents", "simulate", "checks", "users"}
    ok(at.switch_page("app_pages/forbidden.py").run())
    assert at.title[0].value == "无权查看"
    assert [i.value for i in at.info] == ["此页面不在您的角色（财务）可用的页面中，请从左侧导航选择页面。"]


def test_each_role_is_offered_its_pages(db):
    for scope, pages in [
        (Scope("张经理", MANAGER), ALL_PAGES),
        (Scope("华信小李", VENDOR, "华信客服"), ALL_PAGES),
        (Scope("财务老陈", FINANCE), ["总览", "评分卡", "趋势", "结算", "月度流程"]),
        (Scope("王管理", ADMIN), ["用户管理"]),
    ]:
        at = signed_in(AppTest.from_file(APP, default_timeout=120), scope)
        assert nav(at) == pages, scope
        assert bool(at.sidebar.get("file_uploader")) == scope.sees_data


def test_the_cycle_page_acts_as_the_signed_in_user_and_offers_actions_only_to_contract_managers(db):
    at = signed_in(AppTest.from_file(APP, default_timeout=120), Scope("财务老陈", FINANCE))
    ok(at.switch_page("app_pages/cycle.py").run())
    (operator,) = at.text_input
    assert (operator.label, operator.value, operator.disabled) == ("操作人", "财务老陈", True)
    assert not [b for b in at.button if b.key == "import_sample"]
    at = signed_in(AppTest.from_file(APP, default_timeout=120), Scope("张经理", MANAGER))
    ok(at.switch_page("app_pages/cycle.py").run())
    assert at.text_input[0].value == "张经理" and at.text_input[0].disabled
    assert at.button(key="import_sample").label == "一键导入示例数据（6 个月，草稿）"


# ------------------------------------------------------------------ the identity provider (st.login)
OIDC = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-test-cookie-secret-of-enough-length",
        "client_id": "kpi",
        "client_secret": "secret",
        "server_metadata_url": "https://idp.example.invalid/.well-known/openid-configuration",
    }
}


def test_the_provider_sign_in_button_shows_only_when_auth_is_configured(users):
    at = start()
    assert not [b for b in at.button if b.key == "oidc_login"]
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets = OIDC
    at.user = {"is_logged_in": False}
    ok(at.run())
    assert at.button(key="oidc_login").label == "使用单位统一身份登录"
    # AppTest's secrets do not reach the check st.login makes (streamlit.auth_util reads the real
    # secrets), which is the case of an [auth] section Streamlit finds incomplete: said in Chinese
    ok(at.button(key="oidc_login").click().run())
    assert [e.value for e in at.error] == [OIDC_BROKEN]
    assert at.title[0].value == "登录" and at.button(key="signin_submit")


def test_the_providers_email_maps_to_a_user_and_an_unknown_one_is_refused(users):
    engine = open_store(users)
    add_user(engine, "Li.Chen@Example.com", FINANCE, "finance-pass-2025", by="王管理")
    engine.dispose()
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "li.chen@example.com"}
    ok(at.run())
    assert nav(at) == ["总览", "评分卡", "趋势", "结算", "月度流程"]
    assert sidebar_captions(at)[0] == md("当前用户：Li.Chen@Example.com（财务）")
    assert audit_rows(users)[-1].subject == "登录：「Li.Chen@Example.com」（财务，身份提供方）"

    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    ok(at.run())
    assert at.title[0].value == "登录"
    assert [e.value for e in at.error] == [
        md("「stranger@example.com」不是本系统启用中的用户，请联系管理员开通")
    ]
    assert at.button(key="oidc_logout").label == "退出统一身份账户"
    ok(at.run())
    assert [r.action for r in audit_rows(users)].count("sign_in_failed") == 1  # once, not once per rerun
