"""kpi.detail.callers.caller_codes: the same grouping as a dictionary of the strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kpi.detail.callers import caller_codes
from kpi.detail.cells import encode

NUMBERS = st.one_of(
    st.text("0123456789", min_size=0, max_size=20),
    st.sampled_from(["匿名", "unknown", "+8613812341234", "0", "00", "000", "１３８"]),
)


def _same_grouping(a: np.ndarray, b: np.ndarray) -> bool:
    """Two codings group the rows alike (a bijection between their codes)."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@given(st.lists(NUMBERS, max_size=60))
def test_codes_group_rows_as_the_strings_do(values: list[str]) -> None:
    series = pd.Series(values, dtype="str")
    codes, numbers = caller_codes(series)
    assert numbers.to_pylist() == values
    assert _same_grouping(codes, encode(series)[0])
    if values:
        assert sorted(set(codes.tolist())) == list(range(len(set(values))))


def test_leading_zeros_and_lengths_stay_apart() -> None:
    values = ["13812341234", "013812341234", "0", "00", "", "匿名", "13812341234", "", "00"]
    codes, _ = caller_codes(pd.Series(values, dtype="str"))
    assert codes.tolist() == [0, 1, 2, 3, 4, 5, 0, 4, 3]
    # 17 digits still keyed as a number; 18 and more by their text
    long = ["9" * 17, "9" * 18, "9" * 17, "9" * 18, "0" * 17]
    codes, _ = caller_codes(pd.Series(long, dtype="str"))
    assert codes.tolist() == [0, 1, 0, 1, 2]
