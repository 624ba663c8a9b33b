"""A month the calls cover only in part is named, with where it stops, starts or has a hole."""

from __future__ import annotations

from kpi.detail.coverage import coverage_gaps, coverage_note
from kpi.detail.measure import measure_detail
from kpi.detail.reader import DetailData
from tests.calllog import call, calls

A = "13800000001"


def test_a_file_that_stops_on_the_5th():
    log = calls(call(A, "2024-06-01 00:10:00", "2024-06-01 00:10:10"), call(A, "2024-06-05 18:00:00"))
    assert coverage_gaps(log, "2024-06") == (
        "最晚的呼叫在 06-05 18:00（月末之前超过 1 天）",
        "06-01 00:10 至 06-05 18:00 之间没有呼叫",
    )
    m = measure_detail(DetailData(calls=log), "2024-06")
    assert m.partial_note == (
        "2024-06 的话务明细只覆盖部分月份：最晚的呼叫在 06-05 18:00（月末之前超过 1 天）；"
        "06-01 00:10 至 06-05 18:00 之间没有呼叫。该月按明细中的呼叫计算，请核对是否缺少数据。"
    )


def test_a_whole_month_with_calls_at_least_daily_is_covered():
    days = [call(A, f"2024-06-{d:02d} 12:00:00", f"2024-06-{d:02d} 12:00:10") for d in range(1, 31)]
    log = calls(*days)
    assert coverage_gaps(log, "2024-06") == ()
    assert measure_detail(DetailData(calls=log), "2024-06").partial_note is None


def test_exactly_a_day_is_not_a_gap():
    log = calls(
        call(A, "2024-06-01 00:00:00"),
        *[call(A, f"2024-06-{d:02d} 00:00:00") for d in range(2, 31)],
        call(A, "2024-06-30 23:59:59"),
    )
    assert coverage_gaps(log, "2024-06") == ()
    assert coverage_note("2024-07", ("2024-07 没有呼叫",)).startswith("2024-07 的话务明细只覆盖部分月份")
