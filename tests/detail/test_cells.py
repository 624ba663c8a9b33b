"""kpi.detail.cells: the quick paths give what the general ones give."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from kpi.detail.cells import _number_subset, _to_text, pair_counts, pair_first_rows, to_number, to_text

ROWS = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 4), st.booleans(), st.booleans()), max_size=300)


@given(ROWS, st.booleans())
def test_pair_counts_count_each_pairs_wanted_rows_and_their_flags(rows: list, garbage: bool) -> None:
    """`garbage`: codes so far apart that the pairs are numbered by hashing first."""
    spread = 10**6 if garbage else 1
    left = np.array([r[0] * spread for r in rows], np.int64)
    right = np.array([r[1] for r in rows], np.int8)
    wanted, flag = np.array([r[2] for r in rows], bool), np.array([r[3] for r in rows], bool)
    want: dict[int, list[int]] = {}
    for a, b, w, f in zip(left.tolist(), right.tolist(), wanted.tolist(), flag.tolist(), strict=True):
        if w:
            counted = want.setdefault(a * 5 + b, [0, 0])
            counted[0] += 1
            counted[1] += f
    for step in (7, 1 << 20):
        with patch("kpi.detail.cells.STEP", step):
            pairs, every, each = pair_counts(left, right, 5, wanted, {"flag": flag})
        assert pairs.tolist() == sorted(want)
        assert every.tolist() == [want[k][0] for k in sorted(want)]
        assert each["flag"].tolist() == [want[k][1] for k in sorted(want)]


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 4), st.booleans()), max_size=300), st.booleans())
def test_pair_first_rows_is_np_unique_with_index_of_the_wanted_pairs(rows: list, garbage: bool) -> None:
    """`garbage`: codes so far apart that the pairs are numbered by hashing first."""
    left = np.array([r[0] * (10**6 if garbage else 1) for r in rows], np.int64)
    right = np.array([r[1] for r in rows], np.int8)
    wanted = np.array([r[2] for r in rows], bool)
    at = np.flatnonzero(wanted)
    want, want_at = np.unique(left[at] * 5 + right[at], return_index=True)
    for step in (7, 1 << 20):  # steps of 7 rows: pairs met again in a later step keep their first row
        with patch("kpi.detail.cells.STEP", step):
            pairs, first = pair_first_rows(left, right, 5, wanted)
        assert pairs.tolist() == want.tolist()
        assert first.tolist() == at[want_at].tolist()


def test_plain_digits_read_in_one_cast_as_the_general_way_reads_them() -> None:
    values, bad = to_number(pa.array(["59", "", "0007", "3600"]))
    assert np.array_equal(values, [59.0, np.nan, 7.0, 3600.0], equal_nan=True)
    assert not bad.any()
    # one cell that is not plain digits: the whole column the general way, with its rules
    values, bad = to_number(pa.array(["59", "1,234", "1e5", " 12 ", "１２"]))
    assert np.array_equal(values, [59.0, 1234.0, np.nan, 12.0, 12.0], equal_nan=True)
    assert bad.tolist() == [False, False, True, False, False]
    assert _number_subset(pa.array(["１２"])).to_pylist() == ["12"]


def test_text_of_a_mostly_digit_column_is_what_the_whole_cleaning_gives():
    odd = [" 13800000001 ", "１３８００", "", None, "匿名", "\u200b138", "0", "12.5"]
    values = [f"138{i:08d}" for i in range(3000)] + odd * 20
    arr = pa.array(values, pa.string())
    for empty in (None, ""):
        assert to_text(arr, empty).to_pylist() == _to_text(arr, empty).to_pylist()
    assert to_text(arr, "").to_pylist()[3000:3008] == [
        "13800000001",
        "13800",
        "",
        "",
        "匿名",
        "138",
        "0",
        "12.5",
    ]
