"""Source profiles: the issue's example as written (bare Chinese keys), built-ins, located errors."""

from __future__ import annotations

import pytest

from kpi.detail.source import SourceError, builtin_names, calls_spec, load_source, parse_source

EXAMPLE = """[source]
label = "某呼叫平台话单"
timezone = "Asia/Shanghai"      # zone of times written without an offset, and of epoch times
time_format = "auto"            # "auto" | "epoch_s" | "epoch_ms" | a strftime pattern
delimiter = "auto"              # or "," "\\t" ";" "|"
encoding = "auto"               # UTF-8 (BOM or not), UTF-16 (BOM), GB18030
[source.columns]                # our header = the header in the file
主叫号码 = "主叫"
接通时间 = "振铃时间"
[source.values.是否接通]          # our value = the file's values
是 = ["0"]
否 = ["1", "2", "3"]
"""


def test_the_issues_example_reads_as_written():
    p = parse_source(EXAMPLE, "平台.toml")
    assert (p.label, p.timezone, p.time_format, p.delimiter, p.encoding) == (
        "某呼叫平台话单",
        "Asia/Shanghai",
        "auto",
        "",
        "auto",
    )
    assert p.headers() == {"caller": "主叫", "answer_time": "振铃时间"}
    assert p.value_map("connected") == {"0": "是", "1": "否", "2": "否", "3": "否"}
    spec = calls_spec(p)
    assert spec.header_of("answer_time") == "振铃时间" and spec.header_of("queue_time") == "入队时间"


def test_builtins():
    assert builtin_names() == ["asterisk-cdr", "asterisk-queue-log", "freeswitch-cc"]
    assert load_source("freeswitch-cc").connected_if_answered


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[source]\ntime_format = "unix"\n',
            "文件「p.toml」，键「source.time_format」：不认识的时间格式：发现「unix」，应为auto、epoch_s、epoch_ms 或 strftime 格式（如 %Y/%m/%d %H:%M:%S）",
        ),
        (
            '[source]\ntimezone = "Mars/Base"\n',
            "文件「p.toml」，键「source.timezone」：不认识的时区：发现「Mars/Base」，应为IANA 时区名，如 Asia/Shanghai",
        ),
        (
            '[source.columns]\n客户号码 = "主叫"\n',
            "文件「p.toml」，键「source.columns.客户号码」：话务明细没有这一列：发现「客户号码」，应为呼叫流水号、主叫号码、入队时间、是否接通、接通时间、结束时间、坐席工号、外包公司、通话时长、转接专家席、队列、是否转接",
        ),
        (
            '[source]\nseparator = ","\n',
            "文件「p.toml」，键「source.separator」：来源配置没有这个键：发现「separator」，应为label、timezone、time_format、delimiter、encoding、description、layout、fields、connected_if_answered、columns、values",
        ),
        (
            '[source.values.是否接通]\n是 = ["0"]\n否 = ["0"]\n',
            "文件「p.toml」，键「source.values.是否接通」：同一个文件值对应了两个值：发现「0」，应为只对应「是」或「否」之一",
        ),
    ],
)
def test_broken_profiles_are_located(text, message):
    with pytest.raises(SourceError) as caught:
        parse_source(text, "p.toml")
    assert [str(p) for p in caught.value.problems] == [message]


def test_a_missing_profile_file(tmp_path):
    with pytest.raises(SourceError) as caught:
        load_source(tmp_path / "none.toml")
    assert caught.value.problems[0].message == "找不到来源配置文件"


def test_a_profile_that_is_not_a_regular_file_or_is_huge(tmp_path):
    with pytest.raises(SourceError) as caught:
        load_source(tmp_path)
    assert str(caught.value.problems[0]) == f"文件「{tmp_path}」：来源配置不是普通文件，应为TOML 文件"
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 1_000_001)
    with pytest.raises(SourceError) as caught:
        load_source(big)
    assert caught.value.problems[0].message == "来源配置文件过大（上限 1,000,000 字节）"
