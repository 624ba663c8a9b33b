"""Files in each built-in format and a CTI-style export give the same per-agent figures as the same
calls written in our own 话务明细 headers (issue 10's done-when)."""

from __future__ import annotations

import pytest

from kpi.detail.measure import measure_detail
from kpi.detail.reader import read_detail
from kpi.detail.source import ReadOptions, load_source, parse_source
from tests import platform_files as pf


def figures(paths, options=None):
    data = read_detail(paths, options=options)
    assert data.problems == ()
    m = measure_detail(data, "2024-06")
    return [
        (a.agent_id, a.vendor, a.connected_calls, a.repeat_2h_calls, a.valid_calls, a.not_judgeable)
        for a in m.agents
    ]


def compare(tmp_path, name, platform_bytes, agent_name, profile):
    calls = pf.sample_calls()
    ours = tmp_path / "ours" / "话务明细.csv"
    ours.parent.mkdir()
    ours.write_bytes(pf.ours_csv(calls, agent_name))
    theirs = tmp_path / name
    theirs.write_bytes(platform_bytes)
    roster = tmp_path / "坐席名册.csv"
    roster.write_bytes(pf.roster_csv(agent_name))
    expected = figures([ours])
    got = figures([theirs, roster], ReadOptions(profile, "Asia/Shanghai", 5))
    assert got == expected
    return got


def test_the_sample_has_repeats_abandons_and_both_vendors(tmp_path):
    got = figures([_ours(tmp_path)])
    assert {v for _, v, *_ in got} == {"华信客服", "联创呼叫"}
    assert sum(g[2] for g in got) == 45  # connected calls: 60 entries less 15 abandoned
    assert sum(g[3] for g in got) > 0


def _ours(tmp_path):
    path = tmp_path / "话务明细.csv"
    path.write_bytes(pf.ours_csv(pf.sample_calls(), lambda a: f"SIP/{a}"))
    return path


def test_asterisk_queue_log(tmp_path):
    got = compare(
        tmp_path,
        "queue_log",
        pf.queue_log(pf.sample_calls()),
        lambda a: f"SIP/{a}",
        load_source("asterisk-queue-log"),
    )
    assert got[0][:3] == ("SIP/301", "华信客服", 12)  # i % 4 == 0 of 0..59, less i = 0, 28, 56 (to 402)


@pytest.mark.parametrize("new_columns", [False, True])
def test_asterisk_cdr_master_csv(tmp_path, new_columns):
    data = pf.master_csv(pf.sample_calls(), new_columns)
    compare(tmp_path, "Master.csv", data, lambda a: f"SIP/{a}", load_source("asterisk-cdr"))


def test_freeswitch_callcenter_cdr(tmp_path):
    data = pf.freeswitch_csv(pf.sample_calls())
    compare(tmp_path, "cdr.csv", data, lambda a: f"{a}@default", load_source("freeswitch-cc"))


def test_cti_export_utf16_tabs_epoch_ms_zero_is_connected_no_vendor(tmp_path):
    profile = parse_source(pf.CTI_PROFILE, "cti.toml")
    data = pf.cti_export(pf.sample_calls())
    assert data[:2] == b"\xff\xfe" and b"\t\x00" in data
    compare(tmp_path, "话单.txt", data, lambda a: f"GH{a}", profile)


def test_freeswitch_file_with_a_header_line(tmp_path):
    header = "uuid,caller_id_number,cc_queue,cc_agent,cc_queue_joined_epoch,cc_queue_answered_epoch,cc_queue_terminated_epoch,cc_cause,cc_cancel_reason\n"
    data = header.encode() + pf.freeswitch_csv(pf.sample_calls())
    compare(tmp_path, "cdr.csv", data, lambda a: f"{a}@default", load_source("freeswitch-cc"))


def test_queue_log_events_of_calls_that_entered_before_the_log_are_not_calls(tmp_path):
    orphan = b"1717375000|1717374000.7|support|SIP/301|CONNECT|20|x|3\n1717375100|1717374000.7|support|SIP/301|COMPLETECALLER|20|100|1\n"
    compare(
        tmp_path,
        "queue_log",
        orphan + pf.queue_log(pf.sample_calls()),
        lambda a: f"SIP/{a}",
        load_source("asterisk-queue-log"),
    )


def test_master_csv_without_uniqueid_is_refused(tmp_path):
    rows = [line.rsplit(",", 2)[0] for line in pf.master_csv(pf.sample_calls()).decode().splitlines()]
    path = tmp_path / "Master.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    data = read_detail(path, options=ReadOptions(load_source("asterisk-cdr")))
    assert [str(p) for p in data.problems] == [
        "文件「Master.csv」：Asterisk CDR 文件没有 uniqueid 列，无法把同一通呼叫的各段合并，"
        "应为cdr.conf [csv] 中 loguniqueid = yes 写出的 Master.csv（18 或 21 列）"
    ]


def test_a_channel_queued_in_two_queues_is_two_calls_with_distinct_ids(tmp_path):
    log = (
        "1717376400|1717376400.5|support|NONE|ENTERQUEUE||13800000001|1\n"
        "1717376420|1717376400.5|support|SIP/301|CONNECT|20|x|3\n"
        "1717376500|1717376400.5|support|SIP/301|ATTENDEDTRANSFER|BRIDGE|x|20|80|1\n"
        "1717376501|1717376400.5|billing|NONE|ENTERQUEUE||13800000001|1\n"
        "1717376530|1717376400.5|billing|SIP/401|CONNECT|29|y|3\n"
        "1717376700|1717376400.5|billing|SIP/401|COMPLETECALLER|29|170|1\n"
    )
    path = tmp_path / "queue_log"
    path.write_text(log, "utf-8")
    roster = tmp_path / "坐席名册.csv"
    roster.write_bytes(pf.roster_csv(lambda a: f"SIP/{a}"))
    data = read_detail([path, roster], options=ReadOptions(load_source("asterisk-queue-log")))
    assert data.problems == ()
    calls = data.calls
    assert calls["call_id"].tolist() == ["1717376400.5", "1717376400.5#2"]
    assert calls["queue"].astype(str).tolist() == ["support", "billing"]
    assert calls["transferred"].tolist() == [True, False]
    assert calls["agent_id"].astype(str).tolist() == ["SIP/301", "SIP/401"]
    assert [str(t) for t in calls["queue_time"]] == ["2024-06-03 09:00:00", "2024-06-03 09:01:41"]


@pytest.mark.parametrize(
    "name, make, profile",
    [
        ("queue_log", lambda: pf.queue_log(pf.sample_calls()), "asterisk-queue-log"),
        ("Master.csv", lambda: pf.master_csv(pf.sample_calls(), False), "asterisk-cdr"),
    ],
)
def test_a_log_or_headerless_file_given_by_its_head_reads_the_same(
    tmp_path, monkeypatch, name, make, profile
):
    """A file over kpi.disk.HEAD_ONLY comes as its head: the event log is then read whole from its
    path, a headerless file parsed from its path."""
    import kpi.disk as disk

    expected = compare(tmp_path, name, make(), lambda a: f"SIP/{a}", load_source(profile))
    monkeypatch.setattr(disk, "HEAD_ONLY", 0)
    roster = tmp_path / "坐席名册.csv"
    assert (
        figures([tmp_path / name, roster], ReadOptions(load_source(profile), "Asia/Shanghai", 5)) == expected
    )
