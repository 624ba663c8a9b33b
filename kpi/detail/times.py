"""Time cells → timestamp[ms] in the rulebook's time zone, on whole Arrow columns.

How a column's times are written comes from the source profile (`TimeReading`): "auto" reads Excel
datetimes, Excel serial numbers in number cells, and date-time text; a time written with an offset
(`2024-07-01T01:00:00+08:00`, `…Z`) is moved to the rulebook's zone, so the month is decided there;
text without an offset is in the profile's zone (the rulebook's by default). A bare number written as
text is never guessed (not an Excel serial, not a year): only a profile saying "epoch_s"/"epoch_ms"
reads numbers as Unix times. A strftime pattern reads exactly that pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.detail.cells import holds_bytes, present, to_text, unreadable

MS_PER_DAY = 86_400_000
EXCEL_EPOCH_MS = int(np.datetime64("1899-12-30T00:00:00", "ms").astype(np.int64))
LAST_SERIAL = 2958466  # 9999-12-31 + 1
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
OFFSET_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z")
COMMON_WIDTH = len("2024-06-01 09:30:00")  # the one shape read by a plain cast (see _common_text)
NUMBER = r"^[0-9]+(\.[0-9]+)?$"
OFFSET = r"(Z|[+-][0-9]{2}:?[0-9]{2})$"
TIMESTAMP = pa.timestamp("ms")
# A call's time outside these years is a misread cell (a far Excel serial, a negative number), not a
# call: refused like an unreadable cell (beyond them, pandas' nanosecond times overflow).
FIRST_MS = int(np.datetime64("1970-01-01T00:00:00", "ms").astype(np.int64))
END_MS = int(np.datetime64("2200-01-01T00:00:00", "ms").astype(np.int64))


@dataclass(frozen=True)
class TimeReading:
    """How a file writes times: the format, the zone of times without an offset (and of epochs),
    and the zone the tool works in (the rulebook's [detail] timezone)."""

    fmt: str = "auto"
    zone: str = "Asia/Shanghai"
    target: str = "Asia/Shanghai"
    serials: bool = False  # a number written as text is an Excel serial (a workbook's number cells)

    @property
    def epoch_unit(self) -> int | None:
        return {"epoch_s": 1000, "epoch_ms": 1}.get(self.fmt)


AUTO = TimeReading()


def _naive_to_target(stamps: pa.Array, reading: TimeReading) -> pa.Array:
    """Naive times in the file's zone → naive times in the target zone."""
    if reading.zone == reading.target or stamps.null_count == len(stamps):
        return stamps
    aware = pc.assume_timezone(stamps, reading.zone, ambiguous="earliest", nonexistent="earliest")
    return _utc_to_target(aware, reading)


def _utc_to_target(stamps: pa.Array, reading: TimeReading) -> pa.Array:
    """Zone-aware (or UTC) times → naive times in the target zone."""
    return pc.cast(pc.local_timestamp(pc.cast(stamps, pa.timestamp("ms", reading.target))), TIMESTAMP)


def _serial_to_ms(arr: pa.Array) -> pa.Array:
    days = pc.cast(arr, pa.float64())
    ok = pc.and_(pc.greater(days, 0), pc.less(days, LAST_SERIAL))
    ms = pc.cast(pc.round(pc.multiply(days, MS_PER_DAY)), pa.int64(), safe=False)
    ms = pc.if_else(ok, pc.add(ms, EXCEL_EPOCH_MS), pa.scalar(None, pa.int64()))
    return pc.cast(ms, TIMESTAMP)


def _epoch(arr: pa.Array, reading: TimeReading) -> pa.Array:
    """Unix times (seconds or milliseconds, numbers or digit text) → target-zone times; 0 is empty."""
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        text = to_text(arr)
        numeric = pc.fill_null(pc.match_substring_regex(text, NUMBER), False)
        arr = pc.cast(pc.if_else(numeric, text, pa.scalar(None, pa.string())), pa.float64())
    value = pc.cast(arr, pa.float64())
    ms = pc.multiply(value, float(reading.epoch_unit or 1))
    ok = pc.and_(pc.greater(ms, 0), pc.less(ms, 253402300800000.0))  # up to 9999-12-31
    ms = pc.if_else(ok, pc.cast(pc.round(ms), pa.int64(), safe=False), pa.scalar(None, pa.int64()))
    return _utc_to_target(pc.cast(ms, pa.timestamp("ms", "UTC")), reading)


FIELDS = {"%Y": ("Y", pc.year), "%m": ("m", pc.month), "%d": ("d", pc.day), "%H": ("H", pc.hour),
          "%M": ("M", pc.minute), "%S": ("S", pc.second)}  # fmt: skip


def _strptime_exact(text: pa.Array, fmt: str) -> pa.Array:
    """`strptime` that refuses what it would roll over: Arrow's reads 2024-02-30 as 2024-03-01 and
    23:59:60 as the next day's 00:00:00; a cell whose written year, month, day, hour, minute or
    second is not the time read is left empty (unreadable), never moved to another day."""
    parsed = pc.strptime(text, format=fmt, unit="ms", error_is_null=True)
    if parsed.null_count == len(parsed):
        return parsed
    width = r"\d{2}" if "%d%H" in fmt else r"\d{1,2}"  # %Y%m%d%H%M%S: two digits each
    pattern = re.escape(fmt)
    for token, (name, _) in FIELDS.items():
        digits = r"\d{4}" if name == "Y" else width
        pattern = pattern.replace(re.escape(token), f"(?P<{name}>{digits})")
    written = pc.extract_regex(text, f"^{pattern}$")
    wrong = pa.scalar(False)
    for token, (name, part) in FIELDS.items():
        if token in fmt:
            given = pc.cast(pc.struct_field(written, name), pa.int64())
            wrong = pc.or_(wrong, pc.fill_null(pc.not_equal(given, pc.cast(part(parsed), pa.int64())), False))
    return pc.if_else(wrong, pa.scalar(None, TIMESTAMP), parsed)


def _parse_time_strings(arr: pa.Array, reading: TimeReading) -> pa.Array:
    text = to_text(arr)
    out = pa.nulls(len(text), TIMESTAMP)
    if "%" in reading.fmt:
        parsed = _strptime_exact(text, reading.fmt)
        if parsed.type.tz:
            return _utc_to_target(parsed, reading)
        return _naive_to_target(pc.cast(parsed, TIMESTAMP), reading)
    for fmt in TIME_FORMATS:
        out = pc.coalesce(out, _strptime_exact(text, fmt))
        if out.null_count == text.null_count:
            return _naive_to_target(out, reading)
    out = _naive_to_target(out, reading)
    left = pc.and_(pc.is_null(out), pc.is_valid(text))
    if not pc.any(left).as_py():
        return out
    for fmt in OFFSET_FORMATS:
        parsed = pc.strptime(text, format=fmt, unit="ms", error_is_null=True)
        out = pc.coalesce(out, _utc_to_target(parsed, reading))
    left = pc.and_(left, pc.is_null(out))
    number = pc.fill_null(pc.match_substring_regex(text, NUMBER), False)
    if reading.serials:  # a workbook's number cells, typed as text when the column mixes kinds
        out = pc.coalesce(
            out,
            _naive_to_target(_serial_to_ms(pc.cast(pc.if_else(number, text, None), pa.float64())), reading),
        )
    left = pc.and_(left, pc.invert(number))
    rows = np.flatnonzero(left.to_numpy(zero_copy_only=False))
    if len(rows):  # fractional seconds, Chinese dates, offsets with fractions: few cells, the slow way
        values = pd.Series(text.take(pa.array(rows)).to_pylist(), dtype=object)
        values = values.str.replace("年", "-").str.replace("月", "-").str.replace("日", "")
        offset = values.str.contains(OFFSET.replace("(Z|", "(?:Z|"), regex=True).to_numpy(bool)
        parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ms]")
        if offset.any():
            aware = pd.to_datetime(values[offset], errors="coerce", utc=True, format="ISO8601")
            parsed[offset] = aware.dt.tz_convert(reading.target).dt.tz_localize(None).astype("datetime64[ms]")
        if (~offset).any():
            naive = pd.to_datetime(values[~offset], errors="coerce", format="mixed").astype("datetime64[ms]")
            if reading.zone != reading.target:
                naive = naive.dt.tz_localize(reading.zone, ambiguous="NaT", nonexistent="NaT")
                naive = naive.dt.tz_convert(reading.target).dt.tz_localize(None).astype("datetime64[ms]")
            parsed[~offset] = naive
        filled = out.to_numpy(zero_copy_only=False).astype("datetime64[ms]")
        filled[rows] = parsed.to_numpy(dtype="datetime64[ms]")
        out = pa.array(filled, TIMESTAMP)
    return out


def common_times(arr: pa.Array | pa.ChunkedArray, with_t: bool = True) -> pa.Array | None:
    """The common case read in one cast, as naive times of the file's zone: every non-empty cell is
    `YYYY-MM-DD hh:mm:ss` (or, `with_t`, with a T), which Arrow's ISO-8601 cast reads exactly as the
    first formats above do (an impossible date such as 02-30, or any other shape, makes it fail:
    then the column goes the careful way). None when the column is not all such cells. Without
    `with_t`, each time printed back (str) is its cell's text, so a column read here at parse time
    still quotes its cells as written (kpi.detail.tables.RawTable.raw)."""
    if not pa.types.is_string(arr.type):
        return None
    width = pc.min_max(pc.binary_length(arr)).as_py()
    if width["max"] != COMMON_WIDTH or width["min"] not in (0, COMMON_WIDTH):
        return None
    text = arr
    if width["min"] == 0:  # empty cells (no answer yet) are empty times
        text = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        if pc.min(pc.binary_length(text)).as_py() != COMMON_WIDTH:
            return None
    if not with_t and holds_bytes(arr, b"T"):
        return None
    try:
        stamps = pc.cast(text, TIMESTAMP)
    except pa.ArrowInvalid:
        return None
    return stamps.combine_chunks() if isinstance(stamps, pa.ChunkedArray) else stamps


def _common_text(arr: pa.Array, reading: TimeReading) -> pa.Array | None:
    """`common_times` in the target zone, for the automatic reading only (a profile's format is
    read by its own pattern)."""
    if reading.fmt != "auto":
        return None
    stamps = common_times(arr)
    return None if stamps is None else _naive_to_target(stamps, reading)


def to_time(arr: pa.Array, reading: TimeReading = AUTO) -> tuple[pa.Array, np.ndarray]:
    """Column → timestamp[ms] in the target zone, and the cells that held something unreadable (a
    time outside 1970–2199 among them: it is left empty, as any unreadable cell)."""
    out, bad = _to_time(arr, reading)
    ms = pc.cast(out, pa.int64())
    outside = pc.fill_null(pc.or_(pc.less(ms, FIRST_MS), pc.greater_equal(ms, END_MS)), False)
    if not pc.any(outside).as_py():
        return out, bad
    out = pc.if_else(outside, pa.scalar(None, TIMESTAMP), out)
    return out, bad | outside.to_numpy(zero_copy_only=False)


def _to_time(arr: pa.Array, reading: TimeReading) -> tuple[pa.Array, np.ndarray]:
    t = arr.type
    if pa.types.is_null(t):
        return pa.nulls(len(arr), TIMESTAMP), np.zeros(len(arr), bool)
    if reading.epoch_unit is not None and not (pa.types.is_timestamp(t) or pa.types.is_date(t)):
        out = _epoch(arr, reading)
        zero = (
            pc.fill_null(pc.equal(pc.cast(arr, pa.string()), "0"), False)
            if not pa.types.is_timestamp(t)
            else None
        )
        bad = unreadable(present(arr), out)
        return out, bad & ~zero.to_numpy(zero_copy_only=False) if zero is not None else bad
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        stamps = pc.cast(pc.cast(arr, TIMESTAMP) if pa.types.is_date(t) else arr, TIMESTAMP)
        return _naive_to_target(stamps, reading), np.zeros(len(arr), bool)
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        out = _naive_to_target(_serial_to_ms(arr), reading)  # Excel's own date numbers
    elif (common := _common_text(arr, reading)) is not None:  # every cell read: none unreadable
        return common, np.zeros(len(arr), bool)
    else:
        out = _parse_time_strings(arr, reading)
    return out, unreadable(present(arr), out)


def number_cells(arr: pa.Array, reading: TimeReading = AUTO) -> np.ndarray:
    """Cells of a time column holding a bare number the reading does not take as a time: digit text,
    or a number beyond Excel's dates (a Unix time in a workbook). Only meaningful among bad cells."""
    if reading.epoch_unit is not None or pa.types.is_null(arr.type):
        return np.zeros(len(arr), bool)
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return pc.fill_null(pc.greater_equal(pc.cast(arr, pa.float64()), LAST_SERIAL), False).to_numpy(
            zero_copy_only=False
        )
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pc.fill_null(pc.match_substring_regex(to_text(arr), NUMBER), False).to_numpy(
            zero_copy_only=False
        )
    return np.zeros(len(arr), bool)
