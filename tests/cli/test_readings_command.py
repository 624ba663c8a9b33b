"""`kpi readings` on the spec's worked example (total 63.53, payout 4,459.05): every figure of issue 15,
hand-checked, as a row of the command's output."""

import json
from pathlib import Path

from click.testing import CliRunner

from kpi.cli.commands import main
from tests.builders import SPEC_EXAMPLE, write_summary


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="kpi")


def rows_of(workbook: Path) -> dict[str, dict[str, str]]:
    result = run("readings", str(workbook), "--month", "2024-05", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert all(
        list(r) == ["vendor", "clause", "reading", "total_score", "payout", "delta_total", "delta_payout"]
        for r in rows
    )
    return {r["reading"]: r for r in rows}


def figures(row: dict[str, str]) -> tuple[str, str, str, str]:
    return (row["total_score"], row["payout"], row["delta_total"], row["delta_payout"])


def test_each_reading_on_the_spec_example(tmp_path: Path):
    rows = rows_of(write_summary(tmp_path / "spec.xlsx", [SPEC_EXAMPLE]))
    # callback 90%: curve from 0 at 80% gives 2.5, not 4.25 → service 27.20 / 35 × 60 = 46.63
    assert figures(rows["80% 得 0 分（从 0 线性到 100% 满分）"]) == ("60.53", "4209.15", "-3.00", "-249.90")
    # monitoring 92%: 3 + 7 × 2/5 = 5.8, not 8.2 → service 26.55 / 35 × 60 = 45.51
    assert figures(rows["「37分」读作 3 分"]) == ("59.41", "4115.85", "-4.12", "-343.20")
    # audit 93.5%: 1.5 points short → 1 (whole) or 2 (started)
    assert figures(rows["按整点扣（如 93.5% 扣 1 分）"]) == ("64.03", "4500.70", "+0.50", "+41.65")
    assert figures(rows["按起始点扣（如 93.5% 扣 2 分）"]) == ("63.03", "4417.40", "-0.50", "-41.65")
    # support 4.2 under 服务表现: operations 8.5 / 10 × 30 = 25.50, service 33.15 / 40 × 60 = 49.73
    assert figures(rows["计入服务表现"]) == ("63.73", "4475.71", "+0.20", "+16.66")
    # plain sums: 12.70 + 28.95 + 1.00 − 13.50
    assert figures(rows["各项得分直接相加（不折算）"]) == ("29.15", "1595.20", "-34.38", "-2863.85")
    # 10% of the adjusted fee 5,292.05 = 529.21, not 833.00
    assert figures(rows["考核后的酬金"]) == ("63.53", "4762.84", "+0.00", "+303.79")
    # the rulebook's own readings: no change
    assert figures(rows["80% 得 3.5 分（满分的 70%，同重复拨打率、投诉率）"]) == (
        "63.53",
        "4459.05",
        "+0.00",
        "+0.00",
    )
    assert rows["考核后的酬金"]["vendor"] == "甲公司"
    assert rows["考核后的酬金"]["clause"] == "如出现一宗信息安全违规事件,扣除当月话务酬金的10%,多项出现则累加"


def test_exam_held_with_no_takers(tmp_path: Path):
    example = dict(SPEC_EXAMPLE, exam_takers=0, exam_average=None)  # held, sat by none of 100 agents
    rows = rows_of(write_summary(tmp_path / "exam.xlsx", [example]))
    assert figures(rows["扣参考率 2 分并按最低档扣 5 分"]) == ("61.53", "4292.45", "+0.00", "+0.00")
    assert figures(rows["只扣参考率 2 分"]) == ("67.53", "4792.25", "+6.00", "+499.80")
    assert figures(rows["未考核"]) == ("71.53", "5125.45", "+10.00", "+833.00")


def test_table_marks_the_rulebook_reading_and_says_what_was_left_out(tmp_path: Path):
    workbook = write_summary(tmp_path / "spec.xlsx", [SPEC_EXAMPLE])
    result = run("readings", str(workbook), "--month", "2024-05", "--vendor", "甲公司")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "外包公司",
        "条款",
        "解读",
        "总分",
        "结算金额(元)",
        "总分变化",
        "金额变化(元)",
    ]
    row = next(line for line in lines if "80% 得 0 分" in line)
    assert row.startswith(
        "甲公司    不满意回访率：回访率恰为 80% 的分数    80% 得 0 分（从 0 线性到 100% 满分）  "
    )
    assert row.split()[-4:] == ["60.53", "4,209.15", "-3.00", "-249.90"]
    row = next(line for line in lines if "「37分」读作 3 分" in line)
    assert row.split()[-4:] == ["59.41", "4,115.85", "-4.12", "-343.20"]
    row = next(line for line in lines if "「37分」读作 7 分" in line)
    assert "读作 7 分（规则本）" in row and row.split()[-2:] == ["+0.00", "+0.00"]
    assert (
        lines[-1]
        == "「二小时重复拨打率：计数口径」只影响按话务明细计算的数字；本次的数字不是取自话务明细，未列出。"
    )


def test_month_is_required_and_an_unknown_vendor_is_exit_1(tmp_path: Path):
    workbook = write_summary(tmp_path / "spec.xlsx", [SPEC_EXAMPLE])
    assert run("readings", str(workbook)).exit_code == 2
    result = run("readings", str(workbook), "--month", "2024-05", "--vendor", "丙公司")
    assert result.exit_code == 1
    assert "没有符合条件的数据（月份 2024-05，外包公司「丙公司」）" in result.output


def test_explain_names_each_non_literal_reading_that_decided_something(tmp_path: Path):
    workbook = write_summary(tmp_path / "spec.xlsx", [SPEC_EXAMPLE])
    result = run("explain", str(workbook), "--vendor", "甲公司")
    assert result.exit_code == 0, result.output
    section = result.output.split("【本评分采用的条款解读】")[1].split("【如何多得分】")[0]
    named = [line.strip()[2:].split("（")[0] for line in section.splitlines() if line.startswith("  · ")]
    assert named == [
        "不满意回访率：回访率恰为 80% 的分数：80% 得 3.5 分",
        "在线监听正确率：「37分」：「37分」读作 7 分",
        "业务稽核合格率：不足 1 个百分点：按比例扣",
        "服务请求支撑率：所属类别：计入运营表现",
        "类别得分：30/60/10 是权重还是分数之和：按权重折算",
        "信息安全扣款：按哪一笔酬金的 10%：考核前的话务酬金",
    ]
    assert (
        "  · 在线监听正确率：「37分」：「37分」读作 7 分（按「「37分」读作 3 分」总分 -4.12、应付 -343.20 元）\n"
        "      条款：「正确率目标值为95%,基准值为90%,大于等于目标值满分,小于等于基准值得37分,基准值与目标值之间线性计分。」"
    ) in section
    # the settlement rule is an assumption, said in the settlement part
    assert "  结算规则：系数 = 总分 ÷ 100（合同未规定得分与金额的换算，此为规则本的假设）\n" in result.output


def test_explain_says_when_the_exam_was_held_and_sat_by_nobody(tmp_path: Path):
    example = dict(SPEC_EXAMPLE, exam_takers=0, exam_average=None)
    result = run("explain", str(write_summary(tmp_path / "exam.xlsx", [example])), "--vendor", "甲公司")
    assert result.exit_code == 0, result.output
    assert (
        "      计分：参考人数为 0（考试已组织、无人参加）：参考率 0.00% < 70%，扣 2；"
        "无人参考，按最低档扣 5（不参考不应比参考不及格得分高）；共扣 5（扣完为止）"
    ) in result.output
    assert (
        "  · 业务考试：已组织但无人参考：扣参考率 2 分并按最低档扣 5 分"
        "（按「只扣参考率 2 分」总分 +6.00、应付 +499.80 元；按「未考核」总分 +10.00、应付 +833.00 元）"
    ) in result.output


def test_statement_says_which_settlement_rule_was_assumed(tmp_path: Path):
    import openpyxl

    workbook = write_summary(tmp_path / "spec.xlsx", [SPEC_EXAMPLE])
    out = tmp_path / "结算单.xlsx"
    assert run("settle", str(workbook), "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out)["结算单"]
    assert sheet["A5"].value == "结算规则：系数 = 总分 ÷ 100（合同未规定得分与金额的换算，此为规则本的假设）"
