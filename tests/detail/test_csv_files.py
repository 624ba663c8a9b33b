"""The CSV detail path (kpi.detail.csv_files): streamed by pyarrow from the file's bytes, with the
same results as the .xlsx path, and files limited by their rows rather than their bytes."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from click.testing import CliRunner

from kpi.cli.commands import main
from kpi.detail.csv_files import csv_table
from kpi.detail.measure import measure_detail
from kpi.detail.reader import read_detail, read_detail_bytes
from kpi.detail.repeats import default_settings
from kpi.detail.source import ReadOptions
from kpi.files.safety import DEFAULT_LIMITS
from scripts.make_call_detail import make_detail, measure_generated, write_csv, write_xlsx
from tests.workbooks import two_rows, xlsx_bytes

HEADER = "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n"
ROW = "1380000{:04d},2024-06-10 10:{:02d}:00,是,2024-06-10 10:{:02d}:10,A1,华信客服\n"


@pytest.mark.parametrize("pieces", [False, True], ids=["xlsx-whole", "xlsx-in-pieces"])
def test_csv_and_xlsx_give_the_same_agents_call_for_call(tmp_path, monkeypatch, pieces):
    """The .xlsx read whole, and in 4 MiB pieces (6 of them) on two cores (kpi.files.pieces; by default
    only a sheet of 32 MiB of XML or more, about 60,000 rows, is cut)."""
    if pieces:
        monkeypatch.setattr("kpi.detail.workbook.SPLIT_BYTES", 0)
        monkeypatch.setattr("kpi.detail.workbook.PIECE_BYTES", 4 << 20)
        monkeypatch.setattr("os.cpu_count", lambda: 2)
    detail = make_detail(rows=50_000, agents=200, seed=7)
    write_csv(detail, tmp_path / "明细.csv")
    write_xlsx(detail, tmp_path / "明细.xlsx")
    from_csv = read_detail(tmp_path / "明细.csv")
    from_xlsx = read_detail(tmp_path / "明细.xlsx")
    assert from_csv.problems == () and from_xlsx.problems == ()
    assert len(from_csv.calls) == len(from_xlsx.calls) == 50_000
    settings = default_settings()
    by_csv = measure_detail(replace(from_xlsx, calls=from_csv.calls), "2024-06", settings)
    by_xlsx = measure_detail(from_xlsx, "2024-06", settings)
    assert by_csv.agents == by_xlsx.agents and by_csv.vendors == by_xlsx.vendors
    expected = measure_generated(detail, "2024-06")  # the generator's own figures, without a file
    assert by_csv.agents == expected.agents
    assert len(by_csv.agents) == 200 and sum(a.repeat_2h_calls for a in by_csv.agents) > 1000


def _rows(n: int) -> str:
    return HEADER + "".join(ROW.format(i, i % 60, i % 60) for i in range(n))


def test_a_file_with_more_rows_than_the_limit_is_refused_by_rows_not_bytes(tmp_path):
    path = tmp_path / "明细.csv"
    path.write_text(_rows(30), encoding="utf-8")
    few = replace(DEFAULT_LIMITS, max_rows=10)
    data = read_detail(path, options=ReadOptions(limits=few))
    assert [str(p) for p in data.problems] == [
        "文件「明细.csv」：明细文件行数过多（上限 10 行）：发现「31 行以上」，应为一个月的明细"
        "（上限可用命令行选项 --max-rows 或看板的环境变量 KPI_MAX_ROWS 调高）"
    ]
    assert read_detail(path).problems == ()  # the default admits it
    uploaded = read_detail_bytes(_rows(30).encode(), "明细.csv", options=ReadOptions(limits=few))
    assert [p.message for p in uploaded.problems] == ["明细文件行数过多（上限 10 行）"]


def test_rows_over_the_limit_after_title_lines_are_counted_by_the_parser(tmp_path):
    path = tmp_path / "明细.csv"
    path.write_text(_rows(12), encoding="utf-8")
    data = read_detail(path, options=ReadOptions(limits=replace(DEFAULT_LIMITS, max_rows=10)))
    assert [str(p) for p in data.problems] == [
        "文件「明细.csv」：明细文件行数过多（上限 10 行）：发现「12 行以上」，应为一个月的明细"
        "（上限可用命令行选项 --max-rows 或看板的环境变量 KPI_MAX_ROWS 调高）"
    ]


def test_the_default_limit_admits_twenty_million_rows_and_has_no_byte_cap():
    assert DEFAULT_LIMITS.max_rows == 20_000_000


def test_a_stretch_without_line_breaks_is_refused_unread(tmp_path):
    path = tmp_path / "明细.csv"
    with open(path, "wb") as handle:
        handle.write(HEADER.encode())
        handle.truncate(5 * 2**20)  # a sparse file: megabytes of zeros, no line break
    data = read_detail(path)
    assert [p.message for p in data.problems] == ["有一行过长（超过 1,048,576 字节）"]


def test_max_rows_on_the_command_line(tmp_path):
    detail = tmp_path / "明细.csv"
    detail.write_text(_rows(30), encoding="utf-8")
    summary = tmp_path / "指标.xlsx"
    summary.write_bytes(xlsx_bytes(two_rows()))
    args = ["reconcile", str(summary), "--detail", str(detail), "--month", "2024-06"]
    refused = CliRunner().invoke(main, [*args, "--max-rows", "5"])
    assert refused.exit_code == 1
    assert "文件「明细.csv」：明细文件行数过多（上限 5 行）" in refused.output
    read = CliRunner().invoke(main, [*args, "--max-rows", "100"])
    assert "行数过多" not in read.output


def test_an_xlsx_read_by_its_needed_columns_still_matches_headers_as_written(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "话务明细"
    sheet.append(["备注", " 主叫号码 ", "入队时间", "是否接通", "接通时间", "坐席工号", "外包公司"])
    sheet.append(
        ["随便写的", "13800000001", "2024-06-10 10:00:00", "是", "2024-06-10 10:00:10", "A1", "华信客服"]
    )
    book.save(tmp_path / "明细.xlsx")
    data = read_detail(tmp_path / "明细.xlsx")
    assert data.problems == ()
    assert list(data.calls["caller"]) == ["13800000001"]
    assert list(data.calls["agent_id"]) == ["A1"]


def test_times_read_at_parse_time_are_quoted_as_written():
    """Time columns of the usual shape become times while the file is parsed; a message about such a
    cell still quotes the file's text (an empty cell as empty), as the text columns did."""
    text = (
        "主叫号码,入队时间,是否接通,接通时间,结束时间,坐席工号,外包公司\n"
        "13800000001,2024-06-10 10:00:00,是,2024-06-10 09:00:00,2024-06-10 10:05:00,A1,华信客服\n"
        "13800000002,,是,2024-06-10 10:00:10,2024-06-10 10:05:00,A1,华信客服\n"
        "13800000003,2024-06-10 10:00:00,是,2024-06-10 10:00:10,2024-06-10 10:00:05,A1,华信客服\n"
    )
    (table,), _ = csv_table(text.encode(), "明细.csv")
    assert table.typed == {"queue_time", "answer_time", "end_time"}
    data = read_detail_bytes(text.encode(), "明细.csv")
    assert [(p.message, p.row, p.column, p.value) for p in data.problems] == [
        ("入队时间为空或无法识别", 3, "入队时间", ""),
        ("接通时间早于入队时间", 2, "接通时间", "2024-06-10 09:00:00"),
        ("结束时间早于接通时间", 4, "结束时间", "2024-06-10 10:00:05"),
    ]
    assert len(data.calls) == 0


def test_a_large_file_is_parsed_from_its_path_with_the_same_results(tmp_path, monkeypatch):
    """Past RELEASE_BYTES the bytes read for the checks are let go and pyarrow parses the file
    itself: ragged lines, a GB18030 file and a header-only file come out as from the bytes."""
    import kpi.detail.csv_files as csv_files

    ragged = tmp_path / "明细.csv"
    ragged.write_text(_rows(200).replace("A1,华信客服\n", "A1,华信客服,多余\n", 1), encoding="utf-8")
    gbk = tmp_path / "明细2.csv"
    gbk.write_bytes(_rows(100).encode("gb18030"))
    empty = tmp_path / "明细3.csv"
    empty.write_text(HEADER, encoding="utf-8")
    before = [read_detail(p) for p in (ragged, gbk, empty)]
    monkeypatch.setattr(csv_files, "RELEASE_BYTES", -1)
    held = [ragged.read_bytes()]
    tables, _ = csv_table(held, "明细.csv", path=ragged)
    assert held == [] and tables[0].rows == 199  # handed over and let go; the ragged line left out
    after = [read_detail(p) for p in (ragged, gbk, empty)]
    for one, two in zip(before, after, strict=True):
        assert [str(p) for p in two.problems] == [str(p) for p in one.problems]
        assert (two.calls is None and one.calls is None) or two.calls.equals(one.calls)
    assert [p.row for p in after[0].problems] == [2] and len(after[1].calls) == 100


def test_a_file_over_head_only_is_read_from_its_head_and_path_with_the_same_results(tmp_path, monkeypatch):
    """A text file over kpi.disk.HEAD_ONLY bytes is never read whole: its head gives the encoding
    and header, the count of its lines said whether it is all UTF-8. A GB18030 file whose first
    3 MB are ASCII, a file with a byte of no encoding, a ragged line: as from the bytes."""
    import kpi.disk as disk

    ascii_rows = _rows(50_000).replace("华信客服", "HX")  # ~3 MB without a non-ASCII byte
    late_gbk = tmp_path / "明细.csv"
    late_gbk.write_bytes((ascii_rows + ROW.format(1, 2, 3)).encode("gb18030"))
    broken = tmp_path / "明细2.csv"
    broken.write_bytes(ascii_rows.encode() + b"13800000001,2024-06-10 10:00:00,\xff,,,\n")
    ragged = tmp_path / "明细3.csv"
    ragged.write_text(_rows(200).replace("A1,华信客服\n", "A1,华信客服,多余\n", 1), encoding="utf-8")
    paths = (late_gbk, broken, ragged)
    before = [read_detail_bytes(p.read_bytes(), p.name) for p in paths]
    monkeypatch.setattr(disk, "HEAD_ONLY", 100)
    assert isinstance(
        disk.read_capped(late_gbk, "明细.csv", 0, "", (10**6, 10**6, 2**20, lambda head: False))[0],
        disk.TextHead,
    )
    after = [read_detail(p) for p in paths]
    for one, two in zip(before, after, strict=True):
        assert [str(p) for p in two.problems] == [str(p) for p in one.problems]
        assert (two.calls is None and one.calls is None) or two.calls.equals(one.calls)
    assert len(after[0].calls) == 50_001 and after[0].calls["vendor"].iloc[-1] == "华信客服"
    assert [p.message for p in after[1].problems] == ["CSV 文件的编码无法识别"]
    assert [p.row for p in after[2].problems] == [2] and len(after[2].calls) == 199


def _with_later(rows: int, line: int, cells: str) -> str:
    """`rows` good rows with the `line`-th (a file line number) replaced by `cells`."""
    lines = _rows(rows).splitlines(keepends=True)
    lines[line - 1] = cells + "\n"
    return "".join(lines)


LATER = {
    "a slash date past the first rows": "13800009999,2024/06/10 10:00:00,是,2024-06-10 10:00:10,A1,华信客服",
    "NULL for an unanswered call's answer": "13800009999,2024-06-10 10:00:00,否,NULL,,",
    "a time without seconds": "13800009999,2024-06-10 10:07,是,2024-06-10 10:07:30,A1,华信客服",
    "a T between date and time": "13800009999,2024-06-10T10:07:00,是,2024-06-10T10:07:30,A1,华信客服",
    "an offset": "13800009999,2024-06-10 10:07:00+08:00,是,2024-06-10 02:07:30Z,A1,华信客服",
    "an impossible hour": "13800009999,2024-06-10 24:07:00,是,2024-06-10 10:07:30,A1,华信客服",
    "a ragged line": "13800009999,2024-06-10 10:07:00,是,2024-06-10 10:07:30,A1,华信客服,多余",
}


@pytest.mark.parametrize("case", sorted(LATER))
def test_times_read_by_the_parser_give_what_the_text_reading_gives(tmp_path, monkeypatch, case):
    """When the first rows' times are of the usual shape the parser reads the time columns as times;
    a cell it cannot read that way sends the file back to the text reading, so every file gives the
    same calls and the same problems either way."""
    import kpi.detail.csv_files as csv_files

    path = tmp_path / "明细.csv"
    path.write_text(_with_later(120, 90, LATER[case]), encoding="utf-8")
    by_parser = read_detail(path)
    monkeypatch.setattr(csv_files, "COMMON_TIME", re.compile("(?!)"))  # never: always as text
    as_text = read_detail(path)
    assert [str(p) for p in by_parser.problems] == [str(p) for p in as_text.problems]
    assert by_parser.calls.equals(as_text.calls)
    assert len(as_text.calls) >= 118


def test_null_in_a_time_column_is_not_an_empty_time(tmp_path):
    path = tmp_path / "明细.csv"
    path.write_text(_with_later(40, 30, LATER["NULL for an unanswered call's answer"]), encoding="utf-8")
    assert [(p.message, p.row, p.value) for p in read_detail(path).problems] == [
        ("接通时间无法识别", 30, "NULL")
    ]


IDS = ReadOptions(call_ids=False)
ID_HEADER = "呼叫流水号,主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n"


def _with_ids(times: str = "2024-06-10 10:{:02d}:00", rows: int = 6) -> str:
    lines = [
        f"C{i:03d},1380000{i:04d},{times.format(i)},是,{times.format(i)},A1,华信客服\n" for i in range(rows)
    ]
    return ID_HEADER + "".join(lines)


def test_without_call_ids_the_calls_are_the_same_but_for_their_ids(tmp_path):
    """A score names no call: its 呼叫流水号 column is not parsed (5M rows: ~90 MB, 0.1-0.4 s)."""
    detail = make_detail(rows=5_000, agents=40, seed=11)
    write_csv(detail, tmp_path / "明细.csv")
    whole, lean = read_detail(tmp_path / "明细.csv"), read_detail(tmp_path / "明细.csv", options=IDS)
    assert whole.problems == lean.problems == ()
    assert whole.calls["call_id"].str.startswith("2024").all()
    assert (lean.calls["call_id"] == "").all()
    assert lean.calls.drop(columns="call_id").equals(whole.calls.drop(columns="call_id"))
    settings = default_settings()
    assert measure_detail(lean, "2024-06", settings) == measure_detail(whole, "2024-06", settings)


@pytest.mark.parametrize(
    "times", ["2024-06-10 10:{:02d}:00", "2024/06/10 10:{:02d}"], ids=["parsed-as-times", "parsed-as-text"]
)
def test_without_call_ids_a_total_line_is_still_told_by_its_call_id_column(tmp_path, times):
    """A row without a queue time may be a 合计 line, told by its 呼叫流水号: that column is then
    parsed after all, and the line is left out as with every column read."""
    path = tmp_path / "明细.csv"
    path.write_text(
        _with_ids(times) + "合计,,,,,,\n" + "C900,13900000000,,是,,A1,华信客服\n", encoding="utf-8"
    )
    whole, lean = read_detail(path), read_detail(path, options=IDS)
    assert (
        [str(p) for p in lean.problems]
        == [str(p) for p in whole.problems]
        == [
            "文件「明细.csv」，第 9 行，「入队时间」列：入队时间为空或无法识别，应为日期时间，如 2024-06-01 09:30:00",
            "文件「明细.csv」，第 9 行，「接通时间」列：已接通的呼叫缺少接通时间或无法识别，应为日期时间",
        ]
    )  # the 合计 line (row 8) left out, the call without times (row 9) refused
    assert lean.calls.equals(whole.calls) and len(lean.calls) == 6
    assert list(lean.calls["call_id"]) == [f"C{i:03d}" for i in range(6)]


def test_without_call_ids_a_ragged_line_is_reported_once_when_the_ids_are_read_after_all(tmp_path):
    path = tmp_path / "明细.csv"
    path.write_text(_with_ids() + "C800,1,2,3\n" + "合计,,,,,,\n", encoding="utf-8")
    whole, lean = read_detail(path), read_detail(path, options=IDS)
    assert [p.row for p in lean.problems] == [p.row for p in whole.problems] == [8]
    assert lean.calls.equals(whole.calls) and len(lean.calls) == 6


def test_without_call_ids_two_files_keep_them_to_tell_a_call_given_twice(tmp_path):
    one, two = tmp_path / "明细1.csv", tmp_path / "明细2.csv"
    one.write_text(_with_ids(rows=3), encoding="utf-8")
    two.write_text(ID_HEADER + "C001,13900000001,2024-06-11 10:00:00,是,2024-06-11 10:00:05,A1,华信客服\n")
    data = read_detail([one, two], options=IDS)
    assert [p.message for p in data.problems] == ["同一呼叫流水号在两处明细中出现（同一通电话会被计两次）"]
    assert data.problems[0].file == "明细2.csv" and data.problems[0].row == 2
