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


def _settle(source: Path, out: str, *extra: str):
    return CliRunner().invoke(main, ["settle", str(source), "-o", out, *extra])


def test_files_keep_the_umask_mode_and_force_keeps_the_existing_mode(tmp_path: Path):
    import os
    import stat
    import subprocess
    import sys

    source = tmp_path / "in.xlsx"
    source.write_bytes(xlsx_bytes([row()]))
    out = tmp_path / "new.xlsx"
    done = subprocess.run(
        f"umask 027 && {sys.executable} -m kpi.cli settle {source} -o {out}", shell=True, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # was 0600 whatever the umask
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"old")
    old.chmod(0o644)
    assert _settle(source, str(old), "--force").exit_code == 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o644 and old.read_bytes().startswith(
        b"PK"
    )  # was reset to 0600
    os.chmod(old, 0o664)
    atomic_write(old, lambda handle: handle.write(b"x"), force=True)
    assert stat.S_IMODE(old.stat().st_mode) == 0o664


def test_two_writers_cannot_both_win(tmp_path: Path):
    """The other writer finishes while this one is writing: this one must not replace its file."""
    target = tmp_path / "结算单.csv"

    def write(handle):
        handle.write(b"mine")
        target.write_bytes(b"theirs")  # the other writer got there first

    with pytest.raises(FileExistsError):
        atomic_write(target, write)
    assert target.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["结算单.csv"]  # no temporary file left


def test_sigterm_mid_write_leaves_no_temporary_file(tmp_path: Path):
    import subprocess
    import sys

    script = (
        "import os, signal, sys\n"
        "from kpi.reports.files import atomic_write\n"
        "def write(handle):\n"
        "    handle.write(b'half')\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    handle.write(b'never')\n"
        f"atomic_write({str(tmp_path / 'out.csv')!r}, write)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 143, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_dangling_symlink_is_not_replaced_without_force(tmp_path: Path):
    source = tmp_path / "in.xlsx"
    source.write_bytes(xlsx_bytes([row()]))
    link = tmp_path / "out.xlsx"
    link.symlink_to(tmp_path / "nowhere.xlsx")
    result = _settle(source, str(link))
    assert (result.exit_code, result.output) == (
        1,
        f"未写入，共 1 处问题：\n  1. 文件「{link}」：文件已存在，未覆盖（如需覆盖请加 --force）\n",
    )
    assert link.is_symlink() and not (tmp_path / "nowhere.xlsx").exists()


def test_an_output_named_like_a_folder_is_refused(tmp_path: Path, monkeypatch):
    source = tmp_path / "in.xlsx"
    source.write_bytes(xlsx_bytes([row()]))
    monkeypatch.chdir(tmp_path)
    for out in ("newdir/", str(tmp_path) + "/"):
        result = _settle(source, out)
        assert (result.exit_code, result.output) == (
            1,
            f"未写入，共 1 处问题：\n  1. 文件「{out}」：这是文件夹，不是文件名，应为文件名，如 结算单/2024-06.xlsx\n",
        )
    missing = _settle(source, "无此目录/结算单.xlsx")
    assert missing.output == (
        "未写入，共 1 处问题：\n  1. 文件「无此目录/结算单.xlsx」：文件夹「无此目录」不存在，应为已有的文件夹\n"
    )
    from tests.paths import SAMPLE

    agents = CliRunner().invoke(main, ["agents", str(SAMPLE), "--format", "csv", "-o", "newdir/"])
    assert (agents.exit_code, agents.output.splitlines()[1]) == (
        1,
        "  1. 文件「newdir/」：这是文件夹，不是文件名，应为文件名，如 结算单/2024-06.xlsx",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]
