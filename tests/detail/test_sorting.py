"""kpi.detail.sorting: the same order as numpy's stable argsort, whatever the keys."""

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.detail import sorting
from kpi.detail.sorting import gathered, stable_order


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 40)), max_size=300),
    st.booleans(),
    st.sampled_from([6, 30, 40]),
)
def test_stable_order_is_numpys_stable_argsort(pairs, time_ordered, low_bits):
    """Callers × times with ties, in time order or not, of narrow and wide parts."""
    if time_ordered:
        pairs = sorted(pairs, key=lambda p: p[1])
    callers = np.array([c for c, _ in pairs], np.int64) << (45 - low_bits if low_bits == 40 else 0)
    keys = (callers << low_bits) | np.array([t for _, t in pairs], np.int64)
    expected = np.argsort(keys, kind="stable")
    assert stable_order(keys.copy(), low_bits).tolist() == expected.tolist()


def test_keys_too_wide_for_packing_fall_back_to_argsort():
    keys = np.array([3 << 61, 1 << 61, 5, 5, 0], np.int64)
    assert stable_order(keys, 4).tolist() == [4, 2, 3, 1, 0]


def test_a_month_of_rows_over_several_steps_in_time_order_or_not():
    """Past kpi.detail.sorting.STEP rows the checks and places go a step at a time: a drop in time
    order just after a step's end is seen."""
    rng = np.random.default_rng(5)
    n = 2_500_000
    times = np.sort(rng.integers(0, 1 << 22, n))
    keys = (rng.integers(0, 1 << 30, n) << 22) | times
    assert stable_order(keys.copy(), 22).tolist() == np.argsort(keys, kind="stable").tolist()
    keys[1 << 20] &= ~((1 << 22) - 1)  # time 0 on the first row after the first step
    assert stable_order(keys.copy(), 22).tolist() == np.argsort(keys, kind="stable").tolist()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.sampled_from([1, 3, 1 << 20]), st.booleans(), st.integers(0, 2**32))
def test_gathered_is_numpys_take_in_parts(n, step, into, seed):
    rng = np.random.default_rng(seed)
    source = rng.integers(-(2**62), 2**62, max(n, 1))
    places = rng.integers(0, len(source), n)
    out = np.full(n, 7, np.int64) if into else None
    with mock.patch.object(sorting, "STEP", step):  # several parts (one per core) when step is small
        got = gathered(source, places, out)
    assert np.array_equal(got, np.take(source, places))
    assert got is out or out is None
