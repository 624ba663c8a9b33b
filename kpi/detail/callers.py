"""Caller numbers as one customer is one number: a mobile written with +86, 0086, 86 or a leading 0
is the same 11-digit mobile; a number in scientific notation (3.26702E+11, what Excel shows and
saves for a long number) has lost digits and is refused with its rows, never merged silently."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MOBILE_PREFIXED = r"^(?:\+86|0086|86|0)(1[3-9][0-9]{9})$"
SCIENTIFIC = r"^[+-]?[0-9](?:\.[0-9]+)?[eE][+-]?[0-9]+$"


def normalise_callers(callers: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Callers (text, "" when empty) with spaces and mobile prefixes removed, and the rows in
    scientific notation. Only the few cells that can need it (12–15 characters, a space, an e) are
    looked at one by one; a plain 11-digit mobile passes untouched."""
    n = len(callers)
    length = pc.utf8_length(callers)
    maybe = pc.and_(pc.greater_equal(length, 12), pc.less_equal(length, 15))
    maybe = pc.or_(maybe, pc.match_substring(callers, " "))
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
