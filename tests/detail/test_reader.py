from __future__ import annotations

import datetime as dt
import os
from fractions import Fraction

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from kpi.detail.csv_files import decode_csv
from kpi.detail.measure import measure_detail
from kpi.detail.reader import has_detail, read_detail
from kpi.detail.repeats import default_settings
from tests.paths import CORPUS

HEADERS = [
    "呼叫流水号",
    "主叫号码",
    "入队时间",
    "是否接通",
    "接通时间",
    "结束时间",
    "坐席工号",
    "外包公司",
    "通话时长",
    "转接专家席",
]


def write_xlsxwriter(path, sheets: dict[str, list[list[object]]], title: str | None = None) -> None:
    with xlsxwriter.Workbook(path) as wb:
        fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for name, rows in sheets.items():
            ws = wb.add_worksheet(name)
            top = 0
            if title:
                ws.write(0, 0, title)
                top = 2  # a title, a blank row, then the header
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    if isinstance(value, dt.datetime):
                        ws.write_datetime(top + i, j, value, fmt)
                    elif value is not None:
                        ws.write(top + i, j, value)


def t(hh_mm_ss: str, day: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(f"2024-06-{day:02d} {hh_mm_ss}")


def test_xlsxwriter_workbook_with_title_row_numbers_as_callers_and_real_datetimes(tmp_path):
    path = tmp_path / "detail.xlsx"
    rows = [
        HEADERS,
        [
            "C1",
            13812345678,
            t("10:00:00"),
            "是",
            t("10:00:30"),
            t("10:05:30"),
            "HX0001",
            "华信客服",
            300,
            "否",
        ],
        ["C2", 13812345678, t("11:30:00"), "否", None, t("11:31:00"), None, None, 0, "否"],
        ["C3", "", t("12:00:00"), 1, t("12:00:05"), t("12:01:05"), 1002, "联创呼叫", 60, "是"],
        ["合计", None, None, None, None, None, None, None, 360, None],
    ]
    write_xlsxwriter(path, {"话务明细": rows, "其他": [["x"]]}, title="2024年6月话务明细")
    data = read_detail(path)
    assert data.problems == ()
    calls = data.calls
    assert calls["caller"].tolist() == ["13812345678", "13812345678", ""]
    assert calls["agent_id"].tolist() == ["HX0001", "", "1002"]
    assert calls["connected"].tolist() == [True, False, True]
    assert calls["expert_transfer"].tolist() == [False, False, True]
    assert calls["queue_time"].tolist() == [
        pd.Timestamp("2024-06-10 10:00:00"),
        pd.Timestamp("2024-06-10 11:30:00"),
        pd.Timestamp("2024-06-10 12:00:00"),
    ]
    assert str(calls["queue_time"].dtype) == "datetime64[ms]"
    assert pd.isna(calls["answer_time"].iloc[1])
    assert calls["row"].tolist() == [4, 5, 6]  # title row 1, blank row 2, header row 3
    assert has_detail(path)
    m = measure_detail(data)
    assert m.month == "2024-06"
    hx = m.vendor("华信客服")
    assert (hx.connected_calls, hx.repeat_2h_calls, hx.expert_transfers) == (1, 1, 0)


def test_openpyxl_workbook_with_text_times_and_bad_rows_are_located(tmp_path):
    path = tmp_path / "detail.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "话务明细"
    ws.append(["caller", "queue_time", "connected", "answer_time", "agent_id", "vendor"])  # English keys
    ws.append(["13800000001", "2024/06/10 10:00:00", "是", "2024/06/10 10:00:10", "A1", "华信客服"])
    ws.append(["13800000002", "昨天上午", "是", "2024/06/10 10:00:10", "A1", "华信客服"])
    ws.append(["13800000003", "2024-06-10 10:00:00", "是", "2024-06-10 09:59:00", "A1", "华信客服"])
    ws.append(["13800000004", "2024-06-10 10:00:00", "也许", None, None, None])
    ws.append(["13800000005", "2024-06-10 10:00:00", "是", "2024-06-10 10:00:09", None, "华信客服"])
    ws.append(["１３８０００００００６", dt.datetime(2024, 6, 10, 11, 0), "否", None, None, None])
    wb.save(path)
    data = read_detail(path)
    found = {(p.row, p.column, p.message, p.value) for p in data.problems}
    assert found == {
        (3, "入队时间", "入队时间为空或无法识别", "昨天上午"),
        (4, "接通时间", "接通时间早于入队时间", "2024-06-10 09:59:00"),
        (5, "是否接通", "是否接通无法识别", "也许"),
        (6, "坐席工号", "已接通的呼叫缺少坐席工号或外包公司", "（空）"),
    }
    assert all(p.file == "detail.xlsx" and p.sheet == "话务明细" for p in data.problems)
    assert "第 3 行" in str(next(p for p in data.problems if p.row == 3))
    assert data.calls["caller"].tolist() == ["13800000001", "13800000006"]  # full-width digits read
    assert data.calls["queue_time"].tolist() == [
        pd.Timestamp("2024-06-10 10:00:00"),
        pd.Timestamp("2024-06-10 11:00:00"),
    ]


def test_month_over_several_sheets_and_missing_columns(tmp_path):
    path = tmp_path / "detail.xlsx"
    one = [
        HEADERS,
        ["C1", "13800000001", t("10:00:00"), "是", t("10:00:10"), None, "A1", "华信客服", 60, "否"],
    ]
    two = [HEADERS, ["C2", "13800000001", t("11:00:00"), "否", None, None, None, None, None, None]]
    bad = [["主叫号码", "入队时间"], ["13800000001", t("11:00:00")]]
    write_xlsxwriter(path, {"话务明细": one, "话务明细2": two, "话务明细3": bad})
    data = read_detail(path)
    assert len(data.calls) == 2
    assert data.calls["source"].astype(str).tolist() == ["detail.xlsx!话务明细", "detail.xlsx!话务明细2"]
    missing = sorted(p.column for p in data.problems)
    assert missing == sorted(["是否接通", "接通时间", "坐席工号", "外包公司"])
    assert {p.sheet for p in data.problems} == {"话务明细3"}
    assert measure_detail(data).vendor("华信客服").repeat_2h_calls == 1


def test_gbk_csv_with_title_row_and_utf8_bom_csv(tmp_path):
    body = "\n".join(
        [
            "2024年6月话务明细,,,,,",
            "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司",
            "02088880001,2024-06-10 10:00:00,是,2024-06-10 10:00:10,HX1,华信客服",
            "02088880001,2024-06-10 10:30:00,否,,,",
            "13900000002,2024-06-10 10:00:00,1,2024-06-10 10:01:00,LC1,联创呼叫",
        ]
    )
    gbk = tmp_path / "话务明细.csv"
    gbk.write_bytes(body.encode("gbk"))
    data = read_detail(gbk)
    assert data.problems == ()
    assert data.calls["caller"].tolist() == ["02088880001", "02088880001", "13900000002"]  # leading 0 kept
    assert data.calls["row"].tolist() == [3, 4, 5]
    m = measure_detail(data)
    assert [(v.vendor, v.connected_calls, v.repeat_2h_calls) for v in m.vendors] == [
        ("华信客服", 1, 1),
        ("联创呼叫", 1, 0),
    ]
    bom = tmp_path / "calls.csv"
    bom.write_bytes(body.encode("utf-8-sig"))
    assert read_detail(bom).calls["vendor"].tolist() == ["华信客服", "", "联创呼叫"]


def test_csv_decoding_is_strict():
    assert decode_csv("华信".encode("gb18030")) == "华信"
    assert decode_csv("\ufeff华信".encode()) == "华信"
    assert decode_csv(b"\xff\xfe\x00\xd8") is None


def test_unknown_encoding_is_a_problem(tmp_path):
    path = tmp_path / "话务明细.csv"
    path.write_bytes(b"\x81\x30\x81")  # a truncated GB18030 sequence, not UTF-8 either
    data = read_detail(path)
    assert data.calls is None
    assert [p.message for p in data.problems] == ["CSV 文件的编码无法识别"]


def test_roster_exam_and_agent_in_two_vendors(tmp_path):
    path = tmp_path / "detail.xlsx"
    calls = [
        HEADERS,
        ["C1", "13800000001", t("10:00:00"), "是", t("10:00:10"), None, "A1", "华信客服", 60, "否"],
    ]
    roster = [
        ["坐席工号", "姓名", "外包公司", "上岗日期"],
        ["A1", "王一", "华信客服", dt.datetime(2024, 4, 30)],  # exactly 2 months on 06-30: not new
        ["A2", "李二", "华信客服", dt.datetime(2024, 5, 1)],  # new
        ["A3", "张三", "华信客服", dt.datetime(2024, 7, 2)],  # not yet on duty in June
        ["B1", "赵四", "联创呼叫", dt.datetime(2023, 1, 1)],
        ["A1", "王一", "联创呼叫", dt.datetime(2023, 1, 1)],  # A1 again, under another vendor
    ]
    exam = [
        ["坐席工号", "外包公司", "成绩"],
        ["A1", "华信客服", 87.5],
        ["A2", "华信客服", 72],
        ["B1", "联创呼叫", "一百"],
    ]
    write_xlsxwriter(path, {"话务明细": calls, "坐席名册": roster, "考试成绩": exam})
    data = read_detail(path)
    messages = sorted(((p.sheet, p.row, p.message) for p in data.problems), key=lambda m: (m[0], m[1] or 0))
    assert messages == [
        ("坐席名册", None, "同一坐席工号出现在两家外包公司"),
        ("坐席名册", 6, "坐席工号在坐席名册中重复出现"),
        ("考试成绩", 4, "考试成绩为空、无法识别或超出范围"),
    ]
    two = next(p for p in data.problems if p.message.startswith("同一"))
    assert two.value == "A1：华信客服、联创呼叫"
    assert next(p for p in data.problems if p.row == 4).value == "一百"
    m = measure_detail(data, "2024-06", default_settings(new_agent_months=2))
    hx = m.vendor("华信客服")
    assert (hx.agents_total, hx.new_agents, hx.exam_takers) == (2, 1, 2)
    assert hx.exam_average == Fraction(319, 4)  # (87.5 + 72) / 2 = 79.75, exactly
    assert hx.exam_scores == (Fraction(175, 2), Fraction(72))
    lc = m.vendor("联创呼叫")
    assert (lc.agents_total, lc.exam_takers, lc.exam_average, lc.connected_calls) == (2, 0, None, 0)


def test_several_files_make_one_month(tmp_path):
    first = tmp_path / "话务明细.csv"
    first.write_text(
        "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n13800000001,2024-06-10 10:00:00,是,2024-06-10 10:00:10,A1,华信客服\n",
        encoding="utf-8",
    )
    second = tmp_path / "话务明细2.csv"
    second.write_text(
        "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n13800000001,2024-06-10 11:00:00,否,,,\n",
        encoding="utf-8",
    )
    stages = []
    data = read_detail([first, second], progress=lambda stage, fraction: stages.append((stage, fraction)))
    assert len(data.calls) == 2
    assert measure_detail(data).vendor("华信客服").repeat_2h_calls == 1
    assert stages[0] == ("读取 话务明细.csv", 0.0) and stages[-1][1] == 1.0


@pytest.mark.parametrize("bad_header_row", [["主叫", "时间"], ["随便", "什么"]])
def test_sheet_without_headers_is_a_problem(tmp_path, bad_header_row):
    path = tmp_path / "detail.xlsx"
    write_xlsxwriter(path, {"话务明细": [bad_header_row, ["1", "2"]]})
    data = read_detail(path)
    assert data.calls is None
    assert len(data.problems) == 1 and data.problems[0].sheet == "话务明细"


def test_cells_that_do_not_fit_the_declared_types_are_still_read(tmp_path):
    """Numbers for 1,100 rows, then a text caller; serial-number times; a talk time typed as text."""
    path = tmp_path / "detail.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("话务明细")
        ws.write_row(
            0, 0, ["主叫号码", "入队时间", "是否接通", "接通时间", "坐席工号", "外包公司", "通话时长"]
        )
        serial = 45453.5  # 2024-06-10 12:00 as an unformatted Excel serial number
        for i in range(1, 1101):
            ws.write_row(i, 0, [13800000000 + i, serial, 1, serial + 1 / 86400, 7, "华信客服", 60])
        ws.write_row(
            1101, 0, ["匿名", "2024-06-10 12:30:00", "是", "2024-06-10 12:30:05", "A7", "华信客服", "1,234"]
        )
    data = read_detail(path)
    assert data.problems == ()
    calls = data.calls
    assert calls["caller"].iloc[0] == "13800000001" and calls["caller"].iloc[-1] == "匿名"
    assert calls["queue_time"].iloc[0] == pd.Timestamp("2024-06-10 12:00:00")
    assert calls["answer_time"].iloc[0] == pd.Timestamp("2024-06-10 12:00:01")
    assert calls["queue_time"].iloc[-1] == pd.Timestamp("2024-06-10 12:30:00")
    assert calls["talk_seconds"].iloc[-1] == 1234.0
    assert calls["agent_id"].iloc[0] == "7" and calls["row"].iloc[-1] == 1102


def test_stderr_progress_prints_stage_and_percent():
    import io

    from kpi.progress import stderr_progress

    out = io.StringIO()
    report = stderr_progress(out)
    report("读取 detail.xlsx", 0.5)
    assert out.getvalue().endswith("读取 detail.xlsx  50%\n")


def test_two_columns_with_the_same_header_under_a_title_are_reported(tmp_path):
    path = tmp_path / "detail.xlsx"
    rows = [
        ["主叫号码", "入队时间", "是否接通", "接通时间", "坐席工号", "外包公司", "入队时间"],
        ["13800000001", t("10:00:00"), "是", t("10:00:10"), "A1", "华信客服", t("10:00:00")],
    ]
    write_xlsxwriter(path, {"话务明细": rows}, title="6月")
    problems = read_detail(path).problems
    assert [(p.message, p.column) for p in problems] == [("话务明细有两列都是「入队时间」", "入队时间")]


def test_an_upload_as_bytes_reads_like_the_file(tmp_path):
    from kpi.detail.reader import detail_sheets, read_detail_bytes

    path = tmp_path / "detail.xlsx"
    rows = [
        HEADERS,
        ["C1", 13812345678, t("10:00:00"), "是", t("10:00:30"), None, "A1", "华信客服", 60, "否"],
    ]
    write_xlsxwriter(
        path, {"话务明细": rows, "坐席名册": [["坐席工号", "外包公司", "上岗日期"]]}, title="6月"
    )
    from_bytes = read_detail_bytes(path.read_bytes(), "上传.xlsx")
    assert detail_sheets(path.read_bytes(), "上传.xlsx") == ["话务明细", "坐席名册"]
    assert from_bytes.calls.drop(columns="source").equals(read_detail(path).calls.drop(columns="source"))
    assert from_bytes.calls["row"].tolist() == [4]
    assert from_bytes.calls["source"].astype(str).tolist() == ["上传.xlsx!话务明细"]
    csv_bytes = "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n1,2024-06-10 10:00:00,否,,,\n".encode(
        "gbk"
    )
    assert read_detail_bytes(csv_bytes, "话务明细.csv").calls["connected"].tolist() == [False]


def _one_call_workbook(path) -> bytes:
    write_xlsxwriter(
        path,
        {
            "话务明细": [
                HEADERS[1:8],
                [
                    "13800000001",
                    dt.datetime(2024, 6, 10, 10),
                    "是",
                    dt.datetime(2024, 6, 10, 10, 0, 10),
                    None,
                    "A1",
                    "华信客服",
                ],
            ]
        },
    )
    return path.read_bytes()


def test_detail_reader_decides_by_content_not_extension(tmp_path):
    csv = tmp_path / "明细.xlsx"  # a CSV saved under an Excel name
    csv.write_text(
        "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n"
        "13800000001,2024-06-10 10:00:00,是,2024-06-10 10:00:10,A1,华信客服\n",
        "utf-8",
    )
    data = read_detail(csv)
    assert data.problems == () and list(data.calls["caller"]) == ["13800000001"]
    book = tmp_path / "明细.csv"  # a workbook saved under a CSV name
    book.write_bytes(_one_call_workbook(tmp_path / "w.xlsx"))
    assert list(read_detail(book).calls["agent_id"]) == ["A1"]


def test_detail_reader_refuses_hostile_and_encrypted_files_unread(tmp_path):
    from tests.workbooks import rezip

    bomb = tmp_path / "bomb.xlsx"  # 3 MB of spaces in one entry: declared expansion far over 200:1
    bomb.write_bytes(
        rezip(_one_call_workbook(tmp_path / "w.xlsx"), {"xl/worksheets/sheet9.xml": b" " * 3_000_000})
    )
    (problem,) = read_detail(bomb).problems
    assert problem.file == "bomb.xlsx" and "疑似恶意构造的文件" in str(problem)
    (locked,) = read_detail(CORPUS / "lo_password.xlsx").problems
    assert (
        str(locked)
        == "文件「lo_password.xlsx」：文件有密码保护（已加密），无法读取，应为去掉密码后另存为 .xlsx 再导入"
    )


def test_csv_rows_with_the_wrong_number_of_columns_are_reported_by_line(tmp_path):
    from kpi.detail.reader import read_detail_bytes

    text = (
        "6月话务明细\n"
        "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n"
        "13800000001,2024-06-10 10:00:00,是,2024-06-10 10:00:10,A1,华信客服\n"
        "13800000002,2024-06-10 10:00:00,是,2024-06-10 10:00:10,A1,华信客服,多出来\n"
    )
    data = read_detail_bytes(text.encode("utf-8"), "明细.csv")
    assert [str(p) for p in data.problems] == [
        "文件「明细.csv」，第 4 行：这一行有 7 列，与表头的 6 列不符（未读入）"
        "：发现「13800000002,2024-06-10 10:00:00,是,2024-06-10 10:00:10,A1,华信客服,多出来」"
        "，应为与表头同样多的列（文字里的逗号需加引号）"
    ]
    only_header = read_detail_bytes(
        "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司".encode(), "空.csv"
    )
    assert only_header.problems == () and len(only_header.calls) == 0


def test_several_files_read_at_once_give_what_one_at_a_time_gives(tmp_path, monkeypatch):
    """Files of one month are read (and their calls built) in parallel threads; the calls, the
    problems and their order are those of reading them one by one, in the order given."""
    header = "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n"
    paths = []
    for k in range(4):
        path = tmp_path / f"话务明细{k}.csv"
        rows = [
            f"1380000{k}{i:03d},2024-06-1{k} 10:{i:02d}:00,是,2024-06-1{k} 10:{i:02d}:10,A{k},华信客服\n"
            for i in range(30)
        ]
        rows[5] = f"1380000{k}005,坏时间{k},是,2024-06-1{k} 10:05:10,A{k},华信客服\n"
        path.write_text(header + "".join(rows), encoding="utf-8")
        paths.append(path)
    paths.append(paths[1])  # given twice: refused in its place
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    one = read_detail(paths)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    stages = []
    many = read_detail(paths, progress=lambda stage, fraction: stages.append((stage, fraction)))
    assert [str(p) for p in many.problems] == [str(p) for p in one.problems]
    assert [(p.file, p.row, p.value) for p in many.problems] == [
        ("话务明细1.csv", None, ""),  # a reading problem, before those of the calls
        ("话务明细0.csv", 7, "坏时间0"),
        ("话务明细1.csv", 7, "坏时间1"),
        ("话务明细2.csv", 7, "坏时间2"),
        ("话务明细3.csv", 7, "坏时间3"),
    ]
    assert many.calls.equals(one.calls) and len(many.calls) == 4 * 29
    assert stages[:4] == [(f"读取 话务明细{k}.csv", k / 5) for k in range(4)]


def _hostile_detail_entries(tmp_path) -> dict[str, bytes]:
    """Workbooks whose 话务明细 entry (xl/worksheets/sheet1.xml) is hostile or broken in each way the
    zip check refuses: it lies about its size, inflates past the ratio, declares entities, is cut."""
    import io
    import zipfile

    from tests.workbooks import LAUGHS, lying_sizes, rezip

    good = _one_call_workbook(tmp_path / "w.xlsx")
    part = "xl/worksheets/sheet1.xml"
    info = zipfile.ZipFile(io.BytesIO(good)).getinfo(part)
    cut = bytearray(good)  # the directory tells the truth, the deflate stream is broken: damaged
    start = info.header_offset + 30 + len(part.encode()) + len(info.extra)
    cut[start + 4 : start + info.compress_size] = b"\xff" * (info.compress_size - 4)
    return {
        "lying": lying_sizes(good, part),
        "entities": rezip(good, {part: LAUGHS}),
        "damaged": bytes(cut),
    }


def test_the_detail_sheet_entry_is_checked_in_the_extent_scan_as_the_zip_check_would(tmp_path):
    """The 话务明细 entry is inflated once, by the extent scan, which refuses it exactly as the zip
    check's own full inflation (check_zip(inflate=True), which no longer inflates it) would."""
    from kpi.detail.reader import _detail_parts, read_detail_bytes
    from kpi.files.safety import DEFAULT_LIMITS
    from kpi.files.zips import check_zip

    for label, data in _hostile_detail_entries(tmp_path).items():
        assert tuple(_detail_parts(data)) == ("xl/worksheets/sheet1.xml",), label
        (expected,) = check_zip(data, "h.xlsx", DEFAULT_LIMITS, inflate=True)
        assert check_zip(data, "h.xlsx", DEFAULT_LIMITS, inflate=True, defer=tuple(_detail_parts(data))) == []
        path = tmp_path / "h.xlsx"
        path.write_bytes(data)
        assert read_detail(path).problems == (expected,), label
        assert read_detail_bytes(data, "h.xlsx").problems == (expected,), label
    hostile = _hostile_detail_entries(tmp_path).values()
    messages = [check_zip(d, "h.xlsx", DEFAULT_LIMITS, inflate=True)[0].message for d in hostile]
    assert messages == [
        f"压缩包内文件解压后比声明的大（xl/worksheets/sheet1.xml 声明 {_declared(tmp_path):,} 字节）",
        "XML 中含有实体声明（xl/worksheets/sheet1.xml），拒绝读取",
        "无法读取 Excel 文件（文件已损坏）",
    ]


def _declared(tmp_path) -> int:
    import io
    import zipfile

    good = _one_call_workbook(tmp_path / "w.xlsx")
    return zipfile.ZipFile(io.BytesIO(good)).getinfo("xl/worksheets/sheet1.xml").file_size


def test_a_detail_sheet_entry_named_twice_is_left_to_the_zip_check(tmp_path):
    """Two entries named xl/worksheets/sheet1.xml: the extent scan would read one of them and a reader
    perhaps the other, so neither is left to the scan: the zip check inflates both itself."""
    import io
    import warnings
    import zipfile

    from kpi.detail.reader import _detail_parts

    good = _one_call_workbook(tmp_path / "w.xlsx")
    part = "xl/worksheets/sheet1.xml"
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(good))
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        warnings.simplefilter("ignore")  # "Duplicate name"
        for info in source.infolist():
            dst.writestr(info.filename, source.read(info.filename))
        dst.writestr(part, source.read(part))
    assert tuple(_detail_parts(good)) == (part,)
    assert _detail_parts(out.getvalue()) == {}


def _cutting(monkeypatch, piece_bytes: int | None) -> list[str]:
    """Every 话务明细 sheet loaded in pieces of `piece_bytes` of XML (kpi.files.pieces; at least 2), or
    none (None); the sheets `_load` then reads whole, as a list filled while reading."""
    import kpi.detail.workbook as workbook

    whole: list[str] = []
    load = workbook._load
    monkeypatch.setattr(
        workbook, "_load", lambda book, name, *rest: whole.append(name) or load(book, name, *rest)
    )
    monkeypatch.setattr(workbook, "SPLIT_BYTES", 1 << 62 if piece_bytes is None else 0)
    monkeypatch.setattr(workbook, "PIECE_BYTES", piece_bytes or 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    return whole


def _generated(tmp_path, change=None):
    """A 3,000-row month written by the generator (1.5 MB of 话务明细 XML); `change(xml)` rewrites it."""
    import io
    import zipfile

    from scripts.make_call_detail import make_detail, write_xlsx
    from tests.workbooks import rezip

    detail = make_detail(rows=3000, agents=40, seed=5)
    detail.calls.loc[2600, "是否接通"] = "也许"  # a problem in the last pieces: Excel row 2602
    path = tmp_path / "明细.xlsx"
    write_xlsx(detail, path)
    if change is not None:
        data = path.read_bytes()
        part = "xl/worksheets/sheet1.xml"
        path.write_bytes(rezip(data, {part: change(zipfile.ZipFile(io.BytesIO(data)).read(part))}))
    return path


def _located(data) -> list[tuple[object, ...]]:
    return [(p.sheet, p.row, p.column, p.message, p.value) for p in data.problems]


@pytest.mark.parametrize("piece_bytes", [1 << 20, 200_000], ids=["2-pieces", "8-pieces"])
def test_a_large_calls_sheet_is_loaded_in_pieces_giving_what_the_whole_sheet_gives(
    tmp_path, monkeypatch, piece_bytes
):
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    path = _generated(tmp_path)
    read_whole = _cutting(monkeypatch, piece_bytes)
    cut = read_detail(path)
    assert read_whole == ["坐席名册", "考试成绩"]  # 话务明细 came from its pieces
    assert list(folder.iterdir()) == []  # the pieces' folder is gone
    _cutting(monkeypatch, None)
    whole = read_detail(path)
    pd.testing.assert_frame_equal(cut.calls, whole.calls)
    assert len(cut.calls) == 2999 and cut.calls["row"].iloc[-1] == 3001
    assert _located(cut) == _located(whole) == [("话务明细", 2602, "是否接通", "是否接通无法识别", "也许")]


def _text_in_a_time_cell(xml: bytes) -> bytes:
    """The first answer time from row 2500 on written as text: the pieces' typed load reports it."""
    import re

    cell = re.search(rb'<c r="E(2[5-9][0-9]{2})" s="1"><v>[^<]*</v></c>', xml)
    text = b'<c r="E' + cell.group(1) + b'" t="inlineStr"><is><t>' + "昨天".encode() + b"</t></is></c>"
    return xml.replace(cell.group(0), text)


def _titled(xml: bytes) -> bytes:
    """A title row above the header (every row moved down one)."""
    import re

    def down(found):
        return found.group(1) + str(int(found.group(2)) + 1).encode() + b'"'

    xml = re.sub(rb'(<row r="|<c r="[A-Z]+)([0-9]+)"', down, xml)
    title = '<row r="1"><c r="A1" t="inlineStr"><is><t>2024年6月话务明细</t></is></c></row>'.encode()
    return xml.replace(b"<sheetData>", b"<sheetData>" + title, 1)


def _reversed(xml: bytes) -> bytes:
    """The data rows written last first: two pieces, each placed by calamine by its rows' r, do not
    join into the sheet (the reader sees the first piece's count is not its rows up to the cut)."""
    from tests.workbooks import rows_reversed

    return rows_reversed(xml)


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        (_text_in_a_time_cell, 2),  # a text time: the second problem, located by the whole sheet's read
        (_titled, 1),  # pieces whose header is the title: no columns, the whole sheet is read
        (_reversed, 1),
    ],
    ids=["text-in-a-time-cell", "title-above-the-header", "rows-in-reverse-order"],
)
def test_pieces_that_cannot_give_the_sheet_leave_it_to_the_whole_read(
    tmp_path, monkeypatch, change, problems
):
    path = _generated(tmp_path, change)
    read_whole = _cutting(monkeypatch, 1 << 20)
    cut = read_detail(path)
    assert read_whole[0] == "话务明细"
    _cutting(monkeypatch, None)
    whole = read_detail(path)
    pd.testing.assert_frame_equal(cut.calls, whole.calls)
    assert _located(cut) == _located(whole) and len(cut.problems) == problems


def test_a_calls_sheet_is_loaded_whole_where_no_temporary_folder_can_be_made(tmp_path, monkeypatch):
    path = _generated(tmp_path)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "no such folder"))
    read_whole = _cutting(monkeypatch, 1 << 20)
    data = read_detail(path)
    assert read_whole[0] == "话务明细" and len(data.calls) == 2999
    assert _located(data) == [("话务明细", 2602, "是否接通", "是否接通无法识别", "也许")]


def test_a_month_over_two_calls_sheets_in_pieces_gives_what_whole_sheets_give(tmp_path, monkeypatch):
    """话务明细 and 话务明细2, each cut into pieces, one call id given in both sheets: the same calls, and
    the same located problems (the id given twice among them), as the sheets read whole."""
    from scripts.make_call_detail import make_detail, write_xlsx

    detail = make_detail(rows=3000, agents=40, seed=5)
    detail.calls.loc[2000, "呼叫流水号"] = detail.calls.loc[10, "呼叫流水号"]  # in the second sheet
    path = tmp_path / "明细.xlsx"
    write_xlsx(detail, path, sheet_rows=1500)
    read_whole = _cutting(monkeypatch, 200_000)
    cut = read_detail(path)
    assert read_whole == ["坐席名册", "考试成绩"]  # both calls sheets came from their pieces
    _cutting(monkeypatch, None)
    whole = read_detail(path)
    pd.testing.assert_frame_equal(cut.calls, whole.calls)
    assert [str(p) for p in cut.problems] == [str(p) for p in whole.problems]
    twice = [p for p in cut.problems if detail.calls.loc[10, "呼叫流水号"] in str(p)]
    assert len(twice) == 1 and sorted(cut.calls["source"].unique()) == [
        "明细.xlsx!话务明细",
        "明细.xlsx!话务明细2",
    ]
