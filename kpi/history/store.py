"""Opening the history database: the URL from `--db`/`KPI_DB` (a file path means SQLite, in WAL
mode), the schema brought to the newest migration, and write transactions that hold the one writer
lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock), so that concurrent
imports number their versions one after the other and the audit chain stays one chain.

Everything a user can get wrong (a damaged file, a database from a newer kpi, a server that does not
answer) becomes a `HistoryError` with a Chinese message; bugs still raise.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

DEFAULT_DB = "kpi.db"
WRITE_LOCK = 10086  # the advisory-lock key every writer takes on PostgreSQL
BUSY_MS = 60_000  # how long a SQLite writer waits for another one


class HistoryError(Exception):
    """Something the user can act on (a state refused, a damaged database…); the message is Chinese."""


def database_url(db: str) -> str:
    """`--db` as a SQLAlchemy URL: a URL as given, anything else a SQLite file path."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def describe(url: str) -> str:
    """The database as named to the user (a file path, or the server without its password)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "(内存)"
    return parsed.render_as_string(hide_password=True)


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")  # stays on in the file; ":memory:" answers "memory"
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("kpi_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create(db: str) -> Engine:
    url = database_url(db)
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise HistoryError(f"数据库地址「{db}」无法识别：{exc}") from None
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if path and path != ":memory:" and not Path(path).parent.exists():
            raise HistoryError(f"数据库「{path}」所在的文件夹不存在")
        _sqlite_events(engine)
    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction holding the writer lock; committed when the block ends, rolled back
    (and nothing of it left) when it raises or the process dies."""
    with engine.connect().execution_options(kpi_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", "kpi.history:migrations")
    config.attributes["connection"] = conn
    return config


def head() -> str:
    return ScriptDirectory.from_config(_config(None)).get_current_head()  # type: ignore[arg-type]


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(_config(None)).walk_revisions()}  # type: ignore[arg-type]


def schema_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def migrate(conn: Connection, revision: str = "head") -> None:
    command.upgrade(_config(conn), revision)


def _check_and_upgrade(conn: Connection, name: str) -> None:
    tables = set(sa.inspect(conn).get_table_names())
    if "alembic_version" not in tables:
        if tables:
            raise HistoryError(f"「{name}」不是 kpi 的历史数据库（没有结构版本表），未做任何改动")
        migrate(conn)
        return
    current = schema_revision(conn)
    if current not in known_revisions():
        raise HistoryError(
            f"数据库「{name}」的结构版本为 {current}，比本程序认识的最新版本 {head()} 更新："
            "它由更新版本的 kpi 写入，请升级 kpi 后再打开（本程序未做任何改动）"
        )
    if current != head():
        migrate(conn)


def open_store(db: str = DEFAULT_DB) -> Engine:
    """An engine on the history database, its schema upgraded to the newest migration."""
    engine = create(db)
    name = describe(str(engine.url))
    try:
        with writing(engine) as conn:
            _check_and_upgrade(conn, name)
    except HistoryError:
        engine.dispose()
        raise
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        raise HistoryError(database_problem(name, exc.orig or exc)) from None
    except sqlite3.DatabaseError as exc:  # raised by the connect hook's PRAGMAs on a damaged file
        engine.dispose()
        raise HistoryError(database_problem(name, exc)) from None
    return engine


def database_problem(name: str, exc: BaseException) -> str:
    """A database error the user can act on, in Chinese (`exc`: the driver's exception)."""
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, sqlite3.DatabaseError):
        if "not a database" in detail or "malformed" in detail or "corrupt" in detail:
            return f"数据库文件「{name}」已损坏或不是数据库文件（{detail}），未做任何改动；请用备份恢复"
        if "locked" in detail or "busy" in detail:
            return f"数据库「{name}」正被另一个程序写入，等候超时，请稍后再试（{detail}）"
        return f"无法使用数据库文件「{name}」：{detail}"
    if type(exc).__name__ == "OperationalError":  # psycopg's: the server did not answer
        return f"无法连接数据库「{name}」：{detail}"
    return f"数据库「{name}」出错：{detail}"
