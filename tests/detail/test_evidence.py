"""The 2-hour repeat pairs behind a count, on a hand-made call log: exact pairs, masking, and the
same search as the count."""

from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.detail.evidence import mask_caller, repeat_pairs
from kpi.detail.repeats import call_flags, default_settings
from tests.calllog import at, call, calls

A, B, C = "13812341234", "13900000002", "13700001111"
MONTH = "2024-06"

LOG = calls(
    call(A, "10:00:00", "10:00:30", agent="HX1"),  # C0: repeat; its first re-entry is C2
    call(A, "10:00:10"),  # C1: A queues again from another line while still waiting: before the answer
    call(A, "10:45:30"),  # C2: re-entry 45 minutes after the answer, not answered
    call(A, "11:00:00", "11:00:20", agent="LC7", vendor="联创呼叫"),  # C3: a second re-entry (counted once)
    call(B, "09:00:00", "09:01:00", agent="HX2"),  # C4: repeat, re-entry C5
    call(B, "09:30:20", "09:31:00", agent="HX1"),  # C5: answered by HX1; no re-entry after it
    call(C, "14:00:00", "14:00:10", agent="HX1"),  # C6: re-entry 120 min 1 s after the answer: not a repeat
    call(C, "16:00:11"),  # C7
    call("", "15:00:00", "15:00:05", agent="HX1"),  # C8: withheld: never a repeat
    call("", "15:10:00"),  # C9
)


def test_pairs_of_a_vendor_are_exact():
    pairs = repeat_pairs(LOG, MONTH, "华信客服")
    assert [
        (p.agent_id, p.caller, p.call_id, p.queue_time, p.answer_time, p.reentry_call_id, p.reentry_time)
        for p in pairs
    ] == [
        ("HX1", "138****1234", "C0", at("10:00:00"), at("10:00:30"), "C2", at("10:45:30")),
        ("HX2", "139****0002", "C4", at("09:00:00"), at("09:01:00"), "C5", at("09:30:20")),
    ]
    assert [p.gap_minutes for p in pairs] == [Fraction(45), Fraction(29 * 60 + 20, 60)]
    assert [(p.reentry_connected, p.reentry_agent, p.reentry_vendor) for p in pairs] == [
        (False, "", ""),
        (True, "HX1", "华信客服"),
    ]
    assert [(p.location, p.reentry_location) for p in pairs] == [
        ("test 第 2 行", "test 第 4 行"),
        ("test 第 6 行", "test 第 7 行"),
    ]


def test_pairs_of_one_agent_and_of_another_vendor():
    assert [p.call_id for p in repeat_pairs(LOG, MONTH, "华信客服", agent="HX2")] == ["C4"]
    assert repeat_pairs(LOG, MONTH, "联创呼叫") == ()
    assert repeat_pairs(LOG, MONTH, "华信客服", agent="HX9") == ()


def test_queue_time_anchor_measures_the_gap_from_the_queue_entry():
    pairs = repeat_pairs(
        LOG, MONTH, "华信客服", agent="HX1", settings=default_settings(repeat_anchor="queue_time")
    )
    # anchored at the queue entry, C1 (10 s later, still waiting) is the first re-entry
    assert [(p.call_id, p.reentry_call_id, p.gap_minutes) for p in pairs][0] == ("C0", "C1", Fraction(10, 60))


def test_as_many_pairs_as_counted_repeats():
    flags = call_flags(LOG, MONTH)
    counted = int((flags.repeat & (LOG["vendor"].astype(str) == "华信客服").to_numpy()).sum())
    assert counted == len(repeat_pairs(LOG, MONTH, "华信客服")) == 2


def test_masking():
    assert mask_caller("13812341234") == "138****1234"
    assert mask_caller("01088881234") == "010****1234"
    assert mask_caller("+8613812341234") == "+86*******1234"
    assert mask_caller("88881234") == "888*1234"
    assert mask_caller("95598") == "***98"
    assert mask_caller("12") == "**"


calls_strategy = st.lists(
    st.tuples(
        st.sampled_from(["13800000001", "13800000002", "13800000003", ""]),
        st.integers(0, 600),  # queue minute of the day
        st.one_of(st.none(), st.integers(0, 30)),  # minutes waited before the answer; None: unanswered
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(calls_strategy)
def test_pairs_come_from_the_count_search(rows):
    def hhmm(minutes: int) -> str:
        return f"{8 + minutes // 60:02d}:{minutes % 60:02d}:00"

    log = calls(*(call(c, hhmm(q), hhmm(q + w) if w is not None else None) for c, q, w in rows))
    plain = call_flags(log, MONTH)
    flags = call_flags(log, MONTH, pairs=True)
    assert plain.reentry is None
    assert np.array_equal(plain.repeat, flags.repeat)  # asking for pairs changes no count
    window = pd.Timedelta(minutes=120)
    for i in range(len(log)):
        j = int(flags.reentry[i])
        assert (j >= 0) == bool(flags.repeat[i])
        if j < 0:
            continue
        first, again = log.iloc[i], log.iloc[j]
        assert again.caller == first.caller
        assert first.answer_time < again.queue_time <= first.answer_time + window
        earlier = log[(log.caller == first.caller) & (log.queue_time > first.answer_time)]
        assert again.queue_time == earlier.queue_time.min()  # the first re-entry


def test_callers_in_full_only_when_asked():
    """The evidence built for 合同管理 (masked=False) shows the numbers as in the detail; the default
    (the CLI, every other role) masks them."""
    full = repeat_pairs(LOG, MONTH, "华信客服", masked=False)
    assert [p.caller for p in full] == [A, B]
    assert [p.caller for p in repeat_pairs(LOG, MONTH, "华信客服")] == ["138****1234", "139****0002"]
    assert [p.call_id for p in full] == ["C0", "C4"]  # the same pairs either way
