"""The users kept in the history database: adding them (the first 管理员 only into an empty table),
new passwords, disabling and enabling; each change one audit row naming who did it. Passwords are
checked (`password_problem`) and hashed (argon2) before the write lock is taken; only the hash is kept.

Import these through `kpi.access.users`, the one public face of users and sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from kpi.access.passwords import hash_password, password_problem
from kpi.access.roles import ADMIN, check_role
from kpi.access.scope import Scope
from kpi.history import audit
from kpi.history.store import reading, writing
from kpi.history.tables import users
from kpi.history.versions import now, stamp

MAX_FAILURES = 5  # consecutive wrong passwords that lock an account …
LOCK = timedelta(minutes=15)  # … for this long
IDLE = timedelta(hours=8)  # a signed-in session ends after a working day without use
MAX_NAME = 100  # the audit trail's `who` column


class AccessError(Exception):
    """Something the user can act on (a name taken, a weak password…); the message is Chinese."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    vendor: str | None
    disabled: bool

    def scope(self) -> Scope:
        return Scope(self.name, self.role, self.vendor)


def user_of(row: Row) -> User:
    return User(row.name, row.role, row.vendor, bool(row.disabled))


@dataclass(frozen=True)
class UserInfo:
    """A user as the 管理员 sees them: when made and by whom, the last sign-in, a lock in force."""

    user: User
    created_at: str
    created_by: str
    last_sign_in: str | None
    failed_count: int
    locked_until: str | None  # only while the lock is in force at the time asked

    @property
    def state(self) -> str:
        if self.user.disabled:
            return "停用"
        if self.locked_until:
            return f"锁定至 {datetime.fromisoformat(self.locked_until):%Y-%m-%d %H:%M}"
        return "启用"


def user_infos(engine: Engine, at: datetime | None = None) -> list[UserInfo]:
    """Every user by name, with their state at `at` (now when not given)."""
    when = at or now()
    with reading(engine) as conn:
        rows = list(conn.execute(sa.select(users).order_by(users.c.name)))
    return [
        UserInfo(user_of(r), r.created_at, r.created_by, r.last_sign_in, r.failed_count,
                 r.locked_until if r.locked_until and when < datetime.fromisoformat(r.locked_until) else None)
        for r in rows
    ]  # fmt: skip


def has_users(engine: Engine) -> bool:
    with reading(engine) as conn:
        return conn.execute(sa.select(users.c.id).limit(1)).first() is not None


def list_users(engine: Engine) -> list[User]:
    with reading(engine) as conn:
        return [user_of(r) for r in conn.execute(sa.select(users).order_by(users.c.name))]


def get_user(engine: Engine, name: str) -> User | None:
    with reading(engine) as conn:
        row = conn.execute(sa.select(users).where(users.c.name == name)).first()
    return user_of(row) if row else None


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise AccessError("用户名不能为空")
    if len(name) > MAX_NAME:
        raise AccessError(f"用户名太长：最多 {MAX_NAME} 个字符")
    return name


def _checked_password(password: str) -> str:
    why = password_problem(password)
    if why:
        raise AccessError(why)
    return hash_password(password)


def _insert(conn: Connection, name: str, role: str, vendor: str | None, hashed: str, by: str) -> User:
    if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
        raise AccessError(f"用户「{name}」已存在")
    at = stamp(now())
    conn.execute(
        users.insert().values(
            name=name, role=role, vendor=vendor, password_hash=hashed, disabled=False, failed_count=0,
            created_at=at, created_by=by,
        )
    )  # fmt: skip
    shown = f"{role}，{vendor}" if vendor else role
    audit.append(conn, at, by, "user_add", None, f"新增用户「{name}」（{shown}）", {},
                 {"name": name, "role": role, "vendor": vendor})  # fmt: skip
    return User(name, role, vendor, False)


def add_user(
    engine: Engine, name: str, role: str, password: str, vendor: str | None = None, by: str = ""
) -> User:
    """A new user; AccessError (Chinese) for an unknown role, a role/vendor mismatch, a weak password
    or a name already taken."""
    name = _checked_name(name)
    vendor = vendor.strip() if vendor and vendor.strip() else None
    why = check_role(role, vendor)
    if why:
        raise AccessError(why)
    hashed = _checked_password(password)
    with writing(engine) as conn:
        return _insert(conn, name, role, vendor, hashed, by)


def create_first_admin(engine: Engine, name: str, password: str) -> User:
    """The first 管理员, made by the person at the first start; refused once any user exists (checked
    inside the write lock, so of two people racing on an empty database only one gets it)."""
    name = _checked_name(name)
    hashed = _checked_password(password)
    with writing(engine) as conn:
        if conn.execute(sa.select(users.c.id).limit(1)).first():
            raise AccessError("已有用户，不能再创建首位管理员；请用已有的管理员账户登录")
        return _insert(conn, name, ADMIN, None, hashed, name)


def _row(conn: Connection, name: str) -> Row:
    row = conn.execute(sa.select(users).where(users.c.name == name)).first()
    if row is None:
        raise AccessError(f"用户「{name}」不存在")
    return row


def _change(conn: Connection, name: str, by: str, action: str, subject: str, **values: object) -> None:
    at = stamp(now())
    conn.execute(users.update().where(users.c.name == name).values(changed_at=at, changed_by=by, **values))
    after = {k: v for k, v in values.items() if k != "password_hash"}  # the hash stays out of the trail
    audit.append(conn, at, by, action, None, subject, {}, {"name": name, **after})


def set_password(engine: Engine, name: str, password: str, by: str) -> None:
    """A new password (also lifts a lock and forgets the failed attempts)."""
    hashed = _checked_password(password)
    with writing(engine) as conn:
        _row(conn, name)
        _change(conn, name, by, "user_passwd", f"重设用户「{name}」的密码",
                password_hash=hashed, failed_count=0, locked_until=None)  # fmt: skip


def disable_user(engine: Engine, name: str, by: str) -> None:
    """The user can no longer sign in (their rows in the audit trail stay); the last enabled 管理员
    cannot be disabled, so someone can always manage users."""
    with writing(engine) as conn:
        row = _row(conn, name)
        if row.disabled:
            raise AccessError(f"用户「{name}」已是停用状态")
        if row.role == ADMIN:
            admins = conn.execute(
                sa.select(sa.func.count()).where(users.c.role == ADMIN, users.c.disabled == sa.false())
            ).scalar_one()
            if admins <= 1:
                raise AccessError(f"「{name}」是唯一启用中的管理员，不能停用；请先新增另一位管理员")
        _change(conn, name, by, "user_disable", f"停用用户「{name}」", disabled=True)


def enable_user(engine: Engine, name: str, by: str) -> None:
    """A disabled user may sign in again; on an enabled user it lifts a lock from wrong passwords."""
    with writing(engine) as conn:
        row = _row(conn, name)
        if not row.disabled and not row.locked_until and not row.failed_count:
            raise AccessError(f"用户「{name}」已是启用状态，也未被锁定")
        subject = f"启用用户「{name}」" if row.disabled else f"解除用户「{name}」的锁定"
        _change(conn, name, by, "user_enable", subject, disabled=False, failed_count=0, locked_until=None)
