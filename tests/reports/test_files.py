"""Writing safely: formula injection neutralised in .xlsx and .csv, no overwrite, no half files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kpi.cli.commands import main
from kpi.pipeline import assess
from kpi.reports.files import atomic_write, neutralise
from kpi.reports.statement import statement_bytes, statement_csv_bytes, write_statement
from kpi.rules.rulebook import load_rulebook
from tests.workbooks import row, xlsx_bytes

HOSTILE = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def cards(tmp_path_factory) -> list:
    path = tmp_path_factory.mktemp("in") / "hostile.xlsx"
    rows = [row(vendor=v, connected_calls=30000 + i, valid_calls=29000 + i) for i, v in enumerate(HOSTILE)]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(rows)))
    for r in range(2, 2 + len(HOSTILE)):
        book.active.cell(r, 2).data_type = "s"  # text typed in by a user, not a formula
    book.save(path)
    result = assess(path, load_rulebook())
    assert result.problems == ()
    return list(result.cards)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("华信", "华信"),
    ],
)
def test_neutralise(text: str, written: str):
    assert neutralise(text) == written


def test_xlsx_statement_writes_hostile_text_as_text_and_numbers_as_numbers(cards):
    book = openpyxl.load_workbook(io.BytesIO(statement_bytes(cards)))
    sheet = book["结算单"]
    vendors = {sheet.cell(r, 2).value: sheet.cell(r, 2).data_type for r in range(2, 2 + len(cards))}
    assert vendors == dict.fromkeys(HOSTILE, "s")  # string cells: Excel shows them, never runs them
    assert all(isinstance(sheet.cell(r, 3).value, int) for r in range(2, 2 + len(cards)))
    assert all(sheet.cell(r, 10).data_type == "n" for r in range(2, 2 + len(cards)))
    for r in range(2, 2 + len(cards)):  # the only formulas are the totals row's own sums
        assert all(sheet.cell(r, c).data_type != "f" for c in range(1, 11))


def test_csv_statement_neutralises_text_and_keeps_numbers(cards):
    data = statement_csv_bytes(cards)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0][:3] == ["月份", "外包公司", "有效话务量"]
    assert sorted(line[1] for line in lines[1:-1]) == sorted("'" + v for v in HOSTILE)
    assert all(line[2].isdigit() for line in lines[1:])
    assert lines[-1][:2] == ["合计", f"{len(HOSTILE)} 行"]
    assert float(lines[-1][9]) == pytest.approx(sum(float(line[9]) for line in lines[1:-1]))


def test_export_never_overwrites_unless_asked(cards, tmp_path: Path):
    target = tmp_path / "结算单.xlsx"
    target.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        write_statement(cards, target)
    assert target.read_bytes() == b"keep me"
    write_statement(cards, target, force=True)
    assert target.read_bytes().startswith(b"PK")


def test_write_statement_csv_by_suffix(cards, tmp_path: Path):
    target = write_statement(cards, tmp_path / "结算单.csv")
    assert target.read_bytes() == statement_csv_bytes(cards)


def test_a_failure_mid_write_leaves_no_file(tmp_path: Path):
    target = tmp_path / "half.xlsx"

    def write(handle):
        handle.write(b"PK\x03\x04 half of a workbook")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        atomic_write(target, write)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_mid_overwrite_keeps_the_old_file(tmp_path: Path):
    target = tmp_path / "old.csv"
    target.write_bytes(b"old")

    def write(handle):
        handle.write(b"new but")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, write, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["old.csv"] and target.read_bytes() == b"old"


def test_cli_settle_refuses_to_overwrite(tmp_path: Path):
    source = tmp_path / "in.xlsx"
    source.write_bytes(xlsx_bytes([row()]))
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"old")
    result = CliRunner().invoke(main, ["settle", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert (
        result.output
        == f"未写入，共 1 处问题：\n  1. 文件「{out}」：文件已存在，未覆盖（如需覆盖请加 --force）\n"
    )
    assert out.read_bytes() == b"old"


def test_any_report_table_as_csv_keeps_formula_like_text_inert():
    from kpi.reports.files import table_csv_bytes

    data = table_csv_bytes(["发现", "行"], [["=1+1", 3], ["-2", None], ["正常", 4]])
    assert data.decode("utf-8-sig") == "发现,行\r\n'=1+1,3\r\n'-2,\r\n正常,4\r\n"
