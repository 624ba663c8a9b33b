"""`kpi user add | passwd | disable | enable | list` on SQLite and PostgreSQL: exact Chinese output,
exit 1 with the reason for every refusal (nothing changed), the password typed twice (piped here; at a
real terminal through a pty, not echoed), and no password anywhere afterwards: not in the database
file's bytes (nor its -wal), any table, the audit trail, the logs or the output."""

from __future__ import annotations

import logging
import os
import pty
import select
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi.access.passwords import verify_password
from kpi.access.users import record_export, sign_in
from kpi.cli.commands import main
from kpi.history.store import open_store
from tests.history_db import audit_rows, table_rows


def run(db: str, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["user", *args, "--db", db], input=input, prog_name="kpi")


def twice(password: str) -> str:
    return f"{password}\n{password}\n"


def refused(message: str) -> tuple[int, str]:
    return 1, f"未完成，共 1 处问题：\n  1. {message}\n"


def test_add_list_passwd_disable_enable(db_url: str, monkeypatch):
    monkeypatch.setattr("kpi.access.accounts.now", lambda: NOW)
    db = db_url
    assert run(db, "list").output == "还没有用户（用 kpi user add 新增，或在应用页面创建第一位管理员）。\n"
    result = run(db, "add", "王管理", "--role", "管理员", "--by", "运维", input=twice("Admin-pass-1"))
    assert (result.exit_code, result.output) == (0, "已新增用户「王管理」（管理员）\n")
    result = run(db, "add", "华信对接人", "--role", "外包公司", "--vendor", "华信客服", "--by", "王管理",
                 input=twice("Vendor-pass-1"))  # fmt: skip
    assert (result.exit_code, result.output) == (0, "已新增用户「华信对接人」（外包公司，华信客服）\n")
    result = run(db, "passwd", "华信对接人", "--by", "王管理", input=twice("Vendor-pass-2"))
    assert (result.exit_code, result.output) == (0, "已重设用户「华信对接人」的密码\n")
    assert run(db, "disable", "华信对接人", "--by", "王管理").output == "已停用用户「华信对接人」\n"
    assert run(db, "list").output == (
        "用户名      角色      外包公司  状态  最近登录  创建时间                   创建人\n"
        "----------  --------  --------  ----  --------  -------------------------  ------\n"
        "华信对接人  外包公司  华信客服  停用  —         2024-07-01T09:30:00+08:00  王管理\n"
        "王管理      管理员    —         启用  —         2024-07-01T09:30:00+08:00  运维  \n"
    )
    assert run(db, "enable", "华信对接人", "--by", "王管理").output == "已启用用户「华信对接人」\n"
    engine = open_store(db)
    assert sign_in(engine, "华信对接人", "Vendor-pass-2", NOW + timedelta(hours=1)).ok
    for _ in range(5):
        assert not sign_in(engine, "华信对接人", "Vendor-pass-1", NOW + timedelta(hours=2)).ok
    engine.dispose()
    assert run(db, "list").output.splitlines()[2] == (
        "华信对接人  外包公司  华信客服  锁定至 2024-07-01 11:45  2024-07-01T10:30:00+08:00  "
        "2024-07-01T09:30:00+08:00  王管理"
    )
    assert [(r.who, r.action, r.subject) for r in audit_rows(db)][:5] == [
        ("运维", "user_add", "新增用户「王管理」（管理员）"),
        ("王管理", "user_add", "新增用户「华信对接人」（外包公司，华信客服）"),
        ("王管理", "user_passwd", "重设用户「华信对接人」的密码"),
        ("王管理", "user_disable", "停用用户「华信对接人」"),
        ("王管理", "user_enable", "启用用户「华信对接人」"),
    ]
    assert (
        CliRunner().invoke(main, ["audit", "verify", "--db", db]).output.startswith("审计记录完整：共 12 行")
    )


def test_the_acting_user_defaults_to_the_os_user(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "ops")
    db = str(tmp_path / "kpi.db")
    assert run(db, "add", "王管理", "--role", "管理员", input=twice("Admin-pass-1")).exit_code == 0
    assert [(r.who, r.action) for r in audit_rows(db)] == [("ops", "user_add")]


@pytest.mark.parametrize(
    ("args", "input", "message"),
    [
        (["add", "王管理", "--role", "财务"], twice("Admin-pass-1"), "用户「王管理」已存在"),
        (["add", "新人", "--role", "经理"], None, "角色「经理」不存在；可选：管理员、合同管理、财务、外包公司"),
        (["add", "新人", "--role", "外包公司"], None, "角色「外包公司」须指定所属外包公司（--vendor）"),
        (["add", "新人", "--role", "财务", "--vendor", "华信客服"], None,
         "只有「外包公司」角色绑定外包公司；「财务」不能指定 --vendor"),
        (["add", "新人", "--role", "财务"], twice("1234567"), "密码太短：至少 8 个字符"),
        (["add", "新人", "--role", "财务"], "Admin-pass-1\nAdmin-pass-2\n", "两次输入的密码不一致，未做任何改动"),
        (["add", "新人", "--role", "财务"], "Admin-pass-1\n", "没有读到密码：请在提示下输入，或经标准输入每行给出一次（共两行）"),
        (["passwd", "无此人"], twice("Admin-pass-1"), "用户「无此人」不存在"),
        (["passwd", "王管理"], "Admin-pass-1\nAdmin-pass-x\n", "两次输入的密码不一致，未做任何改动"),
        (["disable", "无此人"], None, "用户「无此人」不存在"),
        (["disable", "王管理"], None, "「王管理」是唯一启用中的管理员，不能停用；请先新增另一位管理员"),
        (["enable", "王管理"], None, "用户「王管理」已是启用状态，也未被锁定"),
    ],
)  # fmt: skip
def test_refusals_exit_1_and_change_nothing(tmp_path: Path, args, input, message):
    db = str(tmp_path / "kpi.db")
    assert run(db, "add", "王管理", "--role", "管理员", input=twice("Admin-pass-1")).exit_code == 0
    before = table_rows(db)
    result = run(db, *args, input=input)
    assert (result.exit_code, result.output) == refused(message)
    assert table_rows(db) == before


def test_help_tells_how_to_start():
    result = CliRunner().invoke(main, ["user", "add", "--help"], prog_name="kpi")
    assert "新增用户 NAME；密码在提示下输入两次（不回显，至少 8 个字符）。" in result.output
    assert "kpi user add 华信对接人 --role 外包公司 --vendor 华信客服" in result.output
    result = CliRunner().invoke(main, ["user", "--help"], prog_name="kpi")
    assert "也可在命令行创建：kpi user add 王管理 --role 管理员" in result.output


def _read_until(fd: int, wanted: bytes, seen: bytearray) -> None:
    while wanted not in seen:
        ready, _, _ = select.select([fd], [], [], 60)
        assert ready, f"no {wanted.decode()!r} from the command; so far: {seen.decode(errors='replace')!r}"
        chunk = os.read(fd, 1024)
        assert chunk, seen.decode(errors="replace")
        seen.extend(chunk)


def test_at_a_terminal_the_password_is_asked_twice_and_not_echoed(tmp_path: Path):
    db = tmp_path / "kpi.db"
    parent, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kpi.cli", "user", "add", "王管理", "--role", "管理员", "--db", str(db), "--by", "运维"],
        stdin=child, stdout=child, stderr=child, close_fds=True, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    os.close(child)
    seen = bytearray()
    try:
        _read_until(parent, "新密码: ".encode(), seen)
        os.write(parent, b"Terminal-Secret-42\n")
        _read_until(parent, "再次输入新密码: ".encode(), seen)
        os.write(parent, b"Terminal-Secret-42\n")
        _read_until(parent, "已新增用户「王管理」（管理员）".encode(), seen)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        os.close(parent)
    assert b"Terminal-Secret-42" not in seen
    engine = open_store(str(db))
    assert sign_in(engine, "王管理", "Terminal-Secret-42").ok
    engine.dispose()


NOW = datetime(2024, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
SECRETS = (
    "Adm1n-秘密-Zebra",
    "V3nd0r-秘密-Quokka",
    "N3w-秘密-Walrus",
    "Wr0ng-秘密-Narwhal",
    "First-秘密-Okapi",
)


def test_no_password_is_kept_or_shown_anywhere(db_url: str, caplog, capsys):
    """Sign-ins right and wrong (into a lock), users added and passwords changed through the CLI: then
    the database file bytes, every table, every audit row, the logs and the output hold none of them."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement with its parameters
    admin, vendor, new, wrong, first = SECRETS
    db = db_url
    outputs = [
        run(db, "add", "王管理", "--role", "管理员", input=twice(admin)),
        run(db, "add", "华信对接人", "--role", "外包公司", "--vendor", "华信客服", "--by", "王管理", input=twice(first)),
        run(db, "passwd", "华信对接人", "--by", "王管理", input=twice(vendor)),
        run(db, "add", "张经理", "--role", "合同管理", input=f"{new}\n{wrong}\n"),  # refused: not the same twice
    ]  # fmt: skip
    assert [r.exit_code for r in outputs] == [0, 0, 0, 1]
    engine = open_store(db)
    now = datetime(2024, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    results = [
        sign_in(engine, "王管理", admin, now),
        sign_in(engine, "华信对接人", first, now),  # the old password
        *(sign_in(engine, "华信对接人", wrong, now) for _ in range(5)),
        sign_in(engine, "华信对接人", vendor, now),  # locked
        sign_in(engine, "华信对接人", vendor, now + timedelta(minutes=15)),
        sign_in(engine, "无此人", wrong, now),
    ]
    assert [r.ok for r in results] == [True, False, False, False, False, False, False, False, True, False]
    record_export(engine, "华信对接人", "下载 2024-06 结算单.xlsx", "2024-06")
    engine.dispose()
    outputs.append(run(db, "list"))
    outputs.append(CliRunner().invoke(main, ["audit", "list", "--db", db]))

    rows = audit_rows(db)
    assert len(rows) == 15 and {r.action for r in rows} == {
        "user_add", "user_passwd", "sign_in", "sign_in_failed", "locked", "export"
    }  # fmt: skip
    tables = table_rows(db)
    hashes = {r[1]: r[4] for r in tables["users"]}  # name: password_hash
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    assert verify_password(hashes["王管理"], admin) and verify_password(hashes["华信对接人"], vendor)
    captured = capsys.readouterr()
    places = {
        "tables": repr(tables),
        "audit": repr(rows),
        "log": caplog.text + "".join(r.getMessage() for r in caplog.records),
        "output": "".join(r.output for r in outputs) + captured.out + captured.err,
    }
    assert "INSERT INTO users" in places["log"]  # the statement log was on
    if "://" not in db:
        files = [Path(db), Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")]
        assert Path(db).exists()
        places["file bytes"] = b"".join(p.read_bytes() for p in files if p.exists()).decode("latin-1")
    for secret in SECRETS:
        for place, text in places.items():
            if place == "file bytes":
                for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                    assert secret.encode(encoding).decode("latin-1") not in text, (secret, place, encoding)
            else:
                assert secret not in text, (secret, place)
