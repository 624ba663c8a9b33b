"""Signing in: a name and password checked against the users table, five consecutive wrong passwords
locking the account for 15 minutes, an identity provider's e-mail mapped to a user (Streamlit's
`st.login`), sessions ending after a working day idle, and the audit rows of sign-ins and exports.

Every attempt is written in the one write lock (its counter, its audit row), so two attempts at the
same moment count as two. An unknown name and a wrong password get the same message, and an unknown
name still costs one argon2 check, so neither the text nor the time tells whether a name exists.

Import these through `kpi.access.users`."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from kpi.access.accounts import IDLE, LOCK, MAX_FAILURES, MAX_NAME, User, user_of
from kpi.access.passwords import hash_password, needs_rehash, verify_password
from kpi.history import audit
from kpi.history.store import reading, writing
from kpi.history.tables import users
from kpi.history.versions import now as local_now
from kpi.history.versions import stamp

WRONG = "用户名或密码不正确"
DISABLED = "该账户已停用，请联系管理员"


@dataclass(frozen=True)
class SignIn:
    ok: bool
    user: User | None
    message: str


def locked_message(until: datetime) -> str:
    return f"密码连续输错 {MAX_FAILURES} 次，账户已锁定至 {until:%H:%M}，请稍后再试或联系管理员"


@functools.cache
def _decoy() -> str:
    """A hash no password is checked against but the ones typed with unknown names."""
    return hash_password("kpi: no such user")


def _aware(when: datetime | None) -> datetime:
    when = when or local_now()
    return when if when.tzinfo else when.astimezone()


def _refuse(conn: Connection, at: str, typed: str, reason: str, message: str) -> SignIn:
    """A refused attempt's audit row, naming the user name as typed (cut to the longest name kept)."""
    name = typed[:MAX_NAME]
    audit.append(conn, at, name, "sign_in_failed", None, f"登录失败：「{name}」（{reason}）",
                 {}, {"name": name, "reason": reason})  # fmt: skip
    return SignIn(False, None, message)


def _wrong_password(conn: Connection, row: Row, when: datetime, failures: int) -> SignIn:
    at = stamp(when)
    failures += 1
    if failures < MAX_FAILURES:
        conn.execute(
            users.update().where(users.c.id == row.id).values(failed_count=failures, locked_until=None)
        )
        return _refuse(conn, at, row.name, f"密码不正确，连续第 {failures} 次", WRONG)
    until = datetime.fromisoformat(stamp(when + LOCK))
    conn.execute(
        users.update().where(users.c.id == row.id).values(failed_count=failures, locked_until=stamp(until))
    )
    refused = _refuse(conn, at, row.name, f"密码不正确，连续第 {failures} 次", locked_message(until))
    audit.append(conn, at, row.name, "locked", None, f"锁定用户「{row.name}」至 {stamp(until)}",
                 {}, {"name": row.name, "locked_until": stamp(until)})  # fmt: skip
    return refused


def sign_in(engine: Engine, name: str, password: str, now: datetime | None = None) -> SignIn:
    """Check a name and password (`now`: the attempt's time, the local time when not given)."""
    when = _aware(now)
    at = stamp(when)
    typed = name.strip()
    with writing(engine) as conn:
        row = conn.execute(sa.select(users).where(users.c.name == typed)).first()
        if row is None:
            verify_password(_decoy(), password)
            return _refuse(conn, at, typed, "用户名不存在", WRONG)
        locked = datetime.fromisoformat(row.locked_until) if row.locked_until else None
        if locked is not None and when < locked:
            return _refuse(conn, at, row.name, "账户锁定中", locked_message(locked))
        failures = 0 if locked is not None else row.failed_count  # a lock that ran out starts afresh
        if not verify_password(row.password_hash, password):
            return _wrong_password(conn, row, when, failures)
        if row.disabled:
            return _refuse(conn, at, row.name, "账户已停用", DISABLED)
        values: dict[str, object] = {"failed_count": 0, "locked_until": None, "last_sign_in": at}
        if needs_rehash(row.password_hash):
            values["password_hash"] = hash_password(password)
        conn.execute(users.update().where(users.c.id == row.id).values(**values))
        audit.append(conn, at, row.name, "sign_in", None, f"登录：「{row.name}」（{row.role}）",
                     {}, {"name": row.name, "via": "password"})  # fmt: skip
        user = user_of(row)
    return SignIn(True, user, f"已登录：{user.name}（{user.role}）")


def _by_email(conn: Connection, email: str) -> Row | None:
    """The user named by an e-mail, compared without case (providers differ in how they spell it);
    None when there is none, or more than one differing only in case."""
    wanted = email.strip().lower()
    if not wanted:
        return None
    rows = list(conn.execute(sa.select(users).where(sa.func.lower(users.c.name) == wanted)))
    exact = [r for r in rows if r.name == email.strip()]
    return exact[0] if exact else (rows[0] if len(rows) == 1 else None)


def identity_user(engine: Engine, email: str) -> User | None:
    """The enabled user for an identity provider's sign-in (Streamlit's `st.login`, OIDC): the user
    whose name is the provider's e-mail (`st.user.email`), so an office adds its people with
    `kpi user add 张三@example.com --role …` and gives them the role there. A disabled or unknown
    e-mail gets None (no access); the password and its lock do not apply to this way in."""
    with reading(engine) as conn:
        row = _by_email(conn, email)
    return user_of(row) if row is not None and not row.disabled else None


def sign_in_identity(engine: Engine, email: str, now: datetime | None = None) -> SignIn:
    """`identity_user` with its audit row: "sign_in" (via the identity provider) or "sign_in_failed"."""
    at = stamp(_aware(now))
    with writing(engine) as conn:
        row = _by_email(conn, email)
        if row is None or row.disabled:
            reason = "不是本系统的用户" if row is None else "账户已停用"
            return _refuse(conn, at, email.strip(), f"身份提供方登录，{reason}",
                           f"「{email.strip()}」不是本系统启用中的用户，请联系管理员开通")  # fmt: skip
        conn.execute(users.update().where(users.c.id == row.id).values(last_sign_in=at))
        audit.append(conn, at, row.name, "sign_in", None, f"登录：「{row.name}」（{row.role}，身份提供方）",
                     {}, {"name": row.name, "via": "oidc"})  # fmt: skip
        user = user_of(row)
    return SignIn(True, user, f"已登录：{user.name}（{user.role}）")


def record_export(engine: Engine, who: str, what: str, month: str | None = None) -> None:
    """One audit row for a download or export (`what`: the file, e.g. "2024-06 结算单.xlsx")."""
    with writing(engine) as conn:
        audit.append(conn, stamp(local_now()), who, "export", month, what)


def idle_expired(last_seen: datetime, now: datetime) -> bool:
    """Whether a session last used at `last_seen` has ended by `now` (idle longer than IDLE)."""
    return now - last_seen > IDLE
