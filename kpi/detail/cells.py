"""Cell conversion for the detail sheets, on whole Arrow columns (a million rows must not go through
Python one by one). A converter returns the converted column and a mask of the cells that held
something it could not read, so the caller can say exactly which rows are wrong.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.files.cells import NUMBER, norm_text, number_text

TOTAL_MARKERS = ("合计", "总计", "小计")
STEP = 1 << 20  # rows at a time, for the (agent, vendor) pair counts
TRUE_WORDS = ("是", "1", "1.0", "y", "yes", "true", "t", "接通", "已接通", "成功", "√")
FALSE_WORDS = ("否", "0", "0.0", "n", "no", "false", "f", "未接通", "失败", "×")


def _nfkc_subset(arr: pa.Array) -> pa.Array:
    """Full-width digits, letters and spaces to ASCII and invisible characters removed (the summary's
    `norm_text`, so a vendor or agent id is the same name in both), touching only the (few) non-ASCII cells."""
    non_ascii = pc.invert(pc.fill_null(pc.string_is_ascii(arr), True))
    if not pc.any(non_ascii).as_py():
        return arr
    rows = pc.indices_nonzero(non_ascii)
    values = arr.take(rows).to_pylist()
    fixed = [norm_text(v) for v in values]
    if fixed == values:
        return arr
    mask = np.zeros(len(arr), bool)
    mask[rows.to_numpy()] = True
    return pc.replace_with_mask(arr, pa.array(mask), pa.array(fixed, pa.string()))


def as_strings(arr: pa.Array) -> pa.Array:
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    if pa.types.is_floating(arr.type):  # whole numbers (an 11-digit caller, an id) print without ".0"
        integral = pc.fill_null(pc.equal(pc.floor(arr), arr), True)
        in_range = pc.fill_null(pc.less(pc.abs(arr), 2.0**63), True)
        if pc.all(pc.and_(integral, in_range)).as_py():
            arr = pc.cast(arr, pa.int64())
    return arr if pa.types.is_string(arr.type) else pc.cast(arr, pa.string())


def holds_bytes(arr: pa.Array | pa.ChunkedArray, chars: bytes) -> bool:
    """Whether any cell of a text column holds one of these ASCII characters (what `pc.match_substring`
    asks of each cell, asked once of the values' bytes: in UTF-8 an ASCII byte is never part of
    another character)."""
    if arr.null_count or not pa.types.is_string(arr.type):  # a null's slot may hold stray bytes
        return any(pc.any(pc.match_substring(arr, chr(c))).as_py() for c in chars)
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        if not len(chunk):
            continue
        _, offsets, data = chunk.buffers()
        bounds = np.frombuffer(offsets, np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
        values = np.frombuffer(data, np.uint8)[bounds[0] : bounds[-1]]
        if any((values == c).any() for c in chars):
            return True
    return False


def to_text(arr: pa.Array, empty: str | None = None) -> pa.Array:
    """Any column as trimmed strings (integral numbers without '.0'); empty cells become `empty`.
    Cells of plain ASCII digits (a caller column is mostly those) are already what this gives: when
    they are most of the column, only the other cells are cleaned."""
    arr = as_strings(arr)
    if isinstance(arr, pa.Array) and len(arr) > 1000:
        plain = pc.fill_null(pc.ascii_is_decimal(arr), False)
        rows = pc.indices_nonzero(pc.invert(plain))
        if len(rows) * 4 < len(arr):
            few = arr.take(rows)
            fixed = _to_text(few, empty)
            if fixed.equals(few):  # nothing to clean ('' and '匿名' callers): the column as it is
                return arr
            return pc.replace_with_mask(arr, pc.invert(plain), fixed)
    return _to_text(arr, empty)


def _to_text(arr: pa.Array, empty: str | None) -> pa.Array:
    arr = _nfkc_subset(pc.utf8_trim_whitespace(arr))
    if empty is None:
        return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pc.fill_null(arr, empty)


def _encoded(arr: pa.Array) -> pa.DictionaryArray:
    """A column as a dictionary of its text: as it is when parsed that way (a CSV's few-valued columns)."""
    if pa.types.is_dictionary(arr.type) and pa.types.is_string(arr.type.value_type):
        return arr
    return pc.dictionary_encode(as_strings(arr))


def empty_text(n: int) -> pa.Array:
    """`n` empty cells of text ("", not null): a column the file does not have (no list of n str)."""
    return pa.repeat(pa.scalar("", pa.string()), n)


def empty_text_few(n: int) -> pa.DictionaryArray:
    """`to_text_few` of `n` empty cells, made as such (5M rows: 0.37 s less than from a list)."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([""], pa.string()))


def to_text_few(arr: pa.Array) -> pa.DictionaryArray:
    """`to_text` (empty as "") for a column of few distinct values (vendor, agent), as a dictionary
    column: the cleaning runs once per distinct value, and pandas gets a cheap categorical."""
    encoded = _encoded(arr)
    cleaned = [*to_text(encoded.dictionary, "").to_pylist(), ""]  # the last one stands for empty cells
    distinct = sorted(set(cleaned))
    position = {v: i for i, v in enumerate(distinct)}
    remap = np.array([position[v] for v in cleaned], np.int32)
    indices = encoded.indices  # (no empty cell: read in place, not copied by fill_null)
    indices = (pc.fill_null(indices, len(cleaned) - 1) if indices.null_count else indices).to_numpy(False)
    return pa.DictionaryArray.from_arrays(pa.array(remap[indices]), pa.array(distinct, pa.string()))


def unreadable(raw_present: pa.Array, converted: pa.Array) -> np.ndarray:
    """Cells that held something but did not convert."""
    return (
        raw_present.to_numpy(zero_copy_only=False) & pc.is_null(converted).to_numpy(zero_copy_only=False)
    ).astype(bool)


def present(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(arr), ""), False)
    return pc.is_valid(arr)


def map_values(arr: pa.Array, mapping: dict[str, str]) -> tuple[pa.Array, np.ndarray]:
    """A source profile's value map applied (the file's value → ours, compared trimmed and without
    case); a non-empty value the map does not name becomes empty and is marked unreadable."""
    encoded = pc.dictionary_encode(to_text(arr))
    wanted = {k.strip().lower(): v for k, v in mapping.items()}
    found = [None if v is None else wanted.get(v.lower()) for v in encoded.dictionary.to_pylist()]
    missing = pa.array(
        [f is None and bool(v) for f, v in zip(found, encoded.dictionary.to_pylist(), strict=True)]
    )
    out = pa.array(found, pa.string()).take(encoded.indices)
    bad = pc.fill_null(missing.take(encoded.indices), False)
    return out, bad.to_numpy(zero_copy_only=False)


def to_flag(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """是/否, 1/0, true/false → bool (null when empty), and the unreadable cells."""
    if pa.types.is_boolean(arr.type):
        return arr, np.zeros(len(arr), bool)
    encoded = _encoded(arr)  # a handful of distinct values
    words = [
        unicodedata.normalize("NFKC", v).strip().lower() if v is not None else None
        for v in encoded.dictionary.to_pylist()
    ]
    flags = pa.array(
        [True if w in TRUE_WORDS else False if w in FALSE_WORDS else None for w in words], pa.bool_()
    )
    unreadable = pa.array(
        [w not in TRUE_WORDS and w not in FALSE_WORDS and bool(w) for w in words], pa.bool_()
    )
    out = flags.take(encoded.indices)
    bad = pc.fill_null(unreadable.take(encoded.indices), False)
    return out, bad.to_numpy(zero_copy_only=False)


def _number_subset(arr: pa.Array) -> pa.Array:
    """Trimmed text with full-width forms and invisible characters fixed (kpi.files.cells.number_text),
    on the few non-ASCII cells only: '１２３' reads, '10²' and '①⓪⓪' stay as written (and are refused)."""
    arr = pc.utf8_trim_whitespace(as_strings(arr))
    non_ascii = pc.invert(pc.fill_null(pc.string_is_ascii(arr), True))
    if not pc.any(non_ascii).as_py():
        return arr
    rows = pc.indices_nonzero(non_ascii)
    fixed = [number_text(v) for v in arr.take(rows).to_pylist()]
    mask = np.zeros(len(arr), bool)
    mask[rows.to_numpy()] = True
    return pc.replace_with_mask(arr, pa.array(mask), pa.array(fixed, pa.string()))


def to_number(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Column → float64 (NaN when empty), and the unreadable cells. Text is read as the summary reads
    it (kpi.files.cells.NUMBER): '12,345' and full-width digits are numbers; '1,0,0', '10²', '1e5' are not."""
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), np.zeros(len(arr), bool)
    if pa.types.is_string(arr.type):  # plain digits in every cell (the usual export): one cast
        empty = pc.equal(arr, "")
        if pc.all(pc.fill_null(pc.or_(empty, pc.ascii_is_decimal(arr)), True)).as_py():
            digits = pc.if_else(empty, pa.scalar(None, pa.string()), arr) if pc.any(empty).as_py() else arr
            # read as integers where they fit (twice as fast as floats; the same doubles)
            short = (pc.max(pc.binary_length(digits)).as_py() or 0) <= 18
            values = pc.cast(digits, pa.int64() if short else pa.float64())
            return values.to_numpy(zero_copy_only=False).astype(float), np.zeros(len(arr), bool)
    text = _number_subset(arr)
    present = pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False)
    strict = pc.fill_null(pc.match_substring_regex(text, f"^(?:{NUMBER.pattern})$"), False)
    strict = strict.to_numpy(zero_copy_only=False)
    cleaned = pc.replace_substring_regex(text, "[, ]", "")
    cleaned = pc.if_else(pa.array(strict), cleaned, pa.scalar(None, pa.string()))
    values = pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False)
    values = np.where(strict, values, np.nan).astype(float)
    return values, present & ~strict


def encode(series: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """An int64 code per row (same value, same code) and the distinct values, via Arrow."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pa.array(series.cat.categories.astype(str), pa.string())
        return series.cat.codes.to_numpy().astype(np.int64), categories
    arr = pa.array(series, pa.string())
    encoded = pc.dictionary_encode(arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr)
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary


def category_codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """A column of few values as its categories' codes, as narrow as pandas keeps them (not widened
    to int64: a 5M-row month's codes are 5–10 MB, not 40), and the categories as text; -1 for none."""
    column = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    return column.cat.codes.to_numpy(), [str(v) for v in column.cat.categories]


def pair_first_rows(
    left: np.ndarray, right: np.ndarray, right_size: int, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each (left, right) code pair among the `wanted` rows, as left * right_size + right, sorted, and
    the row where it first appears (`np.unique(keys, return_index=True)` of those pairs). Counted a
    million rows at a time: the keys and places of a step are small and reused (5M rows, a first
    call 0.35-0.47 -> 0.05 s: fresh pages cost more here than the counting). Codes are 0 or more."""
    size = _pairs_size(left, right_size)
    if size is None:  # numbered by hashing first
        distinct, inverse = _hashed_pairs(left, right, right_size)
        pairs, first = pair_first_rows(inverse, np.zeros(len(left), np.int8), 1, wanted)
        return distinct[pairs], first
    first = np.full(size, len(left), np.int64)
    for keys, rows in _pair_steps(left, right, right_size, wanted):
        np.minimum.at(first, keys, rows)
    present = np.flatnonzero(first < len(left))
    return present, first[present]


def pair_counts(
    left: np.ndarray, right: np.ndarray, right_size: int, wanted: np.ndarray, masks: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Each (left, right) code pair among the `wanted` rows, as left * right_size + right, sorted; how
    many wanted rows each has; and how many of those each of the `masks` (one flag per row) holds.
    Counted a million rows at a time, as pair_first_rows. Codes are 0 or more."""
    size = _pairs_size(left, right_size)
    if size is None:
        distinct, inverse = _hashed_pairs(left, right, right_size)
        pairs, counts, held = pair_counts(inverse, np.zeros(len(left), np.int8), 1, wanted, masks)
        return distinct[pairs], counts, held
    every, each = np.zeros(size, np.int64), {key: np.zeros(size, np.int64) for key in masks}
    for keys, rows in _pair_steps(left, right, right_size, wanted):
        every += np.bincount(keys, minlength=size)
        for key, mask in masks.items():
            each[key] += np.bincount(keys[mask[rows]], minlength=size)
    pairs = np.flatnonzero(every)
    return pairs, every[pairs], {key: counts[pairs] for key, counts in each.items()}


def _pairs_size(left: np.ndarray, right_size: int) -> int | None:
    """How many pair keys there can be; None when too many to count in an array (garbage ids: many
    agents × many vendors), to be numbered by hashing first."""
    size = (int(left.max(initial=0)) + 1) * max(1, right_size)
    return None if size > 4 * len(left) + 1_000_000 else size


def pair_keys(left: np.ndarray, right: np.ndarray, right_size: int, rows: np.ndarray | slice) -> np.ndarray:
    """The (left, right) pair key of each of these rows: left * right_size + right, as int64."""
    keys = left[rows].astype(np.int64)
    keys *= right_size
    keys += right[rows]
    return keys


def _hashed_pairs(left: np.ndarray, right: np.ndarray, right_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every row's pair key numbered 0..k-1 (the keys, sorted, and each row's number)."""
    return np.unique(pair_keys(left, right, right_size, slice(None)), return_inverse=True)


def _pair_steps(
    left: np.ndarray, right: np.ndarray, right_size: int, wanted: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The `wanted` rows' pair keys and the rows themselves, a step of STEP rows at a time."""
    for at in range(0, len(left), STEP):
        rows = np.flatnonzero(wanted[at : at + STEP])
        keys = pair_keys(left[at : at + STEP], right[at : at + STEP], right_size, rows)
        rows += at
        yield keys, rows


def total_rows(
    columns: dict[str, pa.Array], keys: Sequence[str], candidates: np.ndarray | None = None
) -> np.ndarray:
    """Rows that are a 合计/总计 line (a text column starting with such a word), among `candidates`."""
    n = len(next(iter(columns.values()))) if columns else 0
    rows = np.arange(n) if candidates is None else np.flatnonzero(candidates)
    mask = np.zeros(n, bool)
    if not len(rows):
        return mask
    take = pa.array(rows)
    for key in keys:
        if key in columns:
            text = columns[key].take(take)
            if pa.types.is_dictionary(text.type):
                text = text.dictionary_decode()
            for marker in TOTAL_MARKERS:
                mask[rows] |= pc.fill_null(pc.starts_with(text, marker), False).to_numpy(zero_copy_only=False)
    return mask
