"""The users in the history database, on SQLite and PostgreSQL: adding (every refusal in Chinese),
the first 管理员 only into an empty table (also when several race for it), new passwords, disabling
and enabling, each change one audit row with who did it, the chain still whole; an older database
gets the users table when opened."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from kpi.access.passwords import verify_password
from kpi.access.roles import ADMIN, FINANCE, MANAGER, VENDOR
from kpi.access.scope import Scope
from kpi.access.users import (
    AccessError,
    User,
    UserInfo,
    add_user,
    create_first_admin,
    disable_user,
    enable_user,
    get_user,
    has_users,
    list_users,
    set_password,
    sign_in,
    user_infos,
)
from kpi.history import audit
from kpi.history.store import create, migrate, open_store, reading, schema_revision, writing
from kpi.history.tables import users
from tests.history_db import audit_rows

PASSWORD = "Kpi-2024-secret"


@pytest.fixture
def engine(db_url: str):
    engine = open_store(db_url)
    yield engine
    engine.dispose()


def stored(engine, name: str):
    with reading(engine) as conn:
        return conn.execute(sa.select(users).where(users.c.name == name)).one()


def trail(engine) -> list[tuple[str, str, str]]:
    with reading(engine) as conn:
        assert audit.verify(conn).ok
        return [(r.who, r.action, r.subject) for r in audit.rows(conn)]


def test_adding_users_and_reading_them_back(engine):
    assert not has_users(engine) and list_users(engine) == []
    admin = create_first_admin(engine, " 王管理 ", PASSWORD)
    assert admin == User("王管理", ADMIN, None, False)
    assert add_user(engine, "张经理", MANAGER, PASSWORD, by="王管理") == User("张经理", MANAGER, None, False)
    assert add_user(engine, "李会计", FINANCE, PASSWORD, by="王管理") == User("李会计", FINANCE, None, False)
    hx = add_user(engine, "华信对接人", VENDOR, PASSWORD, vendor="华信客服", by="王管理")
    assert hx == User("华信对接人", VENDOR, "华信客服", False)
    assert hx.scope() == Scope("华信对接人", VENDOR, "华信客服")
    assert has_users(engine)
    assert [u.name for u in list_users(engine)] == sorted(["王管理", "张经理", "李会计", "华信对接人"])
    assert get_user(engine, "张经理") == User("张经理", MANAGER, None, False)
    assert get_user(engine, "无此人") is None
    row = stored(engine, "华信对接人")
    assert row.password_hash.startswith("$argon2id$") and verify_password(row.password_hash, PASSWORD)
    assert (row.failed_count, row.locked_until, row.disabled, row.created_by) == (0, None, False, "王管理")
    assert trail(engine) == [
        ("王管理", "user_add", "新增用户「王管理」（管理员）"),
        ("王管理", "user_add", "新增用户「张经理」（合同管理）"),
        ("王管理", "user_add", "新增用户「李会计」（财务）"),
        ("王管理", "user_add", "新增用户「华信对接人」（外包公司，华信客服）"),
    ]


@pytest.mark.parametrize(
    ("name", "role", "password", "vendor", "message"),
    [
        ("张经理", MANAGER, PASSWORD, None, "用户「张经理」已存在"),
        ("新人", "经理", PASSWORD, None, "角色「经理」不存在；可选：管理员、合同管理、财务、外包公司"),
        ("新人", VENDOR, PASSWORD, None, "角色「外包公司」须指定所属外包公司（--vendor）"),
        ("新人", VENDOR, PASSWORD, "  ", "角色「外包公司」须指定所属外包公司（--vendor）"),
        (
            "新人",
            FINANCE,
            PASSWORD,
            "华信客服",
            "只有「外包公司」角色绑定外包公司；「财务」不能指定 --vendor",
        ),
        ("新人", MANAGER, "short", None, "密码太短：至少 8 个字符"),
        ("  ", MANAGER, PASSWORD, None, "用户名不能为空"),
        ("长" * 101, MANAGER, PASSWORD, None, "用户名太长：最多 100 个字符"),
    ],
)
def test_add_user_refusals(engine, name, role, password, vendor, message):
    add_user(engine, "张经理", MANAGER, PASSWORD, by="王管理")
    with pytest.raises(AccessError) as refused:
        add_user(engine, name, role, password, vendor=vendor, by="王管理")
    assert str(refused.value) == message
    assert [u.name for u in list_users(engine)] == ["张经理"]
    assert len(trail(engine)) == 1


def test_the_first_admin_only_into_an_empty_table(engine):
    add_user(engine, "张经理", MANAGER, PASSWORD, by="运维")
    with pytest.raises(AccessError) as refused:
        create_first_admin(engine, "王管理", PASSWORD)
    assert str(refused.value) == "已有用户，不能再创建首位管理员；请用已有的管理员账户登录"
    assert get_user(engine, "王管理") is None


def test_the_first_admin_race_has_one_winner(db_url: str):
    """Four people open the first-start page at once: one 管理员 is made, the others are told."""
    open_store(db_url).dispose()
    barrier = threading.Barrier(4)
    results: dict[str, object] = {}

    def attempt(name: str) -> None:
        engine = create(db_url)
        barrier.wait()
        try:
            results[name] = create_first_admin(engine, name, PASSWORD)
        except AccessError as exc:
            results[name] = str(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=attempt, args=(f"管理员{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    winners = [v for v in results.values() if isinstance(v, User)]
    assert len(results) == 4 and len(winners) == 1
    assert (
        sorted(v for v in results.values() if isinstance(v, str))
        == ["已有用户，不能再创建首位管理员；请用已有的管理员账户登录"] * 3
    )
    engine = open_store(db_url)
    assert list_users(engine) == winners
    assert [(r.who, r.action) for r in audit_rows(db_url)] == [(winners[0].name, "user_add")]
    engine.dispose()


def test_new_password_disable_and_enable(engine):
    create_first_admin(engine, "王管理", PASSWORD)
    add_user(engine, "张经理", MANAGER, PASSWORD, by="王管理")
    old = stored(engine, "张经理").password_hash
    set_password(engine, "张经理", "Another-pass-9", "王管理")
    new = stored(engine, "张经理")
    assert new.password_hash != old and verify_password(new.password_hash, "Another-pass-9")
    assert not verify_password(new.password_hash, PASSWORD)
    assert new.changed_by == "王管理"
    disable_user(engine, "张经理", "王管理")
    assert get_user(engine, "张经理") == User("张经理", MANAGER, None, True)
    enable_user(engine, "张经理", "王管理")
    assert get_user(engine, "张经理") == User("张经理", MANAGER, None, False)
    assert trail(engine)[2:] == [
        ("王管理", "user_passwd", "重设用户「张经理」的密码"),
        ("王管理", "user_disable", "停用用户「张经理」"),
        ("王管理", "user_enable", "启用用户「张经理」"),
    ]
    with reading(engine) as conn:
        rows = audit.rows(conn)
    assert rows[2].after == {
        "name": "张经理",
        "failed_count": 0,
        "locked_until": None,
    }  # no hash in the trail
    assert rows[3].after == {"name": "张经理", "disabled": True}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: set_password(e, "无此人", PASSWORD, "王管理"), "用户「无此人」不存在"),
        (lambda e: set_password(e, "张经理", "1234", "王管理"), "密码太短：至少 8 个字符"),
        (lambda e: disable_user(e, "无此人", "王管理"), "用户「无此人」不存在"),
        (lambda e: enable_user(e, "张经理", "王管理"), "用户「张经理」已是启用状态，也未被锁定"),
        (lambda e: disable_user(e, "王管理", "王管理"), "「王管理」是唯一启用中的管理员，不能停用；请先新增另一位管理员"),
    ],
)  # fmt: skip
def test_change_refusals(engine, change, message):
    create_first_admin(engine, "王管理", PASSWORD)
    add_user(engine, "张经理", MANAGER, PASSWORD, by="王管理")
    with pytest.raises(AccessError) as refused:
        change(engine)
    assert str(refused.value) == message
    assert len(trail(engine)) == 2


def test_disabling_twice_and_a_second_admin(engine):
    create_first_admin(engine, "王管理", PASSWORD)
    add_user(engine, "赵管理", ADMIN, PASSWORD, by="王管理")
    disable_user(engine, "王管理", "赵管理")  # another 管理员 is still enabled
    with pytest.raises(AccessError, match="^用户「王管理」已是停用状态$"):
        disable_user(engine, "王管理", "赵管理")
    with pytest.raises(AccessError, match="^「赵管理」是唯一启用中的管理员"):
        disable_user(engine, "赵管理", "赵管理")


def test_an_older_database_gets_the_users_table(db_url: str):
    """A history at schema 0002 with a month in it: opening it adds the users table, nothing else changes."""
    engine = create(db_url)
    with writing(engine) as conn:
        migrate(conn, "0002")
        audit.append(conn, "2024-06-01T09:00:00+08:00", "张经理", "export", "2024-05", "旧的审计行")
    engine.dispose()
    engine = open_store(db_url)
    with reading(engine) as conn:
        assert schema_revision(conn) == "0003"
        assert "users" in sa.inspect(conn).get_table_names()
    assert not has_users(engine)
    create_first_admin(engine, "王管理", PASSWORD)
    assert trail(engine) == [
        ("张经理", "export", "旧的审计行"),
        ("王管理", "user_add", "新增用户「王管理」（管理员）"),
    ]
    engine.dispose()


def test_user_infos_show_a_lock_only_while_it_holds(engine):
    t0 = datetime(2024, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    create_first_admin(engine, "王管理", PASSWORD)
    add_user(engine, "张经理", MANAGER, PASSWORD, by="王管理")
    disable_user(engine, "张经理", "王管理")
    assert sign_in(engine, "王管理", PASSWORD, t0).ok
    for _ in range(5):
        sign_in(engine, "王管理", "wrong-password", t0 + timedelta(minutes=1))
    infos = {i.user.name: i for i in user_infos(engine, t0 + timedelta(minutes=15))}
    admin = infos["王管理"]
    assert (admin.last_sign_in, admin.failed_count, admin.locked_until, admin.created_by) == (
        "2024-07-01T09:30:00+08:00", 5, "2024-07-01T09:46:00+08:00", "王管理",
    )  # fmt: skip
    assert (admin.state, infos["张经理"].state) == ("锁定至 2024-07-01 09:46", "停用")
    later = {i.user.name: i for i in user_infos(engine, t0 + timedelta(minutes=16))}
    assert isinstance(later["王管理"], UserInfo)
    assert (later["王管理"].locked_until, later["王管理"].state) == (None, "启用")
