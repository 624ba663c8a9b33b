"""`kpi statement` and `kpi evidence` as a user runs them, on the bundled sample data and the spec
example: payouts equal `kpi settle`'s to the fen, files never overwritten, exact pairs."""

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kpi.cli.commands import main
from tests.paths import SAMPLE


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="kpi")


def settle_payouts(tmp_path: Path, month: str) -> dict[str, Decimal]:
    out = tmp_path / "settle.xlsx"
    assert run("settle", str(SAMPLE), "--month", month, "-o", str(out)).exit_code == 0
    ws = openpyxl.load_workbook(out)["结算单"]
    return {
        r[1]: Decimal(str(r[9])).quantize(Decimal("0.01"))
        for r in ws.iter_rows(min_row=2, values_only=True)
        if r[0] == month
    }


@pytest.mark.parametrize("month", ["2024-05", "2024-06"])
def test_statement_payouts_equal_settle_to_the_fen(tmp_path: Path, month: str):
    expected = settle_payouts(tmp_path, month)
    out = tmp_path / "全部.xlsx"
    result = run("statement", str(SAMPLE), "--month", month, "-o", str(out))
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["结算单"]
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "外包公司" and r[7] == "应付金额")
    got = {}
    for r in rows[start + 1 :]:
        if str(r[0]).startswith("合计"):
            total = Decimal(str(r[7])).quantize(Decimal("0.01"))
            break
        got[r[0]] = Decimal(str(r[7])).quantize(Decimal("0.01"))
    assert got == expected
    assert total == sum(expected.values())
    assert f"应付 {total:,.2f} 元" in result.output


def test_june_statement_pdf_of_each_vendor(tmp_path: Path):
    expected = settle_payouts(tmp_path, "2024-06")
    assert expected["联创呼叫"] == Decimal("973.37")
    for vendor, payout in expected.items():
        out = tmp_path / f"{vendor}.pdf"
        result = run("statement", str(SAMPLE), "--month", "2024-06", "--vendor", vendor, "-o", str(out))
        assert result.exit_code == 0, result.output
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert f"应付金额：{payout:,.2f} 元" in text
        fp = re.search(r"指纹 ([0-9a-f]{64})", result.output)[1]
        assert text.count(fp) == text.count("\f")  # on every page
    assert (
        "人民币玖佰柒拾叁元叁角柒分"
        in subprocess.run(
            ["pdftotext", str(tmp_path / "联创呼叫.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
    )


def test_statement_refuses_to_overwrite_and_wrong_suffix(tmp_path: Path):
    out = tmp_path / "结算单.pdf"
    out.write_bytes(b"mine")
    result = run("statement", str(SAMPLE), "--month", "2024-06", "-o", str(out))
    assert result.exit_code == 1
    assert "文件已存在，未覆盖（如需覆盖请加 --force）" in result.output
    assert out.read_bytes() == b"mine"
    assert run("statement", str(SAMPLE), "--month", "2024-06", "-o", str(out), "--force").exit_code == 0
    bad = run("statement", str(SAMPLE), "--month", "2024-06", "-o", str(tmp_path / "x.docx"))
    assert bad.exit_code == 2
    assert "「-o」的值无效：文件名应以 .pdf 或 .xlsx 结尾，收到「x.docx」" in bad.output
    assert run("statement", str(SAMPLE), "-o", str(tmp_path / "y.pdf")).exit_code == 2  # --month is required
    folder = run("statement", str(SAMPLE), "--month", "2024-06", "-o", "新目录/")
    assert folder.exit_code == 2
    assert "「-o」的值无效：「新目录/」是文件夹，应为文件名（以 .pdf 或 .xlsx 结尾）" in folder.output


def test_statement_unknown_vendor_is_a_located_problem(tmp_path: Path):
    result = run(
        "statement", str(SAMPLE), "--month", "2024-06", "--vendor", "无此公司", "-o", str(tmp_path / "x.pdf")
    )
    assert result.exit_code == 1
    assert "没有符合条件的数据（月份 2024-06，外包公司「无此公司」）" in result.output


def test_evidence_of_a_vendor_and_an_agent(tmp_path: Path):
    out = tmp_path / "证据.xlsx"
    result = run("evidence", str(SAMPLE), "--vendor", "联创呼叫", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (
        result.output == f"已写入 {out}：1,129 通重复呼叫（联创呼叫，2024-06）\n"
    )  # kpi reconcile's 明细 figure
    ws = openpyxl.load_workbook(out)["重复呼叫明细"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 1129
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", r[1]) for r in rows)
    assert all(0 < r[7] <= 120 for r in rows)
    agent = tmp_path / "LC1006.xlsx"
    result = run("evidence", str(SAMPLE), "--vendor", "联创呼叫", "--agent", "LC1006", "-o", str(agent))
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(agent)["重复呼叫明细"]
    assert ws["A1"].value == "联创呼叫 坐席 LC1006　2024-06 二小时重复呼叫明细"
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 52 and {r[5] for r in rows} == {"LC1006"}  # kpi agents: LC1006 has 52 repeats
    again = run("evidence", str(SAMPLE), "--vendor", "联创呼叫", "--agent", "LC1006", "-o", str(agent))
    assert again.exit_code == 1 and "文件已存在" in again.output


def test_statement_and_evidence_take_a_source_profile(tmp_path: Path):
    """--source, as every command that reads call detail: a platform export's profile never applies
    to the workbook's own 话务明细 sheets, so the sample's figures stay the same."""
    out = tmp_path / "证据.xlsx"
    result = run(
        "evidence", str(SAMPLE), "--vendor", "联创呼叫", "--source", "asterisk-queue-log", "-o", str(out)
    )
    assert result.output == f"已写入 {out}：1,129 通重复呼叫（联创呼叫，2024-06）\n"
    pdf = tmp_path / "结算单.pdf"
    result = run(
        "statement", str(SAMPLE), "--month", "2024-06", "--vendor", "联创呼叫", "--source", "asterisk-queue-log",
        "-o", str(pdf),
    )  # fmt: skip
    assert result.exit_code == 0 and "应付 973.37 元" in result.output  # the README's June table
    plain = run(
        "statement", str(SAMPLE), "--month", "2024-06", "--vendor", "联创呼叫", "-o", str(tmp_path / "b.pdf")
    )
    assert "应付 973.37 元" in plain.output
    # the same figures, but another input: the profile is part of the fingerprint
    assert result.output.split("指纹 ")[1] != plain.output.split("指纹 ")[1]
    unknown = run("evidence", str(SAMPLE), "--vendor", "联创呼叫", "--source", "no-such", "-o", str(out))
    assert unknown.exit_code == 1


def test_evidence_needs_call_detail_and_a_known_vendor(tmp_path: Path, spec_workbook: Path):
    result = run("evidence", str(spec_workbook), "--vendor", "甲公司", "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 1
    assert "工作簿中没有话务明细" in result.output
    result = run("evidence", str(SAMPLE), "--vendor", "无此公司", "-o", str(tmp_path / "y.xlsx"))
    assert result.exit_code == 1
    assert "明细中 2024-06 没有外包公司「无此公司」的接通电话" in result.output


@pytest.mark.parametrize("command", ["statement", "evidence"])
def test_help_is_chinese(command: str):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "-h, --help" in result.output and "显示帮助并退出" in result.output


def test_evidence_of_a_month_without_call_detail_is_refused(tmp_path: Path):
    result = run(
        "evidence", str(SAMPLE), "--vendor", "联创呼叫", "--month", "2024-05", "-o", str(tmp_path / "x.xlsx")
    )
    assert result.exit_code == 1
    assert "话务明细中没有 2024-05 的呼叫" in result.output and "明细所在的月份 2024-06" in result.output
    assert not (tmp_path / "x.xlsx").exists()
