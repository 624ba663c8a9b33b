"""Opening the history: a new database gets the newest schema (SQLite in WAL mode); a damaged file,
a database written by a newer kpi, another program's database and an unreachable server each get a
clear Chinese message and exit 1, never a traceback, and are left untouched; migrations run forward
from every earlier schema kept in tests/history/schemas."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from kpi.cli.commands import main
from kpi.history.store import (
    HistoryError,
    create,
    head,
    migrate,
    open_store,
    reading,
    schema_revision,
    writing,
)
from kpi.history.tables import metadata
from tests.history_db import audit_rows, table_rows
from tests.paths import SAMPLE

SCHEMAS = Path(__file__).with_name("schemas")


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="kpi")


def test_a_new_database_gets_the_newest_schema(db_url: str):
    engine = open_store(db_url)
    with reading(engine) as conn:
        assert schema_revision(conn) == head() == "0003"
        assert set(sa.inspect(conn).get_table_names()) == {t.name for t in metadata.sorted_tables} | {
            "alembic_version"
        }
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_a_damaged_file_is_refused_in_chinese_and_left_as_it_was(tmp_path: Path):
    db = tmp_path / "kpi.db"
    run("import", str(SAMPLE), "--month", "2024-05", "--db", str(db))
    data = bytearray(db.read_bytes())
    data[:100] = b"\xff" * 100  # the header gone: not a SQLite file any more
    db.write_bytes(bytes(data))
    for args in (["history"], ["publish", "--month", "2024-05"], ["audit", "verify"]):
        result = run(*args, "--db", str(db))
        assert (result.exit_code, result.output) == (
            1,
            f"未完成，共 1 处问题：\n  1. 数据库文件「{db}」已损坏或不是数据库文件（file is not a database），"
            "未做任何改动；请用备份恢复\n",
        )
        assert db.read_bytes() == bytes(data)


def test_a_file_that_is_not_a_database(tmp_path: Path):
    db = tmp_path / "笔记.db"
    db.write_text("这不是数据库\n" * 100, "utf-8")
    result = run("history", "--db", str(db))
    assert result.exit_code == 1 and "已损坏或不是数据库文件" in result.output
    assert "Traceback" not in result.output


def test_a_newer_schema_is_refused(db_url: str):
    engine = open_store(db_url)
    with writing(engine) as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    result = run("history", "--db", db_url)
    assert result.exit_code == 1
    name = db_url if "://" not in db_url else sa.engine.make_url(db_url).render_as_string(hide_password=True)
    assert result.output == (
        f"未完成，共 1 处问题：\n  1. 数据库「{name}」的结构版本为 0099，比本程序认识的最新版本 0003 更新："
        "它由更新版本的 kpi 写入，请升级 kpi 后再打开（本程序未做任何改动）\n"
    )


def test_another_programs_database_is_not_touched(tmp_path: Path):
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    result = run("import", str(SAMPLE), "--month", "2024-05", "--db", str(db))
    assert (result.exit_code, result.output) == (
        1,
        f"未完成，共 1 处问题：\n  1. 「{db}」不是 kpi 的历史数据库（没有结构版本表），未做任何改动\n",
    )
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("customers",)]


def test_an_unreachable_server(tmp_path: Path):
    from tests.postgres import free_port

    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/kpi"
    result = run("history", "--db", url)
    assert result.exit_code == 1
    assert result.output.startswith(f"未完成，共 1 处问题：\n  1. 无法连接数据库「{url}」：")
    assert "Traceback" not in result.output


def test_a_folder_that_does_not_exist(tmp_path: Path):
    result = run("history", "--db", str(tmp_path / "无此目录" / "kpi.db"))
    assert (
        result.output
        == f"未完成，共 1 处问题：\n  1. 数据库「{tmp_path / '无此目录' / 'kpi.db'}」所在的文件夹不存在\n"
    )


def test_the_open_checks_raise_history_errors(tmp_path: Path):
    with pytest.raises(HistoryError, match="无法识别"):
        open_store("nosuchdriver://x/y")


def _copy_0001_rows(url: str) -> None:
    """The rows of the kept 0001 SQLite file into a PostgreSQL database migrated to 0001."""
    source = sa.create_engine(f"sqlite:///{SCHEMAS / 'kpi-0001.db'}")
    engine = create(url)
    with writing(engine) as conn:
        migrate(conn, "0001")
        old = sa.MetaData()
        old.reflect(source)
        with source.connect() as src:
            for table in old.sorted_tables:
                if table.name == "alembic_version":
                    continue
                rows = [dict(r._mapping) for r in src.execute(sa.select(table))]
                if rows:
                    conn.execute(sa.table(table.name, *(sa.column(c) for c in rows[0])).insert(), rows)
                if "id" in table.c and table.name not in ("audit", "audit_head"):
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {len(rows) or 1})"
                        )
                    )
    engine.dispose()
    source.dispose()


def test_migrations_run_forward_from_schema_0001(db_url: str, tmp_path: Path):
    if "://" in db_url:
        _copy_0001_rows(db_url)
    else:
        shutil.copy(SCHEMAS / "kpi-0001.db", db_url)
    engine = create(db_url)
    with reading(engine) as conn:
        assert schema_revision(conn) == "0001"
    engine.dispose()
    old_versions = table_rows(db_url)["versions"]  # opening upgrades to the newest schema
    assert [(v[1], v[2], v[3]) for v in old_versions] == [("2024-05", 1, "draft")]
    engine = open_store(db_url)
    with reading(engine) as conn:
        assert schema_revision(conn) == "0003"
    engine.dispose()
    # the old month goes on through the cycle, and the old audit row stays the chain's first link
    assert run("publish", "--month", "2024-05", "--db", db_url, "--user", "张经理").exit_code == 0
    result = run("dispute", "add", "--month", "2024-05", "--vendor", "华信客服", "--metric", "service_complaints",
                 "--claim", "0", "--reason", "复核", "--db", db_url)  # fmt: skip
    assert result.output == "已登记争议 #1：2024-05 华信客服 成立服务投诉数 原值 2，主张 0\n"
    assert [(r.id, r.who, r.action) for r in audit_rows(db_url)][:2] == [
        (1, "旧版本", "import"),
        (2, "张经理", "publish"),
    ]
    assert run("audit", "verify", "--db", db_url).output.startswith("审计记录完整：共 3 行")


def test_damaged_pages_inside_the_file(tmp_path: Path):
    """The header intact, the pages behind it overwritten: the damage shows when the data is read."""
    import random

    db = tmp_path / "kpi.db"
    assert run("import", str(SAMPLE), "--month", "2024-05", "--db", str(db)).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(db.read_bytes())
    noise = random.Random(13)
    for at in range(2 * page, len(data)):
        data[at] = noise.randrange(256)
    db.write_bytes(bytes(data))
    for args in (["history"], ["dispute", "list"], ["audit", "verify"]):
        result = run(*args, "--db", str(db))
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith(
            f"未完成，共 1 处问题：\n  1. 数据库文件「{db}」已损坏或不是数据库文件（"
        ), result.output
        assert "Traceback" not in result.output
