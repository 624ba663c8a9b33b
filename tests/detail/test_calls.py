"""Reading call detail the way real exports write it (issue 10's first list, and issue 9's time zones):
each case is a file made as described, with the exact located message or the corrected figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kpi.detail.reader import read_detail
from kpi.detail.source import ReadOptions, parse_source

HEAD = "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司"
SHANGHAI = ReadOptions(None, "Asia/Shanghai", 5)


def read(tmp_path, lines, name="话务明细.csv", options=SHANGHAI, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes("\n".join(lines).encode(encoding))
    return read_detail(path, options=options)


def texts(data):
    return [str(p) for p in data.problems]


def test_epoch_seconds_in_a_time_column_are_refused_not_read_as_dates(tmp_path):
    data = read(tmp_path, [HEAD, "13800000001,1719792000,是,1719792020,A1,华信客服"])
    assert texts(data)[:2] == [
        "文件「话务明细.csv」，第 2 行，「入队时间」列：时间列里是一个数字，未当作日期读入（不猜测是 Excel 序列号还是 "
        "Unix 时间戳）：发现「1719792000」，应为日期时间；如为 Unix 时间戳，请用来源配置（--source）写明 "
        'time_format = "epoch_s" 或 "epoch_ms"',
        "文件「话务明细.csv」，第 2 行，「接通时间」列：时间列里是一个数字，未当作日期读入（不猜测是 Excel 序列号还是 "
        "Unix 时间戳）：发现「1719792020」，应为日期时间；如为 Unix 时间戳，请用来源配置（--source）写明 "
        'time_format = "epoch_s" 或 "epoch_ms"',
    ]


def test_epochs_read_when_the_profile_says_so(tmp_path):
    profile = parse_source('[source]\ntime_format = "epoch_s"\n', "p.toml")
    data = read(
        tmp_path, [HEAD, "13800000001,1719792000,是,1719792020,A1,华信客服"], options=ReadOptions(profile)
    )
    assert data.problems == ()
    assert data.calls["queue_time"].tolist() == [pd.Timestamp("2024-07-01 08:00:00")]  # 00:00 UTC in Beijing


def test_offsets_move_to_the_rulebook_zone_and_decide_the_month(tmp_path):
    data = read(
        tmp_path,
        [
            HEAD,
            "13800000001,2024-07-01T01:00:00+08:00,是,2024-06-30T17:00:10Z,A1,华信客服",
            "13800000002,2024-06-30T23:59:00+0800,否,,,",
        ],
    )
    assert data.problems == ()
    assert data.calls["queue_time"].tolist() == [
        pd.Timestamp("2024-07-01 01:00:00"),
        pd.Timestamp("2024-06-30 23:59:00"),
    ]
    assert data.calls["answer_time"].tolist()[0] == pd.Timestamp(
        "2024-07-01 01:00:10"
    )  # mixed Z read, no traceback
    utc = read(tmp_path, [HEAD, "13800000001,2024-07-01T01:00:00.5+08:00,是,2024-07-01 02:00:00,A1,华信客服"],
               "b.csv", ReadOptions(None, "UTC", 5))  # fmt: skip
    assert utc.calls["queue_time"].tolist() == [pd.Timestamp("2024-06-30 17:00:00.500")]


def test_a_zero_connected_flag_is_read_through_the_profiles_value_map(tmp_path):
    profile = parse_source('[source.values.是否接通]\n是 = ["0"]\n否 = ["1", "2", "3"]\n', "p.toml")
    lines = [
        HEAD,
        "13800000001,2024-06-03 09:00:00,0,2024-06-03 09:00:20,A1,华信客服",
        "13800000002,2024-06-03 09:01:00,2,,,",
    ]
    data = read(tmp_path, lines, options=ReadOptions(profile))
    assert data.calls["connected"].tolist() == [True, False]
    bad = read(tmp_path, [HEAD, "13800000001,2024-06-03 09:00:00,4,,,"], "c.csv", ReadOptions(profile))
    assert texts(bad) == [
        "文件「c.csv」，第 2 行，「是否接通」列：是否接通无法识别：发现「4」，应为来源配置 [source.values.是否接通] 中列出的值：0、1、2、3"
    ]


def test_platform_words_are_refused_without_a_profile(tmp_path):
    data = read(tmp_path, [HEAD, "13800000001,2024-06-03 09:00:00,ANSWERED,2024-06-03 09:00:20,A1,华信客服"])
    assert texts(data) == [
        "文件「话务明细.csv」，第 2 行，「是否接通」列：是否接通无法识别：发现「ANSWERED」，应为是/否 或 1/0"
        "（其他写法请用来源配置 --source 的 [source.values.是否接通] 说明）"
    ]


def test_scientific_notation_callers_are_refused_with_their_rows(tmp_path):
    data = read(tmp_path, [HEAD, "3.26702E+11,2024-06-03 09:00:00,是,2024-06-03 09:00:20,A1,华信客服"])
    assert texts(data) == [
        "文件「话务明细.csv」，第 2 行，「主叫号码」列：主叫号码是科学计数法，已丢失位数：发现「3.26702E+11」，"
        "应为完整的号码（在 Excel 中把该列设为文本后重新导出）"
    ]


def test_mobile_prefixes_are_one_customer(tmp_path):
    lines = [HEAD] + [
        f"{n},2024-06-03 09:0{i}:00,否,,,"
        for i, n in enumerate(
            ["+8613800000001", "008613800000001", "013800000001", "8613800000001", "02088880001"]
        )
    ]
    data = read(tmp_path, lines)
    assert data.calls["caller"].tolist() == ["13800000001"] * 4 + ["02088880001"]


def test_answer_a_little_before_queue_entry_is_clock_skew(tmp_path):
    lines = [
        HEAD,
        "13800000001,2024-06-03 09:00:05,是,2024-06-03 09:00:00,A1,华信客服",  # 5 s early: skew
        "13800000002,2024-06-03 09:00:06,是,2024-06-03 09:00:00,A1,华信客服",  # 6 s early: refused
    ]
    data = read(tmp_path, lines)
    assert texts(data) == [
        "文件「话务明细.csv」，第 3 行，「接通时间」列：接通时间早于入队时间：发现「2024-06-03 09:00:00」，"
        "应为不早于入队时间（早 5 秒以内按时钟误差处理）"
    ]
    ok = read(tmp_path, lines[:2], "b.csv")
    assert ok.problems == ()
    assert ok.calls["answer_time"].tolist() == [pd.Timestamp("2024-06-03 09:00:05")]
    assert ok.notices == ("b.csv：1 通呼叫的接通时间比入队时间早 5 秒以内，按时钟误差处理为入队即接通",)


def test_tab_semicolon_pipe_and_utf16_files_are_read(tmp_path):
    row = ["13800000001", "2024-06-03 09:00:00", "是", "2024-06-03 09:00:20", "A1", "华信客服"]
    for i, sep in enumerate(["\t", ";", "|"]):
        data = read(tmp_path, [HEAD.replace(",", sep), sep.join(row)], f"话务明细{i}.txt")
        assert data.problems == () and len(data.calls) == 1
    utf16 = read(tmp_path, [HEAD.replace(",", "\t"), "\t".join(row)], "unicode.txt", encoding="utf-16")
    assert utf16.problems == () and utf16.calls["vendor"].tolist() == ["华信客服"]


def test_vendor_from_the_roster_and_an_agent_missing_from_it(tmp_path):
    (tmp_path / "坐席名册.csv").write_text("坐席工号,外包公司,上岗日期\nA1,华信客服,2024-01-01\n", "utf-8")
    head = "主叫号码,入队时间,是否接通,接通时间,坐席工号"
    calls = tmp_path / "话务明细.csv"
    calls.write_text(
        f"{head}\n13800000001,2024-06-03 09:00:00,是,2024-06-03 09:00:20,A1\n"
        "13800000002,2024-06-03 09:10:00,是,2024-06-03 09:10:20,B9\n",
        "utf-8",
    )
    data = read_detail([calls, tmp_path / "坐席名册.csv"])
    assert texts(data) == [
        "文件「话务明细.csv」，第 3 行，「坐席工号」列：坐席工号不在坐席名册中，无法确定外包公司：发现「B9」，"
        "应为坐席名册中列出的坐席工号（话单没有外包公司列，外包公司按名册查）"
    ]
    (tmp_path / "坐席名册.csv").write_text(
        "坐席工号,外包公司,上岗日期\nA1,华信客服,2024-01-01\nB9,联创呼叫,2024-01-01\n", "utf-8"
    )
    data = read_detail([calls, tmp_path / "坐席名册.csv"])
    assert data.calls["vendor"].astype(str).tolist() == ["华信客服", "联创呼叫"]


def test_platform_words_read_when_a_profile_maps_them(tmp_path):
    profile = parse_source(
        '[source.values.是否接通]\n是 = ["AGENT", "ANSWERED"]\n否 = ["NO ANSWER", "NORMAL_CLEARING"]\n',
        "p.toml",
    )
    lines = [
        HEAD,
        "13800000001,2024-06-03 09:00:00,AGENT,2024-06-03 09:00:20,A1,华信客服",
        "13800000002,2024-06-03 09:01:00,answered,2024-06-03 09:01:20,A1,华信客服",  # case does not matter
        "13800000003,2024-06-03 09:02:00,NORMAL_CLEARING,,,",  # a hang-up cause, not an answer
    ]
    data = read(tmp_path, lines, options=ReadOptions(profile))
    assert data.problems == ()
    assert data.calls["connected"].tolist() == [True, True, False]


def messy_lines() -> list[str]:
    """Rows of every kind a check refuses or notes, more than LIMIT of one kind, a ragged line (so rows
    are not consecutive lines), a total line and a blank one, spread over the file."""
    good = "13800000{:03d},2024-06-03 09:{:02d}:00,是,2024-06-03 09:{:02d}:30,A{},华信客服"
    lines = [HEAD]
    for i in range(60):
        kind = i % 6
        if kind == 0:
            lines.append(good.format(i, i % 60, i % 60, i % 3))
        elif kind == 1:
            lines.append(
                f"13800000{i:03d},2024/13/45 99:00,是,2024-06-03 09:00:30,A1,华信客服"
            )  # bad queue time
        elif kind == 2:
            lines.append(
                f"1.38E+10,2024-06-03 10:{i % 60:02d}:00,是,2024-06-03 10:{i % 60:02d}:20,A2,联创呼叫"
            )
        elif kind == 3:  # answered 3 s before queue entry: clock skew, a notice
            lines.append(f"13900000{i:03d},2024-06-03 11:00:03,是,2024-06-03 11:00:00,B1,联创呼叫")
        elif kind == 4:
            lines.append(f"13700000{i:03d},2024-06-03 12:00:00,是,,B2,联创呼叫")  # connected, no answer
        else:
            lines.append(f"13600000{i:03d},2024-06-03 13:00:00,否,,,")
    lines[7] = "13800000999,2024-06-03 09:00:00,是"  # ragged
    lines[20] = "合计,,,,,"
    lines[33] = ",,,,,"
    return lines


def test_a_large_file_converted_in_slices_gives_the_same_calls_and_problems(tmp_path, monkeypatch):
    import kpi.detail.calls as calls_module

    whole = read(tmp_path, messy_lines())
    assert len(whole.problems) > 12 and whole.notices  # the case holds what it is meant to
    monkeypatch.setattr(calls_module, "SLICE_ROWS", 7)
    monkeypatch.setattr(calls_module.os, "cpu_count", lambda: 3)
    pieces = calls_module._slices(calls_module.RawTable(None, "", "", 2, {"x": pa.array(range(60))}), 3)
    assert [p.first_row for p in pieces] == [
        2,
        9,
        17,
        24,
        32,
        39,
        47,
        54,
    ]  # 60 // 7: 8 slices (4 a worker at most)
    sliced = read(tmp_path, messy_lines())
    assert texts(sliced) == texts(whole)
    assert sliced.notices == whole.notices
    pd.testing.assert_frame_equal(sliced.calls, whole.calls)


def test_slices_masks_with_no_row_set_are_joined_as_one_false_without_copying():
    from kpi.detail.calls import _concatenated

    clean = _concatenated([np.zeros(3, bool), np.zeros(4, bool)])
    assert clean.shape == (7,) and clean.strides == (0,) and not clean.any()
    assert not clean.flags.writeable  # a view of one False: nothing may write through it
    hit = _concatenated([np.zeros(3, bool), np.array([False, True, False, False])])
    assert hit.tolist() == [False, False, False, False, True, False, False]


@pytest.mark.parametrize(
    "whole",
    [
        pa.array([f"1380000{i:04d}" if i % 7 else None for i in range(40)]),
        pa.array([i % 3 == 0 if i % 5 else None for i in range(40)]),  # bits: slices off byte bounds
        pa.array(np.arange(40, dtype=np.int64) * 1000, pa.timestamp("ms")),
    ],
)
def test_consecutive_slices_of_one_array_are_joined_again_without_a_copy(whole):
    from kpi.detail.calls import _rejoined

    cuts = [(0, 3), (3, 10), (13, 14), (27, 13)]  # (offset, length): every row, in order
    joined = _rejoined(pa.chunked_array([whole.slice(a, n) for a, n in cuts]))
    assert joined.equals(whole) and joined.buffers()[-1].address == whole.buffers()[-1].address
    assert joined.null_count == whole.null_count
    tail = _rejoined(pa.chunked_array([whole.slice(5, 10), whole.slice(15, 20)]))
    assert tail.equals(whole.slice(5, 30))
    assert _rejoined(pa.chunked_array([whole.slice(10, 5), whole.slice(0, 10)])) is None  # not in order
    assert _rejoined(pa.chunked_array([whole.slice(0, 3), whole.slice(4, 3)])) is None  # a row left out
    other = pa.array(whole.to_pylist(), whole.type)
    assert _rejoined(pa.chunked_array([whole.slice(0, 10), other.slice(10, 30)])) is None  # two arrays
