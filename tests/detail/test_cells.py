"""kpi.detail.cells: the quick paths give what the general ones give."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from kpi.detail.cells import _number_subset, _to_text, dense_unique, first_rows, to_number, to_text


@given(st.lists(st.integers(0, 40), max_size=200), st.integers(41, 60))
def test_dense_unique_is_np_unique(keys: list[int], size: int) -> None:
    arr = np.array(keys, np.int64)
    distinct, inverse = dense_unique(arr, size)
    want, want_inverse = np.unique(arr, return_inverse=True)
    assert distinct.tolist() == want.tolist()
    assert inverse.tolist() == want_inverse.tolist()


@given(
    st.lists(st.integers(-5, 40), max_size=200)
    | st.lists(st.integers(0, 40) | st.integers(0, 10**8), max_size=200)
)
def test_first_rows_is_np_unique_with_index(keys: list[int]) -> None:
    arr = np.array(keys, np.int64)
    distinct, at = first_rows(arr)
    want, want_at = np.unique(arr, return_index=True)
    assert distinct.tolist() == want.tolist()
    assert at.tolist() == want_at.tolist()


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
