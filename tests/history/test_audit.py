"""The audit chain: `kpi audit verify` names the first row altered or removed, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from kpi.cli.commands import main
from kpi.history.store import open_store, writing
from kpi.history.tables import audit, audit_head
from tests.history_db import small_workbook


def run(db: str, *args: str):
    return CliRunner().invoke(main, [*args, "--db", db], prog_name="kpi")


def five_rows(db: str, tmp_path) -> None:
    book = small_workbook(tmp_path / "book.xlsx")
    for month in ("2024-03", "2024-04"):
        assert run(db, "import", str(book), "--month", month).exit_code == 0
        assert run(db, "publish", "--month", month).exit_code == 0
    assert run(db, "finalise", "--month", "2024-03").exit_code == 0


def tamper(db: str, statement) -> None:
    engine = open_store(db)
    with writing(engine) as conn:
        conn.execute(statement)
    engine.dispose()


def verify(db: str) -> tuple[int, str]:
    result = run(db, "audit", "verify")
    return result.exit_code, result.output


def refused(message: str) -> tuple[int, str]:
    return 1, f"审计记录不完整，共 1 处问题：\n  1. {message}\n"


def test_an_intact_chain(db_url: str, tmp_path):
    five_rows(db_url, tmp_path)
    code, text = verify(db_url)
    assert code == 0 and text.startswith("审计记录完整：共 5 行，末行哈希 ")


def test_an_altered_row_is_named(db_url: str, tmp_path):
    five_rows(db_url, tmp_path)
    tamper(db_url, audit.update().where(audit.c.id == 3).values(who="别人"))
    assert verify(db_url) == refused("第 3 行已被改动（内容与其哈希不符）")


def test_an_altered_after_value(db_url: str, tmp_path):
    five_rows(db_url, tmp_path)
    tamper(
        db_url,
        audit.update().where(audit.c.id == 2).values(after=sa.func.replace(audit.c.after, "已发布", "草稿")),
    )
    assert verify(db_url) == refused("第 2 行已被改动（内容与其哈希不符）")


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_next_link(db_url: str, tmp_path):
    from kpi.history.audit import canonical, row_hash

    five_rows(db_url, tmp_path)
    engine = open_store(db_url)
    with writing(engine) as conn:
        r = conn.execute(sa.select(audit).where(audit.c.id == 2)).one()
        after = canonical({"forged": True})
        digest = row_hash(r.id, r.at, r.who, r.action, r.month, r.subject, r.before, after, r.prev_hash)
        conn.execute(audit.update().where(audit.c.id == 2).values(after=after, hash=digest))
    engine.dispose()
    assert verify(db_url) == refused("第 3 行记录的上一行哈希不符：其前的行已被改动或删除")


def test_a_removed_row_is_named(db_url: str, tmp_path):
    five_rows(db_url, tmp_path)
    tamper(db_url, audit.delete().where(audit.c.id == 2))
    assert verify(db_url) == refused("第 2 行已被删除（其后一行是第 3 行）")


def test_a_removed_last_row_is_named(db_url: str, tmp_path):
    five_rows(db_url, tmp_path)
    tamper(db_url, audit.delete().where(audit.c.id == 5))
    assert verify(db_url) == refused("第 5 行起已被删除（应有 5 行）")


def test_a_removed_first_row_is_named(db_url: str, tmp_path):
    five_rows(db_url, tmp_path)
    tamper(db_url, audit.delete().where(audit.c.id == 1))
    assert verify(db_url) == refused("第 1 行已被删除（其后一行是第 2 行）")


def test_a_removed_head_is_seen(db_url: str, tmp_path):
    five_rows(db_url, tmp_path)
    tamper(db_url, audit_head.delete())
    assert verify(db_url) == refused("审计链尾记录已被删除，无法确认最后几行是否完整")


def test_the_rows_are_listed(db_url: str, tmp_path):
    import re

    five_rows(db_url, tmp_path)
    lines = run(db_url, "audit", "list", "--month", "2024-03").output.splitlines()
    assert lines[0].split() == ["序号", "时间", "操作人", "月份", "内容"]
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"
    who = re.escape(audit_user())
    assert [re.sub(rf"^ *(\d+)  {stamp}  {who} +  ", r"\1|", line.rstrip()) for line in lines[2:]] == [
        "1|2024-03  导入 2024-03 第 1 版（草稿）",
        "2|2024-03  发布 2024-03 第 1 版",
        "5|2024-03  定稿 2024-03 第 1 版",
    ]


def audit_user() -> str:
    import getpass

    return getpass.getuser()
