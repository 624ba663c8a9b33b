"""Correcting a finalised month: a new final version marked 更正 with reason, author and approver;
the version that was final is kept byte for byte."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kpi.cli.commands import main
from tests.history_db import audit_rows, small_workbook, table_rows


def run(db: str, *args: str):
    return CliRunner().invoke(main, [*args, "--db", db], prog_name="kpi")


def test_a_correction_is_a_new_final_version_keeping_the_old(db_url: str, tmp_path: Path):
    book = small_workbook(tmp_path / "book.xlsx", months=("2024-05",))
    for args in (
        ("import", str(book)),
        ("publish", "--month", "2024-05"),
        ("finalise", "--month", "2024-05"),
    ):
        assert run(db_url, *args, "--user", "张经理").exit_code == 0
    before = table_rows(db_url)
    result = run(db_url, "correct", "--month", "2024-05", "--vendor", "乙公司", "--metric", "升级投诉数", "--value", "3",
                 "--reason", "漏计一件升级投诉", "--approver", "李总监", "--user", "张经理")  # fmt: skip
    # one more escalated complaint: −5 points, 63.53 → 58.53; payout 8,330.00 × 0.5853 − 833.00 = 4,042.55
    assert (result.exit_code, result.output) == (
        0,
        "已更正 2024-05 乙公司 升级投诉数 2 → 3：总分 63.53 → 58.53，应付 4459.05 → 4042.55 元；"
        "生成第 2 版（更正，已定稿），原第 1 版保留\n",
    )
    after = table_rows(db_url)
    for table in ("vendor_months", "agent_rows", "source_files", "rulebooks"):
        assert set(before[table]) <= set(after[table]), table  # every old row is still there, unchanged
    assert [(v[2], v[3], v[4]) for v in after["versions"]] == [
        (1, "final", "import"),
        (2, "final", "correction"),
    ]
    assert after["versions"][0] == before["versions"][0]
    assert (
        run(db_url, "history").output.splitlines()[2].startswith("2024-05  已定稿  第 2 版（更正）       2")
    )
    last = audit_rows(db_url)[-1]
    assert (last.who, last.action, last.subject) == (
        "张经理",
        "correct",
        "更正 2024-05 乙公司 升级投诉数：第 1 版保留，生成第 2 版",
    )
    assert last.before == {"version": 1, "value": "2", "total_score": "63.53", "payout": "4459.05"}
    assert last.after["approver"] == "李总监" and last.after["reason"] == "漏计一件升级投诉"
    assert (last.after["version"], last.after["value"], last.after["payout"]) == (2, "3", "4042.55")


def test_a_correction_needs_a_final_month_and_another_approver(db_url: str, tmp_path: Path):
    book = small_workbook(tmp_path / "book.xlsx", months=("2024-05",))
    run(db_url, "import", str(book))
    args = ["correct", "--month", "2024-05", "--vendor", "乙公司", "--metric", "escalated_complaints", "--value", "3",
            "--reason", "漏计", "--user", "张经理"]  # fmt: skip
    assert run(db_url, *args, "--approver", "张经理").output == (
        "未完成，共 1 处问题：\n  1. 更正须由操作人以外的另一人批准（--approver）\n"
    )
    assert run(db_url, *args, "--approver", "李总监").output == (
        "未完成，共 1 处问题：\n  1. 2024-05 现为「草稿」，无法更正（更正只用于已定稿的月份；未定稿时请重新导入或处理争议）\n"
    )


def test_history_of_a_month_shows_which_version_was_paid(db_url: str, tmp_path: Path):
    import re

    book = small_workbook(tmp_path / "book.xlsx", months=("2024-05",))
    for args in (
        ("import", str(book)),
        ("publish", "--month", "2024-05"),
        ("finalise", "--month", "2024-05"),
    ):
        assert run(db_url, *args, "--user", "张经理").exit_code == 0
    run(db_url, "correct", "--month", "2024-05", "--vendor", "乙公司", "--metric", "升级投诉数", "--value", "3",
        "--reason", "漏计", "--approver", "李总监", "--user", "王会计")  # fmt: skip
    prints = [v[-1] for v in table_rows(db_url)["versions"]]
    lines = run(db_url, "history", "--month", "2024-05").output.splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"
    assert re.fullmatch(
        rf"第 1 版  已定稿（导入）  {stamp}  张经理      8,918.10  {prints[0][:16]}  — *", lines[2]
    )
    assert re.fullmatch(
        rf"第 2 版  已定稿（更正）  {stamp}  王会计      8,501.60  {prints[1][:16]}  更正：漏计（批准人：李总监）",
        lines[3],
    )
    assert (
        run(db_url, "history", "--month", "2024-09").output
        == "未完成，共 1 处问题：\n  1. 2024-09 还没有导入过\n"
    )
