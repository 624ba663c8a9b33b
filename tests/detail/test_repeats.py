from __future__ import annotations

from fractions import Fraction
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.detail import repeats
from kpi.detail.measure import measure_detail
from kpi.detail.reader import DetailData
from kpi.detail.repeats import agent_repeats, call_flags, default_settings, infer_month
from tests.calllog import call, calls

A = "13800000001"
B = "13900000002"
TEST = "10086999001"
MONTH = "2024-06"


def flags_of(log: pd.DataFrame, **kw) -> list[bool]:
    return call_flags(log, MONTH, default_settings(**kw)).repeat.tolist()


def test_reentry_exactly_120_minutes_after_connection_counts():
    log = calls(call(A, "10:00:00", "10:00:30"), call(A, "12:00:30"))
    assert flags_of(log) == [True, False]


def test_reentry_120_minutes_and_1_second_after_connection_does_not_count():
    log = calls(call(A, "10:00:00", "10:00:30"), call(A, "12:00:31"))
    assert flags_of(log) == [False, False]


def test_window_is_a_setting():
    log = calls(call(A, "10:00:00", "10:00:30"), call(A, "12:00:31"))
    assert flags_of(log, repeat_window_minutes=121) == [True, False]


def test_reentry_between_queue_entry_and_connection_does_not_count():
    # the caller dials again from another line while still waiting in the queue
    log = calls(call(A, "10:00:00", "10:05:00"), call(A, "10:02:00"))
    assert flags_of(log) == [False, False]


def test_queue_time_anchor_counts_reentry_while_waiting():
    log = calls(call(A, "10:00:00", "10:05:00"), call(A, "10:02:00"))
    assert flags_of(log, repeat_anchor="queue_time") == [True, False]


def test_two_reentries_count_once():
    log = calls(call(A, "10:00:00", "10:00:10"), call(A, "10:30:00"), call(A, "11:00:00"))
    flags = call_flags(log, MONTH)
    assert flags.repeat.tolist() == [True, False, False]
    assert int(flags.repeat.sum()) == 1


def test_unanswered_reentry_counts():
    log = calls(call(A, "10:00:00", "10:00:10"), call(A, "10:40:00", answer=None))
    assert flags_of(log) == [True, False]


def test_reentry_taken_by_another_vendor_counts_against_the_first_agent():
    log = calls(
        call(A, "10:00:00", "10:00:10", agent="HX1", vendor="华信客服"),
        call(A, "11:00:00", "11:00:20", agent="LC7", vendor="联创呼叫"),
    )
    m = measure_detail(DetailData(calls=log), MONTH)
    hx, lc = m.vendor("华信客服"), m.vendor("联创呼叫")
    assert (hx.connected_calls, hx.repeat_2h_calls) == (1, 1)
    assert (lc.connected_calls, lc.repeat_2h_calls) == (1, 0)
    assert [(a.agent_id, a.repeat_2h_calls, a.rate) for a in m.agents] == [
        ("HX1", 1, Fraction(1)),
        ("LC7", 0, Fraction(0)),
    ]


@pytest.mark.parametrize("withheld", ["", "匿名", "unknown", "0000"])
def test_withheld_number_stays_connected_but_never_repeats(withheld):
    log = calls(call(withheld, "10:00:00", "10:00:10"), call(withheld, "10:10:00", "10:10:10"))
    m = measure_detail(DetailData(calls=log), MONTH)
    v = m.vendor("华信客服")
    assert (v.connected_calls, v.valid_calls, v.repeat_2h_calls, v.not_judgeable) == (2, 2, 0, 0)
    assert m.withheld_calls == 2


def test_test_numbers_are_left_out_of_everything():
    log = calls(
        call(TEST, "10:00:00", "10:00:10"),
        call(TEST, "10:10:00", "10:10:10"),
        call(A, "10:00:00", "10:00:10"),
        call(A, "10:30:00"),
    )
    m = measure_detail(DetailData(calls=log), MONTH, default_settings(test_numbers=frozenset({TEST})))
    v = m.vendor("华信客服")
    assert (v.connected_calls, v.valid_calls, v.repeat_2h_calls) == (1, 1, 1)
    assert m.test_calls == 2


def test_call_near_month_end_without_later_data_is_not_judgeable():
    log = calls(
        call(A, "2024-06-30 23:00:00", "2024-06-30 23:00:10"),
        call(B, "2024-06-30 21:00:00", "2024-06-30 21:00:10"),
    )
    flags = call_flags(log, MONTH)
    assert flags.data_end == pd.Timestamp("2024-07-01 00:00:00")
    assert flags.repeat.tolist() == [False, False]
    assert flags.not_judgeable.tolist() == [True, False]  # B's window ends 23:00:10, inside the data


def test_call_near_month_end_with_reentry_in_next_month_counts_and_next_month_row_is_not_a_call():
    log = calls(
        call(A, "2024-06-30 23:00:00", "2024-06-30 23:00:10"),
        call(A, "2024-07-01 00:30:00", "2024-07-01 00:30:05"),
    )
    m = measure_detail(DetailData(calls=log), MONTH)
    v = m.vendor("华信客服")
    assert (v.connected_calls, v.repeat_2h_calls, v.not_judgeable) == (1, 1, 0)


def test_data_end_is_the_last_queue_entry_when_later_than_month_end():
    log = calls(
        call(A, "2024-06-30 23:00:00", "2024-06-30 23:00:10"),  # window ends 01:00:10: 10 s past the data
        call(B, "2024-06-30 22:59:00", "2024-06-30 22:59:50"),  # window ends 00:59:50: inside the data
        call("13700000003", "2024-07-01 01:00:00"),  # the data's last entry
    )
    flags = call_flags(log, MONTH)
    assert flags.data_end == pd.Timestamp("2024-07-01 01:00:00")
    assert flags.not_judgeable.tolist() == [True, False, False]
    assert flags.month_call.tolist() == [True, True, False]


def test_caller_with_overlapping_calls():
    # A's first call is still going on (10:01–10:30) when A queues again at 10:10 on another line
    log = calls(
        call(A, "10:00:00", "10:01:00", agent="HX1", end="10:30:00"),
        call(A, "10:10:00", "10:11:00", agent="HX2", end="10:20:00"),
    )
    assert flags_of(log) == [True, False]


def test_valid_calls_minimum_talk_and_expert_transfers():
    log = calls(
        call(A, "10:00:00", "10:00:10", talk=5, expert=True),
        call(B, "10:00:00", "10:00:10", talk=30),
        call("13700000003", "10:00:00", "10:00:10", talk=31, agent="A2"),
    )
    m = measure_detail(DetailData(calls=log), MONTH, default_settings(min_talk_seconds=30))
    v = m.vendor("华信客服")
    assert (v.connected_calls, v.valid_calls, v.expert_transfers) == (3, 2, 1)


def test_vendor_totals_equal_sums_of_agents_and_points_callable():
    log = calls(
        call(A, "10:00:00", "10:00:10", agent="X1"),
        call(A, "10:20:00", "10:20:10", agent="X2"),
        call(B, "10:00:00", "10:00:10", agent="X1"),
        call(B, "14:00:00", "14:00:10", agent="X1"),
    )
    m = measure_detail(DetailData(calls=log), MONTH, points_for_rate=lambda r: r * 100)
    x1, x2 = m.agents
    assert (x1.agent_id, x1.connected_calls, x1.repeat_2h_calls, x1.rate, x1.points) == (
        "X1",
        3,
        1,
        Fraction(1, 3),
        Fraction(100, 3),
    )
    assert (x2.connected_calls, x2.repeat_2h_calls, x2.rate) == (1, 0, Fraction(0))
    v = m.vendor("华信客服")
    assert (v.connected_calls, v.repeat_2h_calls, v.rate) == (4, 1, Fraction(1, 4))


def test_month_is_inferred_from_the_calls():
    log = calls(call(A, "2024-06-10 10:00:00", "2024-06-10 10:00:10"), call(A, "2024-07-01 00:10:00"))
    assert infer_month(log) == "2024-06"
    tied = calls(
        call(A, "2024-07-02 10:00:00"), call(A, "2024-06-30 23:59:59"), call(A, "2024-07-03 10:00:00")
    )
    assert infer_month(tied) == "2024-07"
    tied = calls(call(A, "2024-07-02 10:00:00"), call(A, "2024-06-30 23:59:59"))
    assert infer_month(tied) == "2024-06"  # as many in each: the earlier month


# --- the vectorised measure equals a plain loop -------------------------------------------------

START = pd.Timestamp("2024-06-30 21:00:00")


def oracle(
    log: pd.DataFrame, month: str, window_min: int, tests: frozenset[str], anchor: str = "answer_time"
) -> dict:
    """Obviously correct: for each connected call of the month, look at every other row."""
    start, end = pd.Timestamp(f"{month}-01"), pd.Timestamp(f"{month}-01") + pd.offsets.MonthBegin(1)
    window = pd.Timedelta(minutes=window_min)
    rows = list(log.itertuples(index=False))
    data_end = max([end] + [r.queue_time for r in rows if r.caller not in tests])
    out: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        if not r.connected or r.caller in tests or not (start <= r.queue_time < end):
            continue
        counts = out.setdefault((r.vendor, r.agent_id), [0, 0, 0])
        counts[0] += 1
        if not any(ch in "123456789" for ch in r.caller):
            continue
        moment = getattr(r, anchor)
        again = any(o.caller == r.caller and moment < o.queue_time <= moment + window for o in rows)
        if again:
            counts[1] += 1
        elif moment + window > data_end:
            counts[2] += 1
    return {k: tuple(v) for k, v in out.items()}


LONG = "075512345678901"  # 15 digits: too wide a key to pack beside the time unhashed
row_strategy = st.tuples(
    st.sampled_from([A, A, B, LONG, "", "匿名", TEST]),
    # queue: on a 10-minute grid from 2024-06-30 21:00 over the month end, so that windows often end
    # exactly on another entry; the wait is often 0 or 10 minutes, sometimes 1 s or anything
    st.one_of(
        st.integers(0, 36).map(lambda m: m * 600), st.integers(0, 21_600_000).map(lambda ms: ms / 1000)
    ),
    # None = unanswered; sometimes a wait in milliseconds (times are then packed as milliseconds)
    st.one_of(
        st.none(),
        st.sampled_from([0, 1, 600]),
        st.integers(0, 600),
        st.integers(0, 600_000).map(lambda ms: ms / 1000),
    ),
    st.sampled_from([("X1", "华信客服"), ("X2", "华信客服"), ("Y1", "联创呼叫")]),
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(row_strategy, min_size=1, max_size=25),
    st.sampled_from([10, 30, 120]),
    st.sampled_from(["answer_time", "answer_time", "queue_time"]),
    st.sampled_from([repeats.SEARCH_BLOCK, 1, 3]),
)
def test_vectorised_measure_equals_plain_loop(rows, window, anchor, block):
    log = calls(
        *[
            call(
                c,
                str(START + pd.Timedelta(seconds=q)),
                None if w is None else str(START + pd.Timedelta(seconds=q + w)),
                *av,
            )
            for c, q, w, av in rows
        ]
    )
    tests = frozenset({TEST})
    # searched in blocks of sorted entries (of 1 and 3 here), or all at once; their times' span and
    # unit found as many rows at a time
    with mock.patch.object(repeats, "SEARCH_BLOCK", block), mock.patch.object(repeats, "STEP", block):
        flags = call_flags(
            log,
            MONTH,
            default_settings(repeat_window_minutes=window, repeat_anchor=anchor, test_numbers=tests),
        )
    got = {
        (a.vendor, a.agent_id): (a.connected_calls, a.repeat_2h_calls, a.not_judgeable)
        for a in agent_repeats(log, flags)
    }
    assert got == oracle(log, MONTH, window, tests, anchor)
    assert not np.any(flags.repeat & ~flags.month_call)
    with mock.patch.object(repeats, "SEARCH_BLOCK", block):
        paired = call_flags(
            log,
            MONTH,
            default_settings(repeat_window_minutes=window, repeat_anchor=anchor, test_numbers=tests),
            pairs=True,
        )
    assert np.array_equal(paired.repeat, flags.repeat)
    assert [int(r) for r in paired.reentry] == first_reentries(log, flags, window, anchor)


def first_reentries(log: pd.DataFrame, flags, window_min: int, anchor: str) -> list[int]:
    """Each repeat's first re-entry by queue time (of two in the same moment, the earlier row), else -1."""
    window = pd.Timedelta(minutes=window_min)
    rows = list(log.itertuples(index=False))
    out = []
    for i, r in enumerate(rows):
        moment = getattr(r, anchor)
        later = [
            (o.queue_time, j)
            for j, o in enumerate(rows)
            if o.caller == r.caller and not flags.test[j] and moment < o.queue_time <= moment + window
        ]
        out.append(min(later)[1] if flags.repeat[i] else -1)
    return out


def test_a_month_without_connected_calls():
    log = calls(call(A, "10:00:00"), call(B, "10:05:00"))
    m = measure_detail(DetailData(calls=log), MONTH)
    assert (m.vendors, m.agents, m.not_judgeable) == ((), (), 0)
    assert m.data_end == pd.Timestamp("2024-07-01")


def test_covered_months_leave_out_the_next_months_first_window():
    from kpi.detail.repeats import covered_months

    log = calls(
        call(A, "2024-06-30 23:30:00", "2024-06-30 23:30:10"),
        call(A, "2024-07-01 01:29:59"),  # within July's first 120 minutes: only a re-entry
    )
    assert covered_months(log, 120) == ["2024-06"]
    later = calls(call(A, "2024-06-30 23:30:00", "2024-06-30 23:30:10"), call(A, "2024-07-01 02:00:00"))
    assert covered_months(later, 120) == ["2024-06", "2024-07"]


def test_repeat_count_customers_counts_distinct_callers_per_agent_and_per_vendor():
    # A repeats twice with agent A1 (two connected calls each followed by a re-entry) and once with
    # A2; B repeats once with A2. Calls: A1 2, A2 2 → vendor 4. Customers: A1 1, A2 2 → vendor 2
    # (A counts once for the vendor, not once per agent).
    log = calls(
        call(A, "09:00:00", "09:00:10", agent="A1"),
        call(A, "09:30:00", "09:30:10", agent="A1"),
        call(A, "10:00:00", "10:00:10", agent="A2"),
        call(A, "10:30:00"),
        call(B, "11:00:00", "11:00:10", agent="A2"),
        call(B, "11:30:00"),
    )
    data = DetailData(calls=log)
    by_calls = measure_detail(data, MONTH, default_settings())
    by_customers = measure_detail(data, MONTH, default_settings(repeat_count="customers"))
    assert [(a.agent_id, a.repeat_2h_calls) for a in by_calls.agents] == [("A1", 2), ("A2", 2)]
    assert [(a.agent_id, a.repeat_2h_calls) for a in by_customers.agents] == [("A1", 1), ("A2", 2)]
    assert (by_calls.vendors[0].repeat_2h_calls, by_customers.vendors[0].repeat_2h_calls) == (4, 2)
    assert by_customers.vendors[0].rate == Fraction(2, 4)  # of 4 connected calls


def test_repeat_count_customers_with_no_repeats():
    log = calls(call(A, "09:00:00", "09:00:10"))
    measure = measure_detail(DetailData(calls=log), MONTH, default_settings(repeat_count="customers"))
    assert [(a.agent_id, a.repeat_2h_calls) for a in measure.agents] == [("A1", 0)]
    assert measure.vendors[0].repeat_2h_calls == 0


# ------------------------------------------------------------------ [detail] repeat options (issue 10)
def test_the_options_default_to_the_contracts_reading():
    d = default_settings()
    assert (d.repeat_anchor, d.same_queue_only, d.reentry_must_connect, d.exclude_transfers) == (
        "answer_time",
        False,
        False,
        False,
    )
    assert d.repeat_window_minutes == 120 and d.clock_skew_seconds == 5 and d.timezone == "Asia/Shanghai"


def test_end_time_anchor_counts_from_the_end_of_the_call():
    log = calls(call(A, "10:00:00", "10:00:10", end="11:30:00"), call(A, "13:20:00"))
    assert flags_of(log) == [False, False]  # 13:20 is past 12:00:10
    assert flags_of(log, repeat_anchor="end_time") == [True, False]  # within 120 min of 11:30


def test_same_queue_only():
    log = calls(call(A, "10:00:00", "10:00:10", queue_name="缴费"), call(A, "10:30:00", queue_name="宽带"))
    assert flags_of(log) == [True, False]
    assert flags_of(log, same_queue_only=True) == [False, False]
    again = calls(call(A, "10:00:00", "10:00:10", queue_name="缴费"), call(A, "10:30:00", queue_name="缴费"))
    assert flags_of(again, same_queue_only=True) == [True, False]


def test_reentry_must_connect():
    log = calls(call(A, "10:00:00", "10:00:10"), call(A, "10:30:00"))  # the re-entry is abandoned
    assert flags_of(log) == [True, False]
    assert flags_of(log, reentry_must_connect=True) == [False, False]


def test_exclude_transfers():
    log = calls(call(A, "10:00:00", "10:00:10", transferred=True), call(A, "10:30:00"))
    assert flags_of(log) == [True, False]
    assert flags_of(log, exclude_transfers=True) == [False, False]
    expert = calls(call(A, "10:00:00", "10:00:10", expert=True), call(A, "10:30:00"))
    assert flags_of(expert, exclude_transfers=True) == [False, False]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 40 * 24 * 60), min_size=1, max_size=30),  # minutes from 2024-05-20
    st.sampled_from([0, 120, 60 * 24 * 40]),
    st.sampled_from([0, 30 * 24 * 60]),  # a second cluster of times 2.5 years later: the general way
)
def test_covered_months_are_the_months_with_an_entry_past_their_first_window(minutes, window, far):
    from kpi.detail.repeats import covered_months

    base = pd.Timestamp("2024-05-20")
    times = [base + pd.Timedelta(minutes=m) for m in minutes]
    if far:
        times += [base + pd.Timedelta(days=900, minutes=m) for m in minutes]
    log = calls(*[call(A, str(t)) for t in times])
    want = sorted(
        {
            str(t.to_period("M"))
            for t in times
            if t >= t.to_period("M").start_time + pd.Timedelta(minutes=window)
        }
    )
    assert covered_months(log, window) == want
