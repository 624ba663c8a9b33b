"""Raw 话务明细 columns → the canonical calls table (see kpi.detail.tables), every bad row reported
(located) and left out. How a file writes its values comes from its source profile (RawTable.options):
time format and zones, value maps (e.g. 0 = 接通), a connected flag taken from the answer time.
An answer up to the rulebook's clock skew before queue entry is taken as answered at queue entry and
counted (a notice); beyond it, refused. Without a 外包公司 column, vendors come from the roster later
(kpi.detail.people.vendors_from_roster).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.detail.callers import normalise_callers
from kpi.detail.cells import (
    as_strings,
    empty_text,
    empty_text_few,
    map_values,
    to_flag,
    to_number,
    to_text,
    to_text_few,
    total_rows,
)
from kpi.detail.duplicates import repeated_call_ids
from kpi.detail.tables import (
    CALL_COLUMNS,
    RawTable,
    as_numpy,
    empty_mask,
    missing_columns,
    null_mask,
    row_problems,
)
from kpi.detail.times import number_cells, to_time
from kpi.errors import Problem

NUMBER_IN_TIME = "时间列里是一个数字，未当作日期读入（不猜测是 Excel 序列号还是 Unix 时间戳）"
NUMBER_EXPECTED = (
    '日期时间；如为 Unix 时间戳，请用来源配置（--source）写明 time_format = "epoch_s" 或 "epoch_ms"'
)


def _mapped(table: RawTable, key: str) -> tuple[pa.Array, np.ndarray]:
    """A column with the profile's value map applied (unmapped values marked), or as it is."""
    arr = table.columns[key]
    mapping = table.options.source.value_map(key) if table.options.source else None
    if mapping is None:
        return arr, np.zeros(len(arr), bool)
    return map_values(arr, mapping)


def _flag(table: RawTable, key: str) -> tuple[pa.Array, np.ndarray]:
    arr, unmapped = _mapped(table, key)
    flags, bad = to_flag(arr)
    return flags, bad | unmapped


def _times(table: RawTable, key: str) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """A time column, its unreadable cells, and which of those are bare numbers."""
    n = table.rows
    if key not in table.columns:
        return pa.nulls(n, pa.timestamp("ms")), np.zeros(n, bool), np.zeros(n, bool)
    reading = table.options.time_reading()
    if table.sheet:  # a workbook: digits typed as text there were number cells, Excel's date serials
        reading = replace(reading, serials=True)
    stamps, bad = to_time(table.columns[key], reading)
    numbers = np.zeros(n, bool)
    if bad.any():  # which unreadable cells are bare numbers: asked of those cells only
        rows = np.flatnonzero(bad)
        numbers[rows] = number_cells(table.columns[key].take(pa.array(rows)), reading)
    return stamps, bad, numbers


@dataclass(frozen=True)
class _Checked:
    """A table's rows converted, not yet filtered: the columns of every row, what each check found
    (rows, column key, message, expected), the total/blank rows to skip, the clock-skewed answers."""

    cols: dict[str, pa.Array | pa.ChunkedArray]
    checks: list[tuple[np.ndarray, str, str, str]]
    skip: np.ndarray
    skewed: np.ndarray


def _checked(table: RawTable) -> _Checked:
    """Every row of a table (whose required columns are there) converted and checked."""
    c, n = table.columns, table.rows
    source = table.options.source
    has_vendor = "vendor" in c
    callers, scientific = normalise_callers(to_text(c["caller"], ""))
    text = {
        "call_id": pc.fill_null(as_strings(c["call_id"]), "") if "call_id" in c else empty_text(n),
        "caller": callers,
        "agent_id": to_text_few(_mapped(table, "agent_id")[0]),
        "vendor": to_text_few(c["vendor"]) if has_vendor else empty_text_few(n),
    }
    queue, bad_q, num_q = _times(table, "queue_time")
    answer, bad_a, num_a = _times(table, "answer_time")
    end, bad_e, num_e = _times(table, "end_time")
    if source is not None and source.connected_if_answered:
        connected, bad_c = pc.is_valid(answer), np.zeros(n, bool)
    else:
        connected, bad_c = _flag(table, "connected")
    talk, bad_t = (
        to_number(c["talk_seconds"]) if "talk_seconds" in c else (np.full(n, np.nan), np.zeros(n, bool))
    )
    expert, bad_x = (
        _flag(table, "expert_transfer")
        if "expert_transfer" in c
        else (pa.nulls(n, pa.bool_()), np.zeros(n, bool))
    )
    moved, bad_m = (
        _flag(table, "transferred") if "transferred" in c else (pa.nulls(n, pa.bool_()), np.zeros(n, bool))
    )
    # each column's empty cells asked once (the clock-skew fix below fills no empty answer)
    no_q, no_a, no_e = null_mask(queue), null_mask(answer), null_mask(end)
    no_queue = no_q & ~bad_q  # a total line or a blank row has no queue time
    skip = total_rows(text, ("call_id", "caller", "agent_id", "vendor"), no_queue)
    skip |= no_queue & null_mask(connected) & ~bad_c & empty_mask(text["caller"]) & no_a & ~bad_a
    is_conn = pc.fill_null(connected, False)
    conn = as_numpy(is_conn)
    q_ms, a_ms, e_ms = (as_numpy(pc.cast(x, pa.int64())) for x in (queue, answer, end))
    both = ~no_q & ~no_a
    early = both & (a_ms < q_ms)
    skewed = early & (q_ms - a_ms <= table.options.clock_skew_seconds * 1000) & ~skip
    if skewed.any():  # clock skew between IVR and ACD: answered at queue entry
        answer = pc.if_else(pa.array(skewed), queue, answer)
        a_ms = np.where(skewed, q_ms, a_ms)
        early &= ~skewed
    vendor_header = "外包公司" if has_vendor else "坐席工号"
    checks = [
        (num_q, "queue_time", NUMBER_IN_TIME, NUMBER_EXPECTED),
        (num_a, "answer_time", NUMBER_IN_TIME, NUMBER_EXPECTED),
        (num_e, "end_time", NUMBER_IN_TIME, NUMBER_EXPECTED),
        (
            (bad_q & ~num_q) | (no_q & ~bad_q),
            "queue_time",
            "入队时间为空或无法识别",
            "日期时间，如 2024-06-01 09:30:00",
        ),
        (bad_c | (null_mask(connected) & ~bad_c), "connected", "是否接通无法识别", _flag_expected(table)),
        (
            scientific,
            "caller",
            "主叫号码是科学计数法，已丢失位数",
            "完整的号码（在 Excel 中把该列设为文本后重新导出）",
        ),
        (
            conn & no_a & ~num_a,
            "answer_time",
            "已接通的呼叫缺少接通时间或无法识别",
            "日期时间",
        ),
        (bad_a & ~num_a & ~conn, "answer_time", "接通时间无法识别", "日期时间或空白"),
        (early, "answer_time", "接通时间早于入队时间", _skew_expected(table)),
        (
            conn & (empty_mask(text["agent_id"]) | (has_vendor & empty_mask(text["vendor"]))),
            "agent_id",
            "已接通的呼叫缺少坐席工号或外包公司" if has_vendor else "已接通的呼叫缺少坐席工号",
            "坐席工号和外包公司" if has_vendor else vendor_header,
        ),
        (bad_e & ~num_e, "end_time", "结束时间无法识别", "日期时间或空白"),
        (
            ~no_e & ~no_a & (e_ms < a_ms),
            "end_time",
            "结束时间早于接通时间",
            "不早于接通时间",
        ),
        (bad_t | (talk < 0), "talk_seconds", "通话时长无法识别或为负数", "不小于 0 的秒数"),
        (bad_x, "expert_transfer", "转接专家席无法识别", "是/否 或 1/0"),
        (bad_m, "transferred", "是否转接无法识别", "是/否 或 1/0"),
    ]
    unknown = np.flatnonzero(np.isnan(talk) & ~no_e & ~no_a)
    if len(unknown):  # no talk time given: the call's length, end minus answer
        talk = np.array(talk, dtype=np.float64)
        talk[unknown] = (e_ms[unknown] - a_ms[unknown]) / 1000.0
    rows = table.lines if table.lines is not None else np.arange(table.first_row, table.first_row + n)
    cols = {
        "call_id": text["call_id"],
        "caller": text["caller"],
        "queue_time": queue,
        "connected": is_conn,
        "answer_time": answer,
        "end_time": end,
        "agent_id": text["agent_id"],
        "vendor": text["vendor"],
        "talk_seconds": pa.array(talk, pa.float64()),
        "expert_transfer": pc.fill_null(expert, False),
        "queue": to_text_few(c["queue"]) if "queue" in c else empty_text_few(n),
        "transferred": pc.fill_null(moved, False),
        "row": pa.array(np.asarray(rows, dtype=np.int64)),
    }
    return _Checked(cols, checks, skip, skewed)


def _calls_one(table: RawTable, workers: int = 1) -> tuple[dict[str, object] | None, list[Problem], int]:
    """A table's calls (the rows without a problem), its located problems and how many answers were
    taken as clock skew. A large table is converted in `workers` slices at once (Arrow's kernels and
    numpy release the GIL); the slices' rows are joined before any problem is written, so the
    problems and their counts are those of the whole table."""
    problems = missing_columns(table)
    if problems:
        return None, problems, 0
    pieces = _slices(table, workers)
    if len(pieces) == 1:
        checked = _checked(table)
    else:
        with ThreadPoolExecutor(min(len(pieces), workers)) as pool:
            checked = _joined(list(pool.map(_checked, pieces)))
    skip = checked.skip
    counted = ~skip
    drop = np.zeros(table.rows, bool)
    for mask, key, message, expected in checked.checks:
        if not mask.any():  # nearly every check of a clean month: no temporary array for it
            continue
        mask = mask & counted
        if mask.any():
            problems += row_problems(table, mask, key, message, expected)
            drop |= mask
    keep = ~(drop | skip)
    fixed = int((checked.skewed & keep).sum())
    if keep.all():
        return checked.cols, problems, fixed
    return {k: pc.filter(v, pa.array(keep)) for k, v in checked.cols.items()}, problems, fixed


SLICE_ROWS = 1 << 20  # a table of at least twice this many rows is converted in slices (see _slices)


def _slices(table: RawTable, workers: int) -> list[RawTable]:
    """The table cut into slices of consecutive rows (zero-copy), each knowing its rows' lines: with
    several workers, up to four slices each, so that fewer rows' temporary arrays are held at once."""
    n = table.rows
    count = min(4 * workers, max(1, n // SLICE_ROWS)) if workers > 1 else 1
    if count <= 1:
        return [table]
    bounds = [n * i // count for i in range(count + 1)]
    return [
        replace(
            table,
            columns={k: v.slice(a, b - a) for k, v in table.columns.items()},
            first_row=table.first_row + a,
            lines=None if table.lines is None else table.lines[a:b],
        )
        for a, b in pairwise(bounds)
    ]


def _joined(parts: list[_Checked]) -> _Checked:
    """The slices' conversions as one, in row order (columns as chunked arrays: a dictionary column's
    slices may have their own dictionaries, unified when the month's calls are joined)."""
    first = parts[0]
    return _Checked(
        {k: pa.chunked_array([p.cols[k] for p in parts]) for k in first.cols},
        [
            (_concatenated([p.checks[i][0] for p in parts]), *check[1:])
            for i, check in enumerate(first.checks)
        ],
        np.concatenate([p.skip for p in parts]),
        np.concatenate([p.skewed for p in parts]),
    )


def _concatenated(masks: list[np.ndarray]) -> np.ndarray:
    """The slices' masks as one; a mask with no row set in any slice as a read-only view of one
    False (a clean month's checks are nearly all such: 5M rows, ~15 × 5 MB neither copied nor paged in)."""
    if any(mask.any() for mask in masks):
        return np.concatenate(masks)
    return np.broadcast_to(np.False_, (sum(len(mask) for mask in masks),))


def _flag_expected(table: RawTable) -> str:
    mapping = table.options.source.value_map("connected") if table.options.source else None
    if mapping:
        return "来源配置 [source.values.是否接通] 中列出的值：" + "、".join(sorted(mapping))
    return "是/否 或 1/0（其他写法请用来源配置 --source 的 [source.values.是否接通] 说明）"


def _skew_expected(table: RawTable) -> str:
    skew = table.options.clock_skew_seconds
    return f"不早于入队时间（早 {skew} 秒以内按时钟误差处理）" if skew else "不早于入队时间"


def build_calls(tables: Sequence[RawTable]) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
    """All 话务明细 sheets/files of a month as one canonical calls table, the problems, and notices
    (answers a little before queue entry taken as clock skew). Each table's raw columns are let go
    once it is converted (its `columns` keep their keys, their arrays become empty): a month's text is
    not held beside its calls."""
    if not tables:
        return None, [], []
    parts, problems, labels, notices, used = [], [], [], [], []
    cores = os.cpu_count() or 1
    workers = min(len(tables), cores)
    if workers > 1:  # several files: converted at once (Arrow's kernels release the GIL), kept in order
        with ThreadPoolExecutor(workers) as pool:
            done = list(pool.map(_converted, tables))
    else:  # one file: in slices, on every core
        done = [_converted(table, cores) for table in tables]
    for table, (cols, found, fixed) in zip(tables, done, strict=True):
        problems += found
        if fixed:
            notices.append(
                f"{table.label}：{fixed:,} 通呼叫的接通时间比入队时间早 {table.options.clock_skew_seconds} 秒以内，"
                "按时钟误差处理为入队即接通"
            )
        if cols is not None:
            cols["source"] = pa.array(np.full(len(cols["row"]), len(labels), np.int32))
            labels.append(_unique(table.label, labels))
            used.append(table)
            parts.append(pa.table({key: cols.pop(key) for key in CALL_COLUMNS}))
    del done
    if not parts:
        return None, problems, notices
    joined = [pa.concat_tables(parts).unify_dictionaries()]
    parts.clear()  # now only `joined` holds the calls: each column let go once combined, then as pandas takes it
    # one block a column: pandas does not first copy the times (and the flags) into one 2-D block each
    frame = _one_chunk(joined.pop()).to_pandas(self_destruct=True, split_blocks=True)
    problems += repeated_call_ids(frame, used)
    frame["source"] = pd.Categorical.from_codes(frame["source"].to_numpy(), categories=labels)
    return frame, problems, notices


def _one_chunk(table: pa.Table) -> pa.Table:
    """`table.combine_chunks()` a column at a time, each column's chunks let go once it is one array
    (a month converted in slices is not held twice)."""
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        columns[name] = _rejoined(column) or column.combine_chunks()
        table = table.drop_columns([name])
    return pa.table(columns)


def _rejoined(column: pa.ChunkedArray) -> pa.Array | None:
    """A column whose chunks are consecutive views of one array (a slice's column converted without
    a copy: its call ids, callers, times) as that array again, no byte copied; else None."""
    chunks = column.chunks
    if len(chunks) < 2 or pa.types.is_dictionary(column.type) or pa.types.is_nested(column.type):
        return None
    first = chunks[0]
    buffers = [b.address if b is not None else None for b in first.buffers()]
    at = first.offset
    for chunk in chunks:
        if chunk.offset != at or [b.address if b is not None else None for b in chunk.buffers()] != buffers:
            return None
        at += len(chunk)
    return pa.Array.from_buffers(column.type, len(column), first.buffers(), offset=first.offset)


def _converted(table: RawTable, workers: int = 1) -> tuple[dict[str, object] | None, list[Problem], int]:
    """`_calls_one`, then the table's raw columns let go (emptied, keys kept)."""
    out = _calls_one(table, workers)
    for key, arr in table.columns.items():
        table.columns[key] = pa.array([], arr.type)
    return out


def _unique(label: str, taken: list[str]) -> str:
    """Two sources may share a name (the same file name in two folders): a category must not."""
    if label not in taken:
        return label
    return next(f"{label}（{n}）" for n in range(2, len(taken) + 3) if f"{label}（{n}）" not in taken)
