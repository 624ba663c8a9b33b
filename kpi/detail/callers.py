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
    """Callers (text, "" when empty) with mobile prefixes removed, and the rows in scientific notation.

    Runs once per distinct number (dictionary encoded), not once per row."""
    encoded = pc.dictionary_encode(callers)
    numbers = pc.replace_substring(encoded.dictionary, " ", "")
    numbers = pc.replace_substring_regex(numbers, MOBILE_PREFIXED, r"\1")
    scientific = pc.fill_null(pc.match_substring_regex(encoded.dictionary, SCIENTIFIC), False)
    out = numbers.take(encoded.indices)
    return out, scientific.take(encoded.indices).to_numpy(zero_copy_only=False)
