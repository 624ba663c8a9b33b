"""The same calls given twice are refused, naming both places; two files of one name do not crash."""

from __future__ import annotations

import json
from pathlib import Path

from tests.builders import SPEC_EXAMPLE, write_summary
from tests.cli.test_detail_commands import run

HEADER = "呼叫流水号,主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司"
CALLS = [
    "C1,13800000001,2024-05-10 10:00:00,是,2024-05-10 10:00:10,J1,甲公司",
    "C2,13800000001,2024-05-10 11:00:00,否,,,",
    "C3,13900000002,2024-05-10 10:00:00,是,2024-05-10 10:00:30,J2,甲公司",
    "C4,13700000003,2024-05-10 10:00:00,是,2024-05-10 10:00:30,J2,甲公司",
]


def csv_file(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([HEADER, *lines]) + "\n", "utf-8-sig")
    return path


def test_one_file_passed_twice_is_refused_not_paid_twice(tmp_path: Path):
    summary = write_summary(tmp_path / "summary.xlsx", [SPEC_EXAMPLE])
    detail = csv_file(tmp_path / "明细.csv", CALLS)
    once = json.loads(run("score", str(summary), "--format", "json", "--detail", str(detail)).output)
    assert once[0]["settlement"]["valid_calls"] == 3
    twice = run("score", str(summary), "--detail", str(detail), "--detail", str(detail))
    assert twice.exit_code == 1
    assert twice.output.splitlines()[1:] == [
        "  1. 文件「明细.csv」：同一个明细文件给出了两次（其中的呼叫会被计两次），应为每个明细文件只给一次"
    ]


def test_the_same_calls_in_two_files_are_refused_with_both_locations(tmp_path: Path):
    summary = write_summary(tmp_path / "summary.xlsx", [SPEC_EXAMPLE])
    first = csv_file(tmp_path / "明细1.csv", CALLS[:2])
    second = csv_file(tmp_path / "明细2.csv", [CALLS[2], CALLS[0], CALLS[3]])  # C1 exported again
    result = run("score", str(summary), "--detail", str(first), "--detail", str(second))
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        "  1. 文件「明细2.csv」，第 3 行，「呼叫流水号」列：同一呼叫流水号在两处明细中出现（同一通电话会被计两次）"
        "：发现「C1」，应为每通电话只出现在一个明细里；它已出现在文件「明细1.csv」第 2 行"
    ]
    for command in ("reconcile", "agents", "settle", "explain"):
        extra = ["-o", str(tmp_path / "s.xlsx")] if command == "settle" else []
        extra += ["--vendor", "甲公司"] if command == "explain" else []
        args = [command, str(summary), "--detail", str(first), "--detail", str(second), *extra]
        assert run(*args).exit_code == 1, command


def test_two_files_of_the_same_name_are_told_apart_by_their_folders(tmp_path: Path):
    summary = write_summary(tmp_path / "summary.xlsx", [SPEC_EXAMPLE])
    first = csv_file(tmp_path / "一日" / "明细.csv", CALLS[:2])
    second = csv_file(tmp_path / "二日" / "明细.csv", CALLS[2:])
    result = run("score", str(summary), "--format", "json", "--detail", str(first), "--detail", str(second))
    assert result.exit_code == 0, result.output
    (card,) = json.loads(result.output)
    assert card["settlement"]["valid_calls"] == 3
    again = csv_file(tmp_path / "三日" / "明细.csv", [CALLS[3]])
    refused = run(
        "score", str(summary), "--detail", str(first), "--detail", str(second), "--detail", str(again)
    )
    assert refused.exit_code == 1
    assert refused.output.splitlines()[1] == (
        f"  1. 文件「{again}」，第 2 行，「呼叫流水号」列：同一呼叫流水号在两处明细中出现（同一通电话会被计两次）"
        f"：发现「C4」，应为每通电话只出现在一个明细里；它已出现在文件「{second}」第 3 行"
    )
