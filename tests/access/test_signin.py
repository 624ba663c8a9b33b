"""Signing in, on SQLite and PostgreSQL, with the attempt's time given: the same message for an
unknown name and a wrong password, the lock at exactly the fifth consecutive failure, still locked
14:59 later (even for the right password), open at 15:00; a success, a new password or enabling
resets the count; disabled users refused; every attempt in the audit trail, the chain whole; the
identity provider's e-mail mapped to a user; exports audited; the idle limit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from kpi.access.roles import MANAGER, VENDOR
from kpi.access.users import (
    IDLE,
    LOCK,
    MAX_FAILURES,
    SignIn,
    User,
    add_user,
    create_first_admin,
    disable_user,
    enable_user,
    identity_user,
    idle_expired,
    record_export,
    set_password,
    sign_in,
    sign_in_identity,
)
from kpi.history import audit
from kpi.history.store import open_store, reading
from kpi.history.tables import users

BEIJING = timezone(timedelta(hours=8))
T0 = datetime(2024, 7, 1, 9, 30, 0, tzinfo=BEIJING)
RIGHT, WRONG_PW = "Vendor-pass-1", "not-the-password"
HX = User("华信对接人", VENDOR, "华信客服", False)
WRONG = "用户名或密码不正确"
LOCKED = "密码连续输错 5 次，账户已锁定至 09:45，请稍后再试或联系管理员"


@pytest.fixture
def engine(db_url: str):
    engine = open_store(db_url)
    create_first_admin(engine, "王管理", "Admin-pass-1")
    add_user(engine, HX.name, VENDOR, RIGHT, vendor="华信客服", by="王管理")
    yield engine
    engine.dispose()


def attempt(engine, password: str, at: datetime, name: str = HX.name) -> SignIn:
    return sign_in(engine, name, password, now=at)


def counts(engine, name: str = HX.name) -> tuple[int, str | None]:
    with reading(engine) as conn:
        row = conn.execute(sa.select(users).where(users.c.name == name)).one()
    return row.failed_count, row.locked_until


def trail(engine, skip: int = 2) -> list[tuple[str, str, str]]:
    with reading(engine) as conn:
        assert audit.verify(conn).ok
        return [(r.at, r.who, r.action, r.subject) for r in audit.rows(conn)][skip:]


def test_the_constants():
    assert (MAX_FAILURES, LOCK, IDLE) == (5, timedelta(minutes=15), timedelta(hours=8))


def test_the_right_password_signs_in(engine):
    assert attempt(engine, RIGHT, T0) == SignIn(True, HX, "已登录：华信对接人（外包公司）")
    assert sign_in(engine, " 华信对接人 ", RIGHT, now=T0) == SignIn(
        True, HX, "已登录：华信对接人（外包公司）"
    )
    assert (
        trail(engine)
        == [("2024-07-01T09:30:00+08:00", "华信对接人", "sign_in", "登录：「华信对接人」（外包公司）")] * 2
    )


def test_unknown_name_and_wrong_password_read_the_same(engine):
    assert attempt(engine, RIGHT, T0, name="无此人") == SignIn(False, None, WRONG)
    assert attempt(engine, WRONG_PW, T0) == SignIn(False, None, WRONG)
    assert trail(engine) == [
        ("2024-07-01T09:30:00+08:00", "无此人", "sign_in_failed", "登录失败：「无此人」（用户名不存在）"),
        ("2024-07-01T09:30:00+08:00", "华信对接人", "sign_in_failed", "登录失败：「华信对接人」（密码不正确，连续第 1 次）"),
    ]  # fmt: skip


def test_the_fifth_failure_locks_for_fifteen_minutes(engine):
    for n in range(1, MAX_FAILURES):
        assert attempt(engine, WRONG_PW, T0) == SignIn(False, None, WRONG)
        assert counts(engine) == (n, None)
    assert attempt(engine, WRONG_PW, T0) == SignIn(False, None, LOCKED)  # exactly the fifth
    assert counts(engine) == (5, "2024-07-01T09:45:00+08:00")
    still = T0 + timedelta(minutes=14, seconds=59)
    assert attempt(engine, RIGHT, still) == SignIn(False, None, LOCKED)  # the right password refused too
    assert attempt(engine, WRONG_PW, still) == SignIn(False, None, LOCKED)
    assert counts(engine) == (5, "2024-07-01T09:45:00+08:00")  # attempts while locked do not extend it
    assert attempt(engine, RIGHT, T0 + LOCK) == SignIn(True, HX, "已登录：华信对接人（外包公司）")
    assert counts(engine) == (0, None)
    actions = [(who, action, subject) for _, who, action, subject in trail(engine)]
    assert actions == [
        *[("华信对接人", "sign_in_failed", f"登录失败：「华信对接人」（密码不正确，连续第 {n} 次）") for n in range(1, 6)],
        ("华信对接人", "locked", "锁定用户「华信对接人」至 2024-07-01T09:45:00+08:00"),
        ("华信对接人", "sign_in_failed", "登录失败：「华信对接人」（账户锁定中）"),
        ("华信对接人", "sign_in_failed", "登录失败：「华信对接人」（账户锁定中）"),
        ("华信对接人", "sign_in", "登录：「华信对接人」（外包公司）"),
    ]  # fmt: skip


def test_a_lock_that_ran_out_counts_afresh(engine):
    for _ in range(MAX_FAILURES):
        attempt(engine, WRONG_PW, T0)
    later = T0 + LOCK
    for n in range(1, MAX_FAILURES):
        assert attempt(engine, WRONG_PW, later) == SignIn(False, None, WRONG)
        assert counts(engine) == (n, None)
    assert attempt(engine, WRONG_PW, later) == SignIn(
        False, None, "密码连续输错 5 次，账户已锁定至 10:00，请稍后再试或联系管理员"
    )


def test_a_success_resets_the_count(engine):
    for _ in range(MAX_FAILURES - 1):
        attempt(engine, WRONG_PW, T0)
    assert attempt(engine, RIGHT, T0).ok
    assert counts(engine) == (0, None)
    for _ in range(1, MAX_FAILURES):
        assert attempt(engine, WRONG_PW, T0) == SignIn(False, None, WRONG)
    assert counts(engine) == (4, None)


@pytest.mark.parametrize("unlock", [set_password, enable_user])
def test_the_administrator_lifts_a_lock(engine, unlock):
    for _ in range(MAX_FAILURES):
        attempt(engine, WRONG_PW, T0)
    if unlock is set_password:
        set_password(engine, HX.name, "New-vendor-pass", "王管理")
        password = "New-vendor-pass"
    else:
        enable_user(engine, HX.name, "王管理")
        password = RIGHT
    assert counts(engine) == (0, None)
    assert attempt(engine, password, T0 + timedelta(minutes=1)).ok
    action = "user_passwd" if unlock is set_password else "user_enable"
    subject = "重设用户「华信对接人」的密码" if unlock is set_password else "解除用户「华信对接人」的锁定"
    assert trail(engine)[-2][1:] == ("王管理", action, subject)


def test_a_disabled_user_is_refused(engine):
    disable_user(engine, HX.name, "王管理")
    assert attempt(engine, RIGHT, T0) == SignIn(False, None, "该账户已停用，请联系管理员")
    assert attempt(engine, WRONG_PW, T0) == SignIn(False, None, WRONG)  # no hint for a wrong password
    assert [a[3] for a in trail(engine, 3)] == [
        "登录失败：「华信对接人」（账户已停用）",
        "登录失败：「华信对接人」（密码不正确，连续第 1 次）",
    ]


def test_a_sign_in_without_a_time_uses_the_local_time(engine):
    before = datetime.now().astimezone().replace(microsecond=0)
    assert attempt(engine, RIGHT, None).ok
    at = datetime.fromisoformat(trail(engine)[-1][0])
    assert at.utcoffset() == before.utcoffset() and before <= at <= before + timedelta(minutes=1)


def test_the_identity_providers_email_is_the_user_name(engine):
    add_user(engine, "Zhang.San@Example.com", MANAGER, "Manager-pass-1", by="王管理")
    zhang = User("Zhang.San@Example.com", MANAGER, None, False)
    assert identity_user(engine, "zhang.san@example.com ") == zhang
    assert identity_user(engine, "Zhang.San@Example.com") == zhang
    assert identity_user(engine, "li.si@example.com") is None
    assert identity_user(engine, "") is None
    assert sign_in_identity(engine, "zhang.san@example.com", now=T0) == SignIn(
        True, zhang, "已登录：Zhang.San@Example.com（合同管理）"
    )
    disable_user(engine, "Zhang.San@Example.com", "王管理")
    assert identity_user(engine, "zhang.san@example.com") is None
    refused = "「zhang.san@example.com」不是本系统启用中的用户，请联系管理员开通"
    assert sign_in_identity(engine, "zhang.san@example.com", now=T0) == SignIn(False, None, refused)
    assert [(a[1], a[2], a[3]) for a in trail(engine, 3)] == [
        ("Zhang.San@Example.com", "sign_in", "登录：「Zhang.San@Example.com」（合同管理，身份提供方）"),
        ("王管理", "user_disable", "停用用户「Zhang.San@Example.com」"),
        ("zhang.san@example.com", "sign_in_failed", "登录失败：「zhang.san@example.com」（身份提供方登录，账户已停用）"),
    ]  # fmt: skip


def test_an_export_is_one_audit_row(engine):
    record_export(engine, HX.name, "下载 2024-06 结算单（华信客服）.xlsx", "2024-06")
    record_export(engine, "李会计", "下载全部月份汇总.csv")
    with reading(engine) as conn:
        rows = audit.rows(conn)[2:]
    assert [(r.who, r.action, r.month, r.subject) for r in rows] == [
        ("华信对接人", "export", "2024-06", "下载 2024-06 结算单（华信客服）.xlsx"),
        ("李会计", "export", None, "下载全部月份汇总.csv"),
    ]


def test_idle_expired_after_a_working_day():
    assert not idle_expired(T0, T0 + timedelta(hours=8))
    assert idle_expired(T0, T0 + timedelta(hours=8, seconds=1))
    assert not idle_expired(T0, T0)


def test_a_very_long_name_is_cut_in_the_audit_trail(engine):
    assert attempt(engine, WRONG_PW, T0, name="长" * 5000) == SignIn(False, None, WRONG)
    with reading(engine) as conn:
        last = audit.rows(conn)[-1]
    assert (last.who, last.subject) == ("长" * 100, f"登录失败：「{'长' * 100}」（用户名不存在）")
