"""`kpi statement --month M` without a workbook: read from the history database (kpi/history/statements.py).
The whole cycle's statement (final after an accepted dispute) is in tests/cli/test_history_commands.py."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import load_workbook

from kpi.cli.commands import main
from kpi.history.store import open_store, writing
from kpi.history.tables import vendor_months
from tests.history_db import audit_rows, small_workbook, table_rows

RULES_SHA = hashlib.sha256(
    resources.files("kpi.rules").joinpath("default.toml").read_text("utf-8").encode()
).hexdigest()


def run(db: str, *args: str):
    return CliRunner().invoke(main, [*args, "--db", db], prog_name="kpi")


def canonical(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint(*lines: str) -> str:
    return hashlib.sha256(
        ("kpi-statement-fingerprint-v1\n" + "".join(f"{x}\n" for x in lines)).encode()
    ).hexdigest()


def finalised(db: str, tmp_path: Path) -> Path:
    book = small_workbook(tmp_path / "book.xlsx", months=("2024-05",))
    for args in (
        ("import", str(book)),
        ("publish", "--month", "2024-05"),
        ("finalise", "--month", "2024-05"),
    ):
        assert run(db, *args, "--user", "张经理").exit_code == 0
    return book


def test_a_corrected_month_prints_the_correction_and_the_paid_version_on_demand(db_url: str, tmp_path: Path):
    book = finalised(db_url, tmp_path)
    book_sha = hashlib.sha256(book.read_bytes()).hexdigest()
    assert run(db_url, "correct", "--month", "2024-05", "--vendor", "乙公司", "--metric", "升级投诉数", "--value", "3",
               "--reason", "漏计一件升级投诉", "--approver", "李总监", "--user", "张经理").exit_code == 0  # fmt: skip
    change = hashlib.sha256(canonical(["乙公司", "escalated_complaints", "3"]).encode()).hexdigest()
    corrected_fp = fingerprint(f"工作簿:{book_sha}", f"规则本:{RULES_SHA}", f"更正:{change}")
    out = tmp_path / "乙.xlsx"
    result = run(
        db_url, "statement", "--month", "2024-05", "--vendor", "乙公司", "-o", str(out), "--user", "王会计"
    )
    # the correction's figures (tests/history/test_corrections.py): 58.53 points, 4,042.55 元
    assert (result.exit_code, result.output) == (
        0,
        f"已写入 {out}：乙公司 2024-05 第 2 版（更正，已定稿），应付 4,042.55 元（人民币肆仟零肆拾贰元伍角伍分），"
        f"指纹 {corrected_fp}\n",
    )
    cells = [
        str(c) for row in load_workbook(out).active.iter_rows(values_only=True) for c in row if c is not None
    ]
    assert "乙公司 升级投诉数 2 → 3" in cells  # the correction is one of the 数据来源
    paid = tmp_path / "乙-第1版.xlsx"
    result = run(
        db_url, "statement", "--month", "2024-05", "--vendor", "乙公司", "--version", "1", "-o", str(paid)
    )
    assert result.output.startswith(
        f"已写入 {paid}：乙公司 2024-05 第 1 版（导入，已定稿），应付 4,459.05 元"
    )
    whole = run(
        db_url,
        "statement",
        str(book),
        "--month",
        "2024-05",
        "--vendor",
        "乙公司",
        "-o",
        str(tmp_path / "w.pdf"),
    )
    fp = fingerprint(f"工作簿:{book_sha}", f"规则本:{RULES_SHA}")
    assert result.output.endswith(f"指纹 {fp}\n") and whole.output.endswith(f"指纹 {fp}\n")
    # 甲公司 was not corrected: its statement of version 2 is the workbook's, fingerprint included
    result = run(
        db_url, "statement", "--month", "2024-05", "--vendor", "甲公司", "-o", str(tmp_path / "甲.pdf")
    )
    assert result.output.endswith(f"指纹 {fp}\n")


def test_a_draft_month_is_dated_today_and_says_draft(db_url: str, tmp_path: Path):
    book = small_workbook(tmp_path / "book.xlsx", months=("2024-05",))
    assert run(db_url, "import", str(book)).exit_code == 0
    out = tmp_path / "全部.xlsx"
    result = run(db_url, "statement", "--month", "2024-05", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"已写入 {out}：全部外包公司（2 家） 2024-05 第 1 版（导入，草稿），应付 "
    )
    cells = [
        str(c) for row in load_workbook(out).active.iter_rows(values_only=True) for c in row if c is not None
    ]
    today = datetime.now().astimezone().date().isoformat()
    assert cells[1] == (
        "外包公司：全部外包公司（2 家）\u3000结算月份：2024年05月（2024年05月01日至2024年05月31日）\u3000第 1 版（导入，草稿）"
    )
    assert f"生成日期：{today}" in cells


def test_stored_lines_that_do_not_rescore_are_refused(db_url: str, tmp_path: Path):
    finalised(db_url, tmp_path)
    engine = open_store(db_url)
    try:
        with writing(engine) as conn:
            row = conn.execute(sa.select(vendor_months).where(vendor_months.c.vendor == "甲公司")).one()
            line = {**json.loads(row.statement), "payout": "9999.99"}
            conn.execute(
                vendor_months.update().where(vendor_months.c.id == row.id).values(statement=canonical(line))
            )
    finally:
        engine.dispose()
    before = table_rows(db_url)
    out = tmp_path / "甲.pdf"
    result = run(db_url, "statement", "--month", "2024-05", "--vendor", "甲公司", "-o", str(out))
    assert result.exit_code == 1
    assert (
        "2024-05 第 1 版「甲公司」按所存的输入和规则本重新计算，结算行与存档的不一致（存档应付"
        in result.output
        and "重算" in result.output
        and "为免印出不同的金额，未生成结算单" in result.output
    ), result.output
    assert not out.exists()
    assert table_rows(db_url) == before  # no export row either


def test_refusals(db_url: str, tmp_path: Path):
    book = finalised(db_url, tmp_path)
    out = str(tmp_path / "x.pdf")
    cases = [
        (("--month", "2024-04"), "2024-04 还没有导入过，历史数据库中没有它的结算单（先用 kpi import 导入该月）"),
        (("--month", "2024-05", "--vendor", "丙公司"), "2024-05 第 1 版中没有外包公司「丙公司」（有：乙公司、甲公司）"),
        (("--month", "2024-05", "--version", "3"), "2024-05 没有第 3 版（有：第 1 版）"),
        (("--month", "2024-05", "--rules", str(book)), "从历史数据库出结算单时用存档的规则本和数据，不接受 --rules / --detail / --source"),
        ((str(book), "--month", "2024-05", "--version", "1"), "--version 只用于从历史数据库出结算单（不给工作簿时）"),
    ]  # fmt: skip
    rows = len(audit_rows(db_url))
    for args, message in cases:
        result = run(db_url, "statement", *args, "-o", out)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert len(audit_rows(db_url)) == rows
    assert not Path(out).exists()
    Path(out).write_bytes(b"mine")  # a file that could not be written leaves no export row
    result = run(db_url, "statement", "--month", "2024-05", "-o", out)
    assert result.exit_code == 1 and "文件已存在，未覆盖（如需覆盖请加 --force）" in result.output
    assert Path(out).read_bytes() == b"mine" and len(audit_rows(db_url)) == rows
    assert run(db_url, "statement", "--month", "2024-05", "-o", out, "--force").exit_code == 0
    assert len(audit_rows(db_url)) == rows + 1
