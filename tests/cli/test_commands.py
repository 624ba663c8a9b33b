"""The CLI as a user sees it: exact output, exit codes 0 / 1 / 2, no traceback."""

import json
from importlib import resources
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from kpi.cli.commands import main
from tests.builders import SPEC_EXAMPLE, write_summary

DEFAULT_RULES = resources.files("kpi.rules").joinpath("default.toml").read_text("utf-8")


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="kpi")


def test_score_json_is_the_spec_scorecard(spec_workbook: Path):
    result = run("score", str(spec_workbook), "--format", "json", "--vendor", "甲公司")
    assert result.exit_code == 0, result.output
    (card,) = json.loads(result.output)
    assert (card["vendor"], card["month"], card["total_score"]) == ("甲公司", "2024-05", "63.53")
    assert card["categories"] == {"operations": "25.40", "service": "49.63", "other": "2.00"}
    assert [(a["id"], a["points"]) for a in card["adjustments"]][:3] == [
        ("escalated_complaints", "-10.00"),
        ("audit_pass_rate", "-1.50"),
        ("missing_audit_records", "-2.00"),
    ]
    assert card["settlement"] == {
        "valid_calls": 9800,
        "unit_price": "0.85",
        "base_fee": "8330.00",
        "coefficient": "0.6353",
        "adjusted_fee": "5292.05",
        "security_deduction": "833.00",
        "payout": "4459.05",
    }
    repeat = card["metrics"][0]
    assert {
        k: repeat[k] for k in ("id", "label", "category", "assessed", "value", "points", "max_points")
    } == {
        "id": "repeat_2h",
        "label": "二小时重复拨打率",
        "category": "operations",
        "assessed": True,
        "value": "15.5000",
        "points": "8.50",
        "max_points": "10.00",
    }


def test_score_json_thresholds(spec_workbook: Path):
    result = run("score", str(spec_workbook), "--format", "json", "--vendor", "乙公司")
    metrics = {m["id"]: m["points"] for m in json.loads(result.output)[0]["metrics"]}
    assert (metrics["repeat_2h"], metrics["ticket_accuracy"]) == ("7.00", "2.88")


def test_score_table(spec_workbook: Path):
    lines = run("score", str(spec_workbook)).output.splitlines()
    assert lines[0].split() == [
        "月份",
        "外包公司",
        "二小时重复拨打率",
        "服务请求支撑率",
        "质量拨测正确率",
        "在线监听正确率",
        "服务万次投诉率",
        "工单准确率",
        "不满意回访率",
        "业务考试",
        "运营表现",
        "服务表现",
        "其他",
        "扣分/加分",
        "总分",
        "结算金额(元)",
    ]
    # 乙公司 by hand: repeat 1547/9100 = 17% → 7; support 102/9100 = 1.12% → 0; operations 7/15 × 30 = 14.00;
    # complaints 4/9100 × 10⁴ = 4.3956 → 5 − 0.75 × 1.3956 = 3.95; tickets 163/200 → 2.88;
    # service (8.50 + 8.20 + 3.95 + 2.88 + 4.25) / 35 × 60 = 47.6229 → 47.62; total 14.00 + 47.62 + 2.00 − 13.50
    # = 50.12; 8,330.00 × 0.5012 = 4,174.996 → 4,175.00; − 833.00 = 3,342.00.
    assert lines[2].split() == [
        "2024-05",
        "乙公司",
        "7.00",
        "0.00",
        "8.50",
        "8.20",
        "3.95",
        "2.88",
        "4.25",
        "1.00",
        "14.00",
        "47.62",
        "2.00",
        "-13.50",
        "50.12",
        "3,342.00",
    ]
    assert lines[3].split()[-2:] == ["63.53", "4,459.05"]


def test_explain(spec_workbook: Path):
    out = run("explain", str(spec_workbook), "--vendor", "甲公司").output
    assert "  · 二小时重复拨打率：15.5%　得分 8.50 / 10.00" in out
    assert "      计分：14%～17% 之间线性：10 → 7 分" in out
    assert "  小计：28.95 ÷ 35.00 × 60.00 = 49.63" in out
    assert "总分 = 25.40 + 49.63 + 2.00 - 13.50 = 63.53" in out
    assert "  应付金额 = 5,292.05 − 833.00 = 4,459.05 元" in out
    assert "条款：「升级投诉责任数 一件扣5分,上级单位(集团、工信部)确认判责的投诉。」" in out
    # 1,450 of 10,000 is 14.5% → 9.50 (+1); operations (9.50 + 4.20) / 15 × 30 = 27.40 (+2.00) → 65.53;
    # 8,330.00 × 0.6553 = 5,458.649 → 5,458.65; − 833.00 = 4,625.65
    assert (
        "  · 二小时重复拨打率：2小时重复呼叫再减少 100 次可多得 1 分：总分 63.53 → 65.53，应付 4,459.05 → 4,625.65 元"
        in out.splitlines()
    )


def test_settle_writes_statement_and_refuses_overwrite(spec_workbook: Path, tmp_path: Path):
    out = tmp_path / "statement.xlsx"
    result = run("settle", str(spec_workbook), "-o", str(out))
    assert result.exit_code == 0
    assert result.output == f"已写入 {out}：2 行，应付合计 7,801.05 元\n"
    sheet = openpyxl.load_workbook(out)["结算单"]
    assert [c.value for c in sheet[1]] == [
        "月份",
        "外包公司",
        "有效话务量",
        "单价(元)",
        "话务酬金(元)",
        "考核总分",
        "考核系数",
        "考核后酬金(元)",
        "信息安全扣款(元)",
        "应付金额(元)",
        "数据来源",
    ]
    assert [c.value for c in sheet[2]][:2] == ["2024-05", "乙公司"]
    assert [c.value for c in sheet[3]] == [
        "2024-05",
        "甲公司",
        9800,
        0.85,
        8330,
        63.53,
        0.6353,
        5292.05,
        833,
        4459.05,
        "月度指标汇总表",
    ]
    assert sheet["J4"].value == "=SUM(J2:J3)" and sheet["A4"].value == "合计"
    cached = openpyxl.load_workbook(out, data_only=True)["结算单"]
    assert cached["J4"].value == 7801.05
    before = out.read_bytes()
    again = run("settle", str(spec_workbook), "-o", str(out))
    assert again.exit_code == 1 and out.read_bytes() == before
    assert "文件已存在，未覆盖（如需覆盖请加 --force）" in again.output
    assert run("settle", str(spec_workbook), "-o", str(out), "--force").exit_code == 0


def test_validate_lists_every_problem_and_exits_1(tmp_path: Path):
    path = write_summary(
        tmp_path / "bad.xlsx",
        [dict(SPEC_EXAMPLE, valid_calls="九千"), dict(SPEC_EXAMPLE, vendor="乙", agents_total=0)],
    )
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.output == (
        "输入有误，共 3 处问题：\n"
        "  1. 文件「bad.xlsx」，工作表「月度指标」，第 2 行，「有效话务量」列：无法识别的值：发现「九千」，应为非负整数\n"
        "  2. 文件「bad.xlsx」，工作表「月度指标」，第 3 行，「参考人数」列：不能大于「座席总数」（0）：发现「65」，应为≤ 0\n"
        "  3. 文件「bad.xlsx」，工作表「月度指标」，第 3 行，「座席总数」列：座席总数必须大于 0：发现「0」，应为正整数\n"
    )
    assert "Traceback" not in result.output


def test_validate_ok(spec_workbook: Path):
    result = run("validate", str(spec_workbook))
    assert (result.exit_code, result.output) == (0, "检查通过：spec.xlsx，2 行（外包公司 × 月份）。\n")


def test_usage_errors_exit_2(spec_workbook: Path):
    assert run("score", str(spec_workbook), "--month", "2024-5").exit_code == 2
    assert run("score", str(spec_workbook), "--format", "xml").exit_code == 2
    assert run("explain", str(spec_workbook)).exit_code == 2  # --vendor is required


def test_unknown_vendor_and_missing_file(spec_workbook: Path):
    result = run("score", str(spec_workbook), "--vendor", "丙公司")
    assert result.exit_code == 1
    assert (
        "没有符合条件的数据（外包公司「丙公司」）" in result.output
        and "已有：乙公司 2024-05、甲公司 2024-05" in result.output
    )
    missing = run("score", "no-such.xlsx")
    assert (missing.exit_code, missing.output) == (
        1,
        "输入有误，共 1 处问题：\n  1. 文件「no-such.xlsx」：找不到文件\n",
    )


def test_broken_rulebook_from_cli(spec_workbook: Path, tmp_path: Path):
    rules = tmp_path / "r.toml"
    rules.write_text("[contract]\nname = 1\n", "utf-8")
    result = run("score", str(spec_workbook), "--rules", str(rules))
    assert result.exit_code == 1
    assert result.output.startswith("规则本有误，共 ")
    assert "文件「r.toml」，键「contract.name」：类型不对：发现「1」，应为文本" in result.output


def test_a_month_before_the_rulebook_took_effect_is_refused(tmp_path: Path):
    path = write_summary(tmp_path / "old.xlsx", [SPEC_EXAMPLE, dict(SPEC_EXAMPLE, month="2023-12")])
    result = run("score", str(path))
    assert result.exit_code == 1
    assert result.output == (
        "输入有误，共 1 处问题：\n"
        "  1. 文件「old.xlsx」，工作表「月度指标」，第 3 行，「月份」列：该月早于规则本的生效月份 2024-01：发现「2023-12」"
        "，应为2024-01 及以后的月份；更早的月份请用当时的规则本（--rules）\n"
    )
    older = tmp_path / "2023.toml"
    older.write_text(
        DEFAULT_RULES.replace('effective_month = "2024-01"', 'effective_month = "2023-01"'), "utf-8"
    )
    assert run("score", str(path), "--rules", str(older)).exit_code == 0


def test_messages_name_the_summary_sheet_as_found(tmp_path: Path):
    import openpyxl

    path = write_summary(tmp_path / "alias.xlsx", [dict(SPEC_EXAMPLE, month="2023-11")])
    book = openpyxl.load_workbook(path)
    book["月度指标"].title = "汇总"  # an alias the reader accepts
    book.save(path)
    assert (
        "工作表「汇总」，第 2 行，「月份」列：该月早于规则本的生效月份 2024-01"
        in run("validate", str(path)).output
    )


def test_usage_errors_are_in_chinese(spec_workbook: Path):
    wrong_format = run("score", str(spec_workbook), "--format", "xml")
    assert wrong_format.exit_code == 2
    assert wrong_format.output == (
        "用法：kpi score [OPTIONS] WORKBOOK\n查看帮助：kpi score --help\n\n"
        "错误：「--format」的值「xml」无效，应为其中之一：'table', 'json'\n"
    )
    assert run("explain", str(spec_workbook)).output.endswith("错误：缺少必填选项 --vendor\n")
    assert run("score", "--vendo", "甲").output.endswith("错误：没有这个选项：--vendo（是不是 --vendor？）\n")
    assert run("scor").output.endswith("错误：没有这个命令：scor（是不是 score？）\n")
    assert run("score", "--help").output.splitlines()[-1].split() == ["-h,", "--help", "显示帮助并退出"]
