"""`kpi score` / `reconcile` / `agents` on workbooks with detail sheets, as a user sees them."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from kpi.cli.commands import main
from tests.builders import SPEC_EXAMPLE, write_summary
from tests.paths import SAMPLE

DETAIL_HEADERS = ["主叫号码", "入队时间", "是否接通", "接通时间", "坐席工号", "外包公司"]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def with_detail(path: Path, calls: list[list[object]]) -> Path:
    """The spec's summary (甲公司, 2024-05) plus a 话务明细 sheet."""
    write_summary(path, [SPEC_EXAMPLE])
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("话务明细")
    sheet.append(DETAIL_HEADERS)
    for row in calls:
        sheet.append(row)
    book.save(path)
    return path


def may(hms: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"2024-05-10 {hms}")


CALLS = [
    ["13800000001", may("10:00:00"), "是", may("10:00:10"), "J1", "甲公司"],
    ["13800000001", may("11:00:00"), "否", None, None, None],
    ["13900000002", may("10:00:00"), "是", may("10:00:30"), "J2", "甲公司"],
    ["13700000003", may("10:00:00"), "是", may("10:00:30"), "J2", "甲公司"],
]


def test_reconcile_flags_the_sample_vendor_claiming_fewer_repeats():
    result = run("reconcile", str(SAMPLE), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    flagged = [r for r in rows if r["flagged"]]
    assert [(r["vendor"], r["key"], r["label"]) for r in flagged] == [
        ("联创呼叫", "repeat_2h_calls", "2小时重复呼叫数")
    ]
    (r,) = flagged
    assert r["summary"] == r["detail"] * 9 // 10 and r["difference"] == r["detail"] - r["summary"] > 0
    assert {x["vendor"] for x in rows} == {"华信客服", "联创呼叫", "众合外包", "远景服务"}
    table = run("reconcile", str(SAMPLE)).output
    assert "共 1 处不一致（⚠）。" in table


def test_score_uses_detail_and_says_so_or_the_summary_with_the_flag():
    by_detail = run("score", str(SAMPLE), "--month", "2024-06", "--vendor", "联创呼叫", "--format", "json")
    by_summary = run(
        "score",
        str(SAMPLE),
        "--month",
        "2024-06",
        "--vendor",
        "联创呼叫",
        "--format",
        "json",
        "--use-summary",
    )
    (d,), (s,) = json.loads(by_detail.output), json.loads(by_summary.output)
    assert d["sources"]["repeat_2h_calls"] == "detail" and s["sources"]["repeat_2h_calls"] == "summary"
    rd, rs = (next(m for m in c["metrics"] if m["id"] == "repeat_2h") for c in (d, s))
    assert float(rd["value"]) > float(rs["value"])  # the detail shows more repeats than claimed
    table = run("score", str(SAMPLE), "--month", "2024-06").output
    assert (
        "众合外包、华信客服、联创呼叫、远景服务的座席总数、接通量" in table
        and "明细与汇总表有 1 处不一致" in table
    )
    assert "未使用话务明细" in run("score", str(SAMPLE), "--month", "2024-06", "--use-summary").output


def test_agents_json_csv_and_vendor_filter(tmp_path):
    result = run("agents", str(SAMPLE), "--vendor", "华信客服", "--format", "json")
    agents = json.loads(result.output)
    assert set(agents[0]) == {
        "agent_id",
        "vendor",
        "connected_calls",
        "repeat_2h_calls",
        "rate",
        "points",
        "rate_exact",
    }
    assert {a["vendor"] for a in agents} == {"华信客服"}
    rows = json.loads(run("reconcile", str(SAMPLE), "--format", "json").output)
    connected = next(r["detail"] for r in rows if r["vendor"] == "华信客服" and r["key"] == "connected_calls")
    assert sum(a["connected_calls"] for a in agents) == connected
    out = tmp_path / "agents.csv"
    assert run("agents", str(SAMPLE), "--format", "csv", "-o", str(out)).exit_code == 0
    lines = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0] == ["agent_id", "vendor", "connected_calls", "repeat_2h_calls", "rate", "points"]
    assert len(lines) - 1 == len(json.loads(run("agents", str(SAMPLE), "--format", "json").output))
    before = out.read_bytes()
    again = run("agents", str(SAMPLE), "--format", "csv", "-o", str(out))
    assert again.exit_code == 1 and "文件已存在，未覆盖（如需覆盖请加 --force）" in again.output
    assert out.read_bytes() == before
    assert run("agents", str(SAMPLE), "--format", "csv", "-o", str(out), "--force").exit_code == 0
    missing = run("agents", str(SAMPLE), "--vendor", "不存在公司")
    assert missing.exit_code == 1 and "明细中没有外包公司「不存在公司」的坐席" in missing.output


def test_small_workbook_detail_figures_replace_summary(tmp_path):
    path = with_detail(tmp_path / "book.xlsx", CALLS)
    (card,) = json.loads(run("score", str(path), "--format", "json").output)
    repeat = next(m for m in card["metrics"] if m["id"] == "repeat_2h")
    assert repeat["inputs"]["repeat_2h_calls"] == "1" and repeat["inputs"]["connected_calls"] == "3"
    assert card["settlement"]["valid_calls"] == 3
    agents = json.loads(run("agents", str(path), "--format", "json").output)
    assert [
        (a["agent_id"], a["connected_calls"], a["repeat_2h_calls"], a["rate"], a["points"]) for a in agents
    ] == [
        ("J1", 1, 1, "100.00", "0.00"),
        ("J2", 2, 0, "0.00", "10.00"),
    ]


def test_detail_problems_stop_scoring_unless_summary_is_asked_for(tmp_path):
    path = with_detail(
        tmp_path / "book.xlsx", [*CALLS, ["13800000009", "昨天", "是", may("10:00:00"), "J1", "甲公司"]]
    )
    result = run("score", str(path))
    assert result.exit_code == 1
    assert (
        "工作表「话务明细」，第 6 行，「入队时间」列：入队时间为空或无法识别：发现「昨天」" in result.output
    )
    assert run("score", str(path), "--use-summary").exit_code == 0


def test_reconcile_without_detail_sheets_is_a_problem(spec_workbook):
    result = run("reconcile", str(spec_workbook))
    assert result.exit_code == 1
    assert "工作簿中没有明细工作表" in result.output


def test_agents_from_a_detail_csv_file(tmp_path):
    path = tmp_path / "话务明细.csv"
    lines = ["主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司"]
    lines += [",".join(map(str, [r[0], r[1], r[2], r[3] or "", r[4] or "", r[5] or ""])) for r in CALLS]
    path.write_text("\n".join(lines), encoding="gb18030")
    agents = json.loads(run("agents", str(path), "--format", "json").output)
    assert [(a["agent_id"], a["connected_calls"], a["repeat_2h_calls"]) for a in agents] == [
        ("J1", 1, 1),
        ("J2", 2, 0),
    ]


def test_committed_sample_detail_is_the_generator_output():
    from kpi.detail.measure import measure_detail
    from kpi.detail.reader import read_detail
    from scripts.make_call_detail import measure_generated
    from scripts.make_sample_data import DETAIL_MONTH, sample_detail

    committed = measure_detail(read_detail(SAMPLE), DETAIL_MONTH)
    fresh = measure_generated(sample_detail(2024), DETAIL_MONTH)
    assert committed.vendors == fresh.vendors
    assert committed.agents == fresh.agents
    # the whole of June for every vendor, at the scale of the other months (see test_sample_data)
    assert [(v.vendor, v.connected_calls) for v in committed.vendors] == [
        ("众合外包", 7585),
        ("华信客服", 8811),
        ("联创呼叫", 5983),
        ("远景服务", 7895),
    ]


def test_a_vendor_in_the_detail_but_not_in_the_summary_is_refused(tmp_path):
    calls = [
        *CALLS,
        ["13600000004", may("12:00:00"), "是", may("12:00:05"), "Y1", "甲公 司"],
        ["13600000005", may("12:10:00"), "是", may("12:10:05"), "Y1", "甲公 司"],
    ]
    path = with_detail(tmp_path / "typo.xlsx", calls)
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.output == (
        "输入有误，共 1 处问题：\n"
        "  1. 文件「typo.xlsx」，工作表「话务明细」，第 6 行，「外包公司」列：话务明细中的外包公司不在月度指标中（共 2 行）"
        "：发现「甲公 司」，应为月度指标中的外包公司：甲公司\n"
    )
    assert run("score", str(path)).exit_code == 1


def test_agents_csv_neutralises_formula_like_ids(tmp_path):
    calls = [["13800000001", may("10:00:00"), "是", may("10:00:10"), "@SUM(A1)", "甲公司"]]
    path = with_detail(tmp_path / "inject.xlsx", calls)
    text = run("agents", str(path), "--format", "csv").output
    assert text.splitlines()[1].startswith("'@SUM(A1),甲公司,1,0,")


def test_a_month_in_several_detail_files(tmp_path):
    summary = write_summary(tmp_path / "summary.xlsx", [SPEC_EXAMPLE])  # no detail sheets of its own
    header = ",".join(DETAIL_HEADERS)
    lines = [",".join("" if v is None else str(v) for v in row) for row in CALLS]
    first, second = tmp_path / "明细1.csv", tmp_path / "明细2.csv"
    first.write_text("\n".join([header, *lines[:2]]) + "\n", "utf-8-sig")  # 10:00 call and its re-entry
    second.write_bytes(("\n".join([header, *lines[2:]]) + "\n").encode("gb18030"))  # the other two calls
    args = ["score", str(summary), "--format", "json", "--detail", str(first), "--detail", str(second)]
    (card,) = json.loads(run(*args).output)
    repeat = next(m for m in card["metrics"] if m["id"] == "repeat_2h")
    assert repeat["inputs"] == {"repeat_2h_calls": "1", "connected_calls": "3"}
    assert card["sources"]["connected_calls"] == "detail"
    only_summary = json.loads(run("score", str(summary), "--format", "json").output)[0]
    assert only_summary["settlement"]["valid_calls"] == 9800
    missing = run("score", str(summary), "--detail", str(tmp_path / "无.csv"))
    assert missing.exit_code == 1 and f"文件「{tmp_path / '无.csv'}」：找不到文件" in missing.output


def test_no_reader_warnings_reach_the_user(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "话务明细"
    sheet.append(
        ["呼叫流水号", *DETAIL_HEADERS[:3], "接通时间", "结束时间", "坐席工号", "外包公司", "通话时长"]
    )
    sheet.append(
        ["c1", "13800000001", "2024-05-10 10:00:00", "否"]
    )  # empty columns: fastexcel warns in English
    book.save(tmp_path / "sparse.xlsx")
    import subprocess
    import sys

    done = subprocess.run(  # a real process: Python's last-resort log handler writes to its stderr
        [sys.executable, "-m", "kpi.cli", "agents", str(tmp_path / "sparse.xlsx")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 3 and lines[2].startswith("注意：2024-05 的话务明细只覆盖部分月份")  # one call only


def test_detail_of_several_months_is_measured_month_by_month(tmp_path):
    june = dict(SPEC_EXAMPLE, month="2024-06")
    path = write_summary(tmp_path / "two.xlsx", [SPEC_EXAMPLE, june])
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("话务明细")
    sheet.append(DETAIL_HEADERS)
    for row in CALLS:  # May's calls, and one June call
        sheet.append(row)
    june_day = dt.datetime(2024, 6, 12, 9)
    sheet.append(["13600000009", june_day, "是", june_day + dt.timedelta(seconds=20), "J1", "甲公司"])
    book.save(path)
    may_card, june_card = json.loads(run("score", str(path), "--format", "json").output)
    assert (may_card["month"], june_card["month"]) == ("2024-05", "2024-06")
    repeat = next(m for m in june_card["metrics"] if m["id"] == "repeat_2h")
    assert repeat["inputs"] == {"repeat_2h_calls": "0", "connected_calls": "1"}
    assert next(m for m in may_card["metrics"] if m["id"] == "repeat_2h")["inputs"]["connected_calls"] == "3"
    table = run("score", str(path)).output
    assert (
        "注意：2024-06 的话务明细只覆盖部分月份：最早的呼叫在 06-12 09:00（月初之后超过 1 天）；"
        "最晚的呼叫在 06-12 09:00（月末之前超过 1 天）。该月按明细中的呼叫计算，请核对是否缺少数据。"
    ) in table
    assert "注意：2024-05 的话务明细只覆盖部分月份：最早的呼叫在 05-10 10:00（月初之后超过 1 天）" in table
    checked = run("validate", str(path))
    assert checked.exit_code == 0
    assert "注意：2024-06 的话务明细只覆盖部分月份" in checked.output
    refused = run("agents", str(path))  # a per-agent table is one month
    assert refused.exit_code == 1
    assert (
        "文件「two.xlsx」，工作表「话务明细」：话务明细含 2 个月的呼叫（2024-05、2024-06），一次只核算一个月"
        in refused.output
    )
    (june_only,) = json.loads(run("agents", str(path), "--month", "2024-06", "--format", "json").output)
    assert june_only["connected_calls"] == 1


def test_footer_names_a_vendor_that_kept_its_summary_figures(tmp_path):
    other = dict(SPEC_EXAMPLE, vendor="乙公司")
    path = write_summary(tmp_path / "two.xlsx", [SPEC_EXAMPLE, other])
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("话务明细")
    sheet.append(DETAIL_HEADERS)
    for row in CALLS:
        sheet.append(row)
    book.save(path)
    table = run("score", str(path)).output
    assert "数据来源：2024-05 甲公司的接通量、转接专家席数、2小时重复呼叫数、有效话务量取自话务明细" in table
    assert "数据来源：2024-05 乙公司的全部数字取自月度指标汇总表（该月话务明细中没有这家公司）。" in table
    cards = json.loads(run("score", str(path), "--format", "json").output)
    assert {c["vendor"]: c["sources"].get("connected_calls") for c in cards} == {
        "乙公司": "summary",
        "甲公司": "detail",
    }


def test_kpi_sources_lists_the_builtins():
    result = run("sources")
    assert result.exit_code == 0
    assert [line.split("\t")[0] for line in result.output.splitlines()] == [
        "asterisk-cdr",
        "asterisk-queue-log",
        "freeswitch-cc",
    ]


def test_agents_through_a_builtin_source(tmp_path):
    from tests import platform_files as pf

    log = tmp_path / "queue_log"
    log.write_bytes(pf.queue_log(pf.sample_calls()))
    roster = tmp_path / "坐席名册.csv"
    roster.write_bytes(pf.roster_csv(lambda a: f"SIP/{a}"))
    result = run(
        "agents",
        str(log),
        "--detail",
        str(log),
        "--detail",
        str(roster),
        "--source",
        "asterisk-queue-log",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["agent_id"], r["vendor"], r["connected_calls"]) for r in rows][:2] == [
        ("SIP/301", "华信客服", 12),
        ("SIP/302", "华信客服", 13),
    ]
    bad = run("agents", str(log), "--source", str(tmp_path / "none.toml"))
    assert bad.exit_code == 1 and "找不到来源配置文件" in bad.output


def test_a_month_the_data_lacks_is_an_error_in_every_command(tmp_path):
    """`kpi agents --month 2017-01` on June data used to print June with exit 0."""
    have = "、".join(
        f"{v} 2024-0{m}" for v in ("众合外包", "华信客服", "联创呼叫", "远景服务") for m in range(1, 7)
    )
    lacking = f"  1. 文件「monthly_2024H1.xlsx」：没有符合条件的数据（月份 2017-01），应为已有：{have}"
    detail = "  1. 文件「monthly_2024H1.xlsx」，工作表「话务明细」：明细中没有 {} 的数据，应为明细所在的月份 2024-06（或换用该月的明细文件）"
    expected = {
        ("score",): lacking,
        ("settle", "-o", str(tmp_path / "s.xlsx")): lacking,
        ("explain", "--vendor", "众合外包"): lacking.replace(
            "（月份 2017-01）", "（月份 2017-01，外包公司「众合外包」）"
        ),
        (
            "validate",
        ): "  1. 文件「monthly_2024H1.xlsx」，工作表「月度指标」，第 3 行，「月份」列：月份不符（只应有 2017-01 的数据）：发现「2024-01」，应为2017-01",
        ("reconcile",): detail.format("2017-01"),
        ("agents",): detail.format("2017-01"),
    }
    for (command, *extra), line in expected.items():
        result = run(command, str(SAMPLE), "--month", "2017-01", *extra)
        assert result.exit_code == 1, command
        assert result.output.splitlines()[1] == line, command
    assert not (tmp_path / "s.xlsx").exists()
    # a month of the summary that the detail lacks: reconciling or listing agents of it is refused too
    for command in ("reconcile", "agents"):
        result = run(command, str(SAMPLE), "--month", "2024-05")
        assert (result.exit_code, result.output.splitlines()[1]) == (1, detail.format("2024-05"))
        assert run(command, str(SAMPLE), "--month", "2024-06").exit_code == 0
