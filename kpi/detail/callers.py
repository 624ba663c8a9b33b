"""Caller numbers as one customer is one number: a mobile written with +86, 0086, 86 or a leading 0
is the same 11-digit mobile; a number in scientific notation (3.26702E+11, what Excel shows and
saves for a long number) has lost digits and is refused with its rows, never merged silently."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.detail.cells import holds_bytes

MOBILE_PREFIXED = r"^(?:\+86|0086|86|0)(1[3-9][0-9]{9})$"
SCIENTIFIC = r"^[+-]?[0-9](?:\.[0-9]+)?[eE][+-]?[0-9]+$"


def normalise_callers(callers: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Callers (text, "" when empty) with spaces and mobile prefixes removed, and the rows in
    scientific notation. Only the few cells that can need it (12–15 characters, a space, an e) are
    looked at one by one; a plain 11-digit mobile passes untouched."""
    n = len(callers)
    length = pc.utf8_length(callers)
    maybe = pc.and_(pc.greater_equal(length, 12), pc.less_equal(length, 15))
    if holds_bytes(callers, b" "):  # each cell asked only when some cell has one
        maybe = pc.or_(maybe, pc.match_substring(callers, " "))
    if holds_bytes(callers, b"eE"):
        maybe = pc.or_(maybe, pc.match_substring(callers, "e", ignore_case=True))
    rows = pc.indices_nonzero(pc.fill_null(maybe, False))
    scientific = np.zeros(n, bool)
    if not len(rows):
        return callers, scientific
    few = callers.take(rows)
    fixed = pc.replace_substring_regex(pc.replace_substring(few, " ", ""), MOBILE_PREFIXED, r"\1")
    at = rows.to_numpy()
    scientific[at] = pc.fill_null(pc.match_substring_regex(few, SCIENTIFIC), False).to_numpy(
        zero_copy_only=False
    )
    mask = np.zeros(n, bool)
    mask[at] = True
    return pc.replace_with_mask(callers, pa.array(mask), fixed), scientific


DIGITS_IN_KEY = 17  # up to 17 digits and their count fit one int64 key (10**17 * 32 < 2**63)


def caller_codes(callers: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """An int64 code per row (same number, same code; codes 0..k-1) and the callers as Arrow text.

    What `kpi.detail.cells.encode` gives, by hashing integers instead of strings: a caller of
    digits only (nearly all of them) is keyed by its value and its length (so 0086… and 86… stay
    apart), the few others by their own dictionary codes, below zero."""
    codes, arr, _ = caller_keys(callers)
    return codes, arr


STEP = 1 << 20


def is_withheld(numbers: pa.Array) -> np.ndarray:
    """Empty or withheld numbers: no digit other than 0 (e.g. '', '匿名', 'unknown', '0000')."""
    has_digit = pc.fill_null(pc.match_substring_regex(numbers, "[1-9]"), False)
    return ~has_digit.to_numpy(zero_copy_only=False)


def _digit_keys(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """value × 32 + length of each digits-only caller (up to DIGITS_IN_KEY digits), and which are."""
    length = pc.binary_length(arr)
    digits = pc.fill_null(pc.and_(pc.ascii_is_decimal(arr), pc.less_equal(length, DIGITS_IN_KEY)), False)
    every = pc.all(digits).as_py() and not arr.null_count  # the usual step: cast as it is, no copy
    value = pc.cast(arr if every else pc.if_else(digits, arr, pa.scalar(None, pa.string())), pa.int64())
    keys = (value if every else pc.fill_null(value, 0)).to_numpy(zero_copy_only=False) * 32
    keys += (length if every else pc.fill_null(length, 0)).to_numpy(zero_copy_only=False)
    return keys, digits.to_numpy(zero_copy_only=False)


def caller_keys(callers: pd.Series, dense: bool = True) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """`caller_codes`, and which callers are withheld (no digit other than 0: '', '匿名', '0000';
    see is_withheld), told from the same integer keys: a digits-only number is
    withheld when its value is 0, and only the few others are searched as text. Not `dense`: the
    keys themselves (same number, same key; 0 or more, but not 0..k-1), without hashing every row."""
    arr = pa.array(callers, pa.string())
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    keys, digits = np.empty(len(arr), np.int64), np.empty(len(arr), bool)

    def step(at: int) -> None:  # a step at a time: the text and number copies stay small
        keys[at : at + STEP], digits[at : at + STEP] = _digit_keys(arr.slice(at, STEP))

    steps = range(0, len(arr), STEP)
    with ThreadPoolExecutor(min(len(steps), os.cpu_count() or 1) or 1) as pool:  # Arrow drops the GIL
        list(pool.map(step, steps))
    withheld = keys < 32  # a digits-only number of value 0
    others = np.flatnonzero(~digits)
    if len(others):
        few = arr.take(pa.array(others))
        encoded = pc.dictionary_encode(few)
        keys[others] = -1 - pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        withheld[others] = is_withheld(few)
    if not dense:
        keys -= min(0, int(keys.min(initial=0)))
        return keys, arr, withheld
    codes, _ = pd.factorize(keys)
    return codes.astype(np.int64), arr, withheld
