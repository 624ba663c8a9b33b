"""The monthly cycle through the CLI on the sample data, on SQLite and PostgreSQL: import → publish →
dispute (one accepted, one rejected) → finalise, every figure and every audit row checked; then every
command refused on the finalised month, leaving the database unchanged."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from click.testing import CliRunner

from kpi.cli.commands import main
from kpi.inputs import label
from tests.history_db import audit_rows, table_rows
from tests.paths import SAMPLE

DEFAULT_RULES = resources.files("kpi.rules").joinpath("default.toml").read_text("utf-8")
SAMPLE_SHA = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()


def run(db: str, *args: str):
    return CliRunner().invoke(main, [*args, "--db", db], prog_name="kpi")


def ok(db: str, *args: str) -> str:
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    return result.output


def canonical(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sample_lines() -> dict[str, dict[str, str]]:
    """The statement lines of 2024-06 as `kpi score` computes them from the sample (not the history)."""
    cards = json.loads(
        CliRunner().invoke(main, ["score", str(SAMPLE), "--month", "2024-06", "--format", "json"]).output
    )
    return {
        c["vendor"]: {
            "month": "2024-06",
            "vendor": c["vendor"],
            "valid_calls": str(c["settlement"]["valid_calls"]),
            "unit_price": "0.85",
            "base_fee": c["settlement"]["base_fee"],
            "score": c["total_score"],
            "coefficient": c["settlement"]["coefficient"],
            "adjusted_fee": c["settlement"]["adjusted_fee"],
            "security_deduction": c["settlement"]["security_deduction"],
            "payout": c["settlement"]["payout"],
            "source": source_text(c["sources"]),
        }
        for c in cards
    }


def source_text(sources: dict[str, str]) -> str:
    """The statement line's 数据来源, from the JSON's sources: the figures taken from the call detail."""
    detail = [label(k) for k, v in sources.items() if v == "detail"]
    return "话务明细（" + "、".join(detail) + "），其余取自月度指标汇总表" if detail else "月度指标汇总表"


def test_the_whole_cycle_on_the_sample(db_url: str, tmp_path: Path):
    db = db_url
    lines = sample_lines()
    assert {v: line["payout"] for v, line in lines.items()} == {  # README's 2024-06 table
        "众合外包": "5110.09",
        "华信客服": "7300.62",
        "联创呼叫": "973.37",
        "远景服务": "4868.65",
    }
    v1_fingerprint = hashlib.sha256(canonical([lines[v] for v in sorted(lines)]).encode()).hexdigest()

    assert ok(db, "import", str(SAMPLE), "--month", "2024-06", "--user", "张经理") == (
        "已导入 2024-06 第 1 版（草稿）：4 家外包公司，应付合计 18,252.73 元\n"
    )
    deadline = (datetime.now().astimezone().date() + timedelta(days=5)).isoformat()
    assert ok(db, "publish", "--month", "2024-06", "--user", "张经理") == (
        f"已发布 2024-06 第 1 版：4 家外包公司，应付合计 18,252.73 元；争议截止日 {deadline}\n"
    )

    proof = tmp_path / "投诉撤销说明.pdf"
    proof.write_bytes(b"%PDF-1.4\n% two complaints withdrawn by the customers\n")
    proof_sha = hashlib.sha256(proof.read_bytes()).hexdigest()
    assert ok(
        db, "dispute", "add", "--month", "2024-06", "--vendor", "众合外包", "--metric", "service_complaints",
        "--claim", "2", "--reason", "其中一件投诉已由客户撤销", "--evidence", str(proof), "--user", "众合外包",
    ) == f"已登记争议 #1：2024-06 众合外包 成立服务投诉数 原值 3，主张 2；证据「投诉撤销说明.pdf」SHA-256 {proof_sha}\n"  # fmt: skip
    assert ok(
        db, "dispute", "add", "--month", "2024-06", "--vendor", "联创呼叫", "--metric", "2小时重复呼叫数",
        "--claim", "1016", "--reason", "汇总表为准", "--user", "联创呼叫",
    ) == "已登记争议 #2：2024-06 联创呼叫 2小时重复呼叫数 原值 1129，主张 1016\n"  # fmt: skip

    # Accepted: 2 complaints / 7,585 connected × 10,000 = 2.64 ≤ 3 → 5.00 points (was 4.28);
    # service = (7.38 + 8.50 + 5.00 + 3.25 + 3.81) / 35 × 60 = 47.90; total 26.60 + 47.90 + 6.00 = 80.50;
    # payout = 6,447.25 × 0.8050 = 5,190.04 (kpi explain's "多得 0.72 分 … 应付 5,190.04 元").
    assert ok(
        db, "dispute", "resolve", "1", "--accept", "--reason", "已核实撤销记录", "--user", "张经理"
    ) == ("已接受争议 #1：众合外包 成立服务投诉数 3 → 2，重新计分后为 2024-06 第 2 版（已发布）\n")
    assert ok(
        db, "dispute", "resolve", "2", "--reject", "--reason", "明细逐通核对为 1129", "--user", "张经理"
    ) == ("已驳回争议 #2：联创呼叫 2小时重复呼叫数，理由：明细逐通核对为 1129\n")
    fixed = dict(
        lines["众合外包"], score="80.50", coefficient="0.8050", adjusted_fee="5190.04", payout="5190.04"
    )
    v2_lines = {**lines, "众合外包": fixed}
    v2_fingerprint = hashlib.sha256(canonical([v2_lines[v] for v in sorted(v2_lines)]).encode()).hexdigest()
    assert ok(db, "finalise", "--month", "2024-06", "--user", "李总监") == (
        f"已定稿 2024-06 第 2 版：4 家外包公司，应付合计 18,332.68 元；结算指纹 {v2_fingerprint}\n"
    )
    assert 18252.73 - 5110.09 + 5190.04 == 18332.68  # the total moved by exactly the one vendor's change

    assert ok(db, "dispute", "list").splitlines() == [
        "编号  月份     外包公司  输入项           原值  主张  状态    理由                      证据              处理                              结果版本",
        "----  -------  --------  ---------------  ----  ----  ------  ------------------------  ----------------  --------------------------------  --------",
        "#1    2024-06  众合外包  成立服务投诉数      3     2  已接受  其中一件投诉已由客户撤销  投诉撤销说明.pdf  张经理：已核实撤销记录（采用 2）  第 2 版 ",
        "#2    2024-06  联创呼叫  2小时重复呼叫数  1129  1016  已驳回  汇总表为准                —                 张经理：明细逐通核对为 1129       —       ",
    ]  # fmt: skip
    assert (
        ok(db, "history").splitlines()[2]
        == "2024-06  已定稿  第 2 版       2  " + deadline + "     18,332.68"
    )

    got = tmp_path / "下载的证据.pdf"
    assert ok(db, "dispute", "evidence", "1", "-o", str(got), "--user", "李总监") == (
        f"已写入 {got}：争议 #1 的证据「投诉撤销说明.pdf」，{proof.stat().st_size} 字节，SHA-256 {proof_sha}\n"
    )
    assert got.read_bytes() == proof.read_bytes()

    # The statement from the database: the final version 2, dated on its finalisation day; its
    # fingerprint is the workbook's and rulebook's plus the accepted dispute's new value, so it differs
    # from the workbook's (which says 5,110.09), while version 1 has the workbook's very fingerprint.
    rulebook_sha = hashlib.sha256(DEFAULT_RULES.encode()).hexdigest()
    change_sha = hashlib.sha256(canonical(["众合外包", "service_complaints", "2"]).encode()).hexdigest()
    header = "kpi-statement-fingerprint-v1\n" + f"工作簿:{SAMPLE_SHA}\n规则本:{rulebook_sha}\n"
    workbook_fp = hashlib.sha256(header.encode()).hexdigest()
    final_fp = hashlib.sha256(f"{header}争议更正:{change_sha}\n".encode()).hexdigest()
    assert final_fp != workbook_fp
    today = datetime.now().astimezone().date().isoformat()  # the finalisation's day
    texts = []
    for copy in ("结算单.pdf", "结算单-再印.pdf"):
        out = tmp_path / copy
        assert ok(
            db, "statement", "--month", "2024-06", "--vendor", "众合外包", "-o", str(out), "--user", "王会计"
        ) == (
            f"已写入 {out}：众合外包 2024-06 第 2 版（争议更正，已定稿），应付 5,190.04 元"
            f"（人民币伍仟壹佰玖拾元零肆分），指纹 {final_fp}\n"
        )  # fmt: skip
        texts.append(
            subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        )
    text = texts[0]
    assert texts[1] == text  # two prints of the final month read the same
    assert "应付金额：5,190.04 元" in text and "大写：人民币伍仟壹佰玖拾元零肆分" in text
    assert text.count(f"指纹 SHA-256：{final_fp}") == text.count("\f")  # on every page
    assert f"生成日期：{today} 版本：第 2 版（争议更正，已定稿）" in text
    assert "众合外包 成立服务投诉数 3 → 2（争议 #1）" in text  # among the 数据来源
    assert "5,110.09" not in text

    from_workbook = tmp_path / "工作簿结算单.pdf"
    assert ok(
        db, "statement", str(SAMPLE), "--month", "2024-06", "--vendor", "众合外包", "-o", str(from_workbook)
    ) == (
        f"已写入 {from_workbook}：众合外包 2024-06，应付 5,110.09 元（人民币伍仟壹佰壹拾元零玖分），指纹 {workbook_fp}\n"
    )  # fmt: skip
    first = tmp_path / "第1版.pdf"
    assert ok(
        db, "statement", "--month", "2024-06", "--vendor", "众合外包", "--version", "1", "-o", str(first),
        "--user", "王会计",
    ) == (
        f"已写入 {first}：众合外包 2024-06 第 1 版（导入，已取代），应付 5,110.09 元"
        f"（人民币伍仟壹佰壹拾元零玖分），指纹 {workbook_fp}\n"
    )  # fmt: skip
    pages = [
        subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True, check=True).stdout
        for f in (first, from_workbook)
    ]
    # The same lines, word for word, but for the version the database names (and the date line's tail).
    assert [line for line in pages[0].splitlines() if line and "第 1 版（导入，已取代）" not in line] == [
        line for line in pages[1].splitlines() if line and line != f"生成日期：{today}"
    ]
    assert pages[0].count(f"生成日期：{today} 版本：第 1 版（导入，已取代）") == 1

    rows = audit_rows(db)
    assert [(r.id, r.who, r.action, r.month, r.subject) for r in rows] == [
        (1, "张经理", "import", "2024-06", "导入 2024-06 第 1 版（草稿）"),
        (2, "张经理", "publish", "2024-06", "发布 2024-06 第 1 版"),
        (3, "众合外包", "dispute", "2024-06", "登记争议 #1：众合外包 成立服务投诉数"),
        (4, "联创呼叫", "dispute", "2024-06", "登记争议 #2：联创呼叫 2小时重复呼叫数"),
        (5, "张经理", "accept", "2024-06", "接受争议 #1：众合外包 成立服务投诉数，生成第 2 版"),
        (6, "张经理", "reject", "2024-06", "驳回争议 #2：联创呼叫 2小时重复呼叫数"),
        (7, "李总监", "finalise", "2024-06", "定稿 2024-06 第 2 版"),
        (8, "李总监", "export", "2024-06", "下载争议 #1 的证据文件「投诉撤销说明.pdf」"),
        (9, "王会计", "export", "2024-06", "导出 2024-06 第 2 版（争议更正，已定稿） 结算单（众合外包）「结算单.pdf」"),
        (10, "王会计", "export", "2024-06", "导出 2024-06 第 2 版（争议更正，已定稿） 结算单（众合外包）「结算单-再印.pdf」"),
        (11, "王会计", "export", "2024-06", "导出 2024-06 第 1 版（导入，已取代） 结算单（众合外包）「第1版.pdf」"),
    ]  # fmt: skip
    payouts = {v: line["payout"] for v, line in lines.items()}
    scores = {v: line["score"] for v, line in lines.items()}
    assert [(r.before, r.after) for r in rows] == [
        (
            {},
            {
                "version": 1,
                "state": "草稿",
                "files": [f"workbook:monthly_2024H1.xlsx:{SAMPLE_SHA}"],
                "rulebook_sha256": rulebook_sha,
                "vendors": {v: {"total_score": scores[v], "payout": payouts[v]} for v in lines},
                "payout_total": "18252.73",
                "fingerprint": v1_fingerprint,
            },
        ),
        (
            {"version": 1, "state": "草稿", "replaces": []},
            {"version": 1, "state": "已发布", "deadline": deadline, "dispute_days": 5,
             "payout_total": "18252.73", "fingerprint": v1_fingerprint},
        ),
        (
            {},
            {"dispute": 1, "vendor": "众合外包", "version": 1, "metric": "service_complaints", "original": "3",
             "claim": "2", "reason": "其中一件投诉已由客户撤销",
             "evidence": {"name": "投诉撤销说明.pdf", "sha256": proof_sha, "size": proof.stat().st_size}},
        ),
        (
            {},
            {"dispute": 2, "vendor": "联创呼叫", "version": 1, "metric": "repeat_2h_calls", "original": "1129",
             "claim": "1016", "reason": "汇总表为准", "evidence": None},
        ),
        (
            {"dispute": 1, "state": "待处理", "version": 1, "value": "3", "total_score": "79.26", "payout": "5110.09"},
            {"dispute": 1, "state": "已接受", "reason": "已核实撤销记录", "value": "2", "total_score": "80.50",
             "payout": "5190.04", "version": 2, "fingerprint": v2_fingerprint},
        ),
        ({"dispute": 2, "state": "待处理"}, {"dispute": 2, "state": "已驳回", "reason": "明细逐通核对为 1129"}),
        (
            {"version": 2, "state": "已发布"},
            {"version": 2, "state": "已定稿", "payout_total": "18332.68",
             "payouts": {**payouts, "众合外包": "5190.04"}, "fingerprint": v2_fingerprint},
        ),
        ({}, {"dispute": 1, "name": "投诉撤销说明.pdf", "sha256": proof_sha, "size": proof.stat().st_size}),
        *[
            ({}, {"version": 2, "state": "已定稿", "vendor": "众合外包", "file": name, "payout_total": "5190.04",
                  "fingerprint": final_fp, "lines_fingerprint": v2_fingerprint})
            for name in ("结算单.pdf", "结算单-再印.pdf")
        ],
        ({}, {"version": 1, "state": "已取代", "vendor": "众合外包", "file": "第1版.pdf", "payout_total": "5110.09",
              "fingerprint": workbook_fp, "lines_fingerprint": v1_fingerprint}),
    ]  # fmt: skip
    previous = "0" * 64
    for r in rows:  # each row carries the hash of the one before; its own hash covers all its fields
        assert r.prev_hash == previous
        text = canonical(
            [
                r.id,
                r.at,
                r.who,
                r.action,
                r.month,
                r.subject,
                canonical(r.before),
                canonical(r.after),
                previous,
            ]
        )
        assert r.hash == hashlib.sha256(text.encode()).hexdigest()
        previous = r.hash
    assert ok(db, "audit", "verify") == f"审计记录完整：共 11 行，末行哈希 {previous[:16]}…\n"


def test_a_finalised_month_is_refused_by_every_command(db_url: str, tmp_path: Path):
    db = db_url
    ok(db, "import", str(SAMPLE), "--month", "2024-05")
    ok(db, "publish", "--month", "2024-05")
    ok(db, "dispute", "add", "--month", "2024-05", "--vendor", "华信客服", "--metric", "dial_tests_correct",
       "--claim", "99", "--reason", "复核")  # fmt: skip
    ok(db, "dispute", "resolve", "1", "--reject", "--reason", "不成立")
    ok(db, "finalise", "--month", "2024-05")
    before = table_rows(db)
    refused = {
        ("import", str(SAMPLE), "--month", "2024-05"): "2024-05 已定稿，不能再导入；定稿后的数据不会被改动（本次未导入任何月份）",
        ("import", str(SAMPLE)): "2024-05 已定稿，不能再导入；定稿后的数据不会被改动（本次未导入任何月份）",
        ("publish", "--month", "2024-05"): "2024-05 已定稿（第 1 版），不能再发布；定稿后的数据不会被改动，更正请另立更正版本",
        ("finalise", "--month", "2024-05"): "2024-05 已定稿（第 1 版），不能再定稿；定稿后的数据不会被改动，更正请另立更正版本",
        ("dispute", "add", "--month", "2024-05", "--vendor", "华信客服", "--metric", "dial_tests_correct",
         "--claim", "99", "--reason", "再议"): "2024-05 已定稿（第 1 版），不能再登记争议；定稿后的数据不会被改动，更正请另立更正版本",
        ("dispute", "resolve", "1", "--accept", "--reason", "改判"): "2024-05 已定稿（第 1 版），不能再处理争议；定稿后的数据不会被改动，更正请另立更正版本",
    }  # fmt: skip
    for args, message in refused.items():
        result = run(db, *args)
        assert (result.exit_code, result.output) == (1, f"未完成，共 1 处问题：\n  1. {message}\n"), args
        assert table_rows(db) == before, args


def test_the_os_user_acts_without_user(db_url: str, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "wangfang")
    ok(db_url, "import", str(SAMPLE), "--month", "2024-04")
    assert [r.who for r in audit_rows(db_url)] == ["wangfang"]


def test_kpi_db_names_the_database(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KPI_DB", str(tmp_path / "月度.db"))
    result = CliRunner().invoke(main, ["import", str(SAMPLE), "--month", "2024-04"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "月度.db").exists() and not (tmp_path / "kpi.db").exists()
    monkeypatch.delenv("KPI_DB")
    assert (
        CliRunner().invoke(main, ["history"]).output == "历史数据库中还没有任何月份（用 kpi import 导入）。\n"
    )
    assert (tmp_path / "kpi.db").exists()  # the default: kpi.db in the working directory


def test_the_readme_cycle_runs_as_written(tmp_path: Path, monkeypatch):
    """The commands of README's 月度流程 (the cycle, then the final statement), run as written in a folder with the sample beside it
    (kpi.db, the default, lands in that folder)."""
    import shlex

    from tests.paths import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("## 月度流程", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line.split("  #", 1)[0]) for line in block.splitlines() if line.strip()]
    assert [c[:2] for c in commands] == [
        ["kpi", "import"], ["kpi", "publish"], ["kpi", "dispute"], ["kpi", "dispute"], ["kpi", "finalise"],
        ["kpi", "statement"],
    ]  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPI_DB", raising=False)
    (tmp_path / "sample_data").symlink_to(ROOT / "sample_data")
    (tmp_path / "撤销记录.pdf").write_bytes(b"%PDF-1.4\n")
    outputs = []
    for command in commands:
        result = CliRunner().invoke(main, command[1:], prog_name="kpi")
        assert result.exit_code == 0, (command, result.output)
        outputs.append(result.output)
    assert outputs[-2].startswith("已定稿 2024-06 第 2 版：4 家外包公司，应付合计 18,332.68 元；结算指纹 ")
    assert outputs[-1].startswith(
        "已写入 结算单.pdf：众合外包 2024-06 第 2 版（争议更正，已定稿），应付 5,190.04 元（人民币伍仟壹佰玖拾元零肆分）"
    )
    assert (tmp_path / "kpi.db").exists() and (tmp_path / "结算单.pdf").exists()


def test_a_decision_is_accept_or_reject(tmp_path: Path):
    from kpi.cli.commands import main as kpi_main

    db = str(tmp_path / "kpi.db")
    for decision in ([], ["--accept", "--reject"]):
        result = CliRunner().invoke(
            kpi_main, ["dispute", "resolve", "1", *decision, "--reason", "x", "--db", db]
        )
        assert result.exit_code == 2
        assert result.output.endswith("错误：请给出 --accept 或 --reject 其中之一\n")


def test_import_takes_a_source_profile_and_its_statement_has_the_workbooks_fingerprint(tmp_path: Path):
    """`kpi import --source` as every command that reads call detail; the stored statement lists the
    profile among its sources, with the fingerprint `kpi statement 工作簿 --source` prints."""
    db = str(tmp_path / "kpi.db")
    assert ok(
        db, "import", str(SAMPLE), "--month", "2024-06", "--source", "asterisk-queue-log", "--user", "张经理"
    )
    stored, printed = tmp_path / "存档.pdf", tmp_path / "工作簿.pdf"
    from_db = ok(
        db, "statement", "--month", "2024-06", "--vendor", "联创呼叫", "-o", str(stored), "--user", "王会计"
    )
    from_workbook = ok(
        db, "statement", str(SAMPLE), "--month", "2024-06", "--vendor", "联创呼叫", "--source", "asterisk-queue-log",
        "-o", str(printed),
    )  # fmt: skip
    assert "应付 973.37 元" in from_db
    assert from_db.split("指纹 ")[1] == from_workbook.split("指纹 ")[1]
    text = subprocess.run(["pdftotext", str(stored), "-"], capture_output=True, text=True, check=True).stdout
    assert "来源配置" in text and "asterisk-queue-log" in text
    files = sorted(table_rows(db)["source_files"])  # (id, version, role, name, sha256, size)
    assert [(f[2], f[3]) for f in files] == [("workbook", SAMPLE.name), ("source", "asterisk-queue-log")]
