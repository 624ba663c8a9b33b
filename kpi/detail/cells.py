"""Cell conversion for the detail sheets, on whole Arrow columns (a million rows must not go through
Python one by one). A converter returns the converted column and a mask of the cells that held
something it could not read, so the caller can say exactly which rows are wrong.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.files.cells import NUMBER, norm_text, number_text

MS_PER_DAY = 86_400_000
EXCEL_EPOCH_MS = int(np.datetime64("1899-12-30T00:00:00", "ms").astype(np.int64))
TOTAL_MARKERS = ("合计", "总计", "小计")
TRUE_WORDS = ("是", "1", "1.0", "y", "yes", "true", "t", "接通", "已接通", "成功", "√")
FALSE_WORDS = ("否", "0", "0.0", "n", "no", "false", "f", "未接通", "失败", "×")
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y%m%d%H%M%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
)


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


def to_text(arr: pa.Array, empty: str | None = None) -> pa.Array:
    """Any column as trimmed strings (integral numbers without '.0'); empty cells become `empty`."""
    arr = _nfkc_subset(pc.utf8_trim_whitespace(as_strings(arr)))
    if empty is None:
        return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pc.fill_null(arr, empty)


def to_text_few(arr: pa.Array) -> pa.DictionaryArray:
    """`to_text` (empty as "") for a column of few distinct values (vendor, agent), as a dictionary
    column: the cleaning runs once per distinct value, and pandas gets a cheap categorical."""
    encoded = pc.dictionary_encode(as_strings(arr))
    cleaned = [*to_text(encoded.dictionary, "").to_pylist(), ""]  # the last one stands for empty cells
    distinct = sorted(set(cleaned))
    position = {v: i for i, v in enumerate(distinct)}
    remap = np.array([position[v] for v in cleaned], np.int32)
    indices = pc.fill_null(encoded.indices, len(cleaned) - 1).to_numpy(zero_copy_only=False)
    return pa.DictionaryArray.from_arrays(pa.array(remap[indices]), pa.array(distinct, pa.string()))


def _bad(raw_present: pa.Array, converted: pa.Array) -> np.ndarray:
    return (
        raw_present.to_numpy(zero_copy_only=False) & pc.is_null(converted).to_numpy(zero_copy_only=False)
    ).astype(bool)


def _present(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(arr), ""), False)
    return pc.is_valid(arr)


def _serial_to_ms(arr: pa.Array) -> pa.Array:
    days = pc.cast(arr, pa.float64())
    ok = pc.and_(pc.greater(days, 0), pc.less(days, 2958466))
    ms = pc.cast(pc.round(pc.multiply(days, MS_PER_DAY)), pa.int64(), safe=False)
    ms = pc.if_else(ok, pc.add(ms, EXCEL_EPOCH_MS), pa.scalar(None, pa.int64()))
    return pc.cast(ms, pa.timestamp("ms"))


def _parse_time_strings(arr: pa.Array) -> pa.Array:
    text = to_text(arr)
    out = pa.nulls(len(text), pa.timestamp("ms"))
    for fmt in TIME_FORMATS:
        parsed = pc.strptime(text, format=fmt, unit="ms", error_is_null=True)
        out = pc.coalesce(out, parsed)
        if out.null_count == text.null_count:
            return out
    left = np.flatnonzero(pc.and_(pc.is_null(out), pc.is_valid(text)).to_numpy(zero_copy_only=False))
    if len(left):  # fractional seconds, Chinese dates, serials as text: few cells, the slow way
        values = pd.Series(text.take(pa.array(left)).to_pylist(), dtype=object)
        serial = pd.to_numeric(values, errors="coerce")
        parsed = pd.to_datetime(
            values.str.replace("年", "-").str.replace("月", "-").str.replace("日", ""),
            errors="coerce",
            format="mixed",
        )
        from_serial = pd.to_datetime(
            EXCEL_EPOCH_MS + (serial * MS_PER_DAY).round(), unit="ms", errors="coerce"
        )
        parsed = parsed.where(serial.isna() | (serial <= 0) | (serial >= 2958466), from_serial)
        filled = out.to_numpy(zero_copy_only=False).astype("datetime64[ms]")
        filled[left] = parsed.to_numpy(dtype="datetime64[ms]")
        out = pa.array(filled, pa.timestamp("ms"))
    return out


def to_time(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Column → timestamp[ms] (Excel datetimes, serial numbers or text), and the unreadable cells."""
    t = arr.type
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.timestamp("ms")), np.zeros(len(arr), bool)
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return pc.cast(
            pc.cast(arr, pa.timestamp("ms")) if pa.types.is_date(t) else arr, pa.timestamp("ms")
        ), np.zeros(len(arr), bool)
    out = (
        _serial_to_ms(arr) if pa.types.is_integer(t) or pa.types.is_floating(t) else _parse_time_strings(arr)
    )
    return out, _bad(_present(arr), out)


def to_flag(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """是/否, 1/0, true/false → bool (null when empty), and the unreadable cells."""
    if pa.types.is_boolean(arr.type):
        return arr, np.zeros(len(arr), bool)
    encoded = pc.dictionary_encode(as_strings(arr))  # a handful of distinct values
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
