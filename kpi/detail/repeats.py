"""MEASURE step: 2-hour repeats per agent and per vendor from the calls table (spec §4).

A connected call of the month counts one repeat for its agent when the same caller enters the queue
again strictly after the anchor moment (connection by default) and at most `window` later — whether
that entry is connected or not, whoever takes it; several entries count once. The search is by time
on a sorted (caller, queue time) key, not "the caller's next row": a caller can queue again while the
first call is still waiting or going on.

Empty/withheld callers stay among connected calls but never repeat (nor are a re-entry); test numbers
are left out of everything. The data ends at the later of the month's end and the last queue entry; a
call whose window runs past it counts if a re-entry was found, otherwise it is "not judgeable".
Rows queued after the month serve only as re-entries.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache, partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.detail.callers import caller_codes, caller_keys
from kpi.detail.cells import category_codes, encode, pair_counts, pair_keys
from kpi.detail.sorting import STEP, gathered, stable_order
from kpi.detail.times import MS_PER_DAY
from kpi.rules.rulebook import DetailRules, load_rulebook

MS_PER_MINUTE = 60_000
# sorted entries searched at a time, a block a core (5M rows: ~200 MB less peak than all at once)
SEARCH_BLOCK = STEP // 2
LOWEST = np.iinfo(np.int64).min
DetailSettings = DetailRules  # the rulebook's [detail] settings, as the measure takes them


@cache
def _default_detail() -> DetailRules:
    return load_rulebook().detail


def default_settings(**changes: object) -> DetailSettings:
    """The default rulebook's [detail] settings, with `changes` (no contract number lives in code)."""
    return replace(_default_detail(), **changes)


@dataclass(frozen=True)
class CallFlags:
    """Per-row flags of the calls table (numpy bool arrays aligned with its rows)."""

    month_call: np.ndarray  # a connected call of the month (test numbers left out)
    repeat: np.ndarray  # month_call followed by a re-entry within the window
    not_judgeable: np.ndarray  # month_call, no re-entry found, window runs past the data end
    valid: np.ndarray  # month_call counted as a valid (paid) call
    test: np.ndarray  # a test number (left out of everything)
    withheld: np.ndarray  # empty or withheld caller
    data_end: pd.Timestamp
    reentry: np.ndarray | None = None  # with pairs=True: each repeat's first re-entry row, else -1


def month_bounds(month: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) of a "YYYY-MM" month."""
    start = pd.Timestamp(f"{month}-01")
    return start, start + pd.offsets.MonthBegin(1)


def infer_month(calls: pd.DataFrame) -> str:
    """The month holding most queue entries (the month a detail extract is for); of months that hold
    as many, the earliest."""
    stamps = calls["queue_time"].to_numpy(dtype="datetime64[ms]")
    days = stamps[~np.isnat(stamps)].view(np.int64) // MS_PER_DAY  # 1970–2199: < 84,000 days
    if not len(days):
        return ""
    first = int(days.min())
    per_day = np.bincount(days - first)  # counted by day, the calendar asked only of the days found
    present = np.flatnonzero(per_day)
    months = (present + first).astype("datetime64[D]").astype("datetime64[M]")
    found, inverse = np.unique(months, return_inverse=True)
    return str(found[np.argmax(np.bincount(inverse, weights=per_day[present]))])


def covered_months(calls: pd.DataFrame, window_minutes: int) -> list[str]:
    """The months the calls cover: a month counts when a queue entry lies past its first
    `window_minutes` (next-month rows kept only as re-entries for the window do not make a month)."""
    stamps = calls["queue_time"].dropna().to_numpy(dtype="datetime64[ms]")
    if not len(stamps):
        return []
    first, last = stamps.min().astype("datetime64[M]"), stamps.max().astype("datetime64[M]")
    if last - first < 24:  # a few months: each asked of the times in two comparisons
        late = np.timedelta64(window_minutes, "m")
        return [
            str(m)
            for m in np.arange(first, last + 1)
            if (
                (stamps >= m.astype("datetime64[ms]") + late) & (stamps < (m + 1).astype("datetime64[ms]"))
            ).any()
        ]
    months = stamps.astype("datetime64[M]")
    beyond = stamps >= months.astype("datetime64[ms]") + np.timedelta64(window_minutes, "m")
    found = pd.unique(months[beyond].view(np.int64))  # a few distinct months: hashed, then sorted
    return [str(m) for m in np.sort(found).astype("datetime64[M]")]


def _ms(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="datetime64[ms]").view(np.int64)


def _anchor(calls: pd.DataFrame, column: str) -> np.ndarray:
    """The moment each call's window starts: connection (the contract), queue entry, or the end of
    the call (where a call has no end time, its connection)."""
    stamps = calls[column].to_numpy(dtype="datetime64[ms]")
    if column == "end_time":
        stamps = np.where(np.isnat(stamps), calls["answer_time"].to_numpy(dtype="datetime64[ms]"), stamps)
    return stamps.view(np.int64)


def _packed(codes: np.ndarray, times: np.ndarray, unit: int, bits: int) -> np.ndarray:
    """(code << bits) | max(times // unit, 0), written into `codes` (both arrays are the caller's
    own, given up: a 5M-row month's keys need no third array)."""
    if unit > 1:
        np.floor_divide(times, unit, out=times)
    np.maximum(times, 0, out=times)
    np.left_shift(codes, bits, out=codes)
    codes |= times
    return codes


def _search(
    codes: np.ndarray,
    q: np.ndarray,
    anchor: np.ndarray,
    entries: np.ndarray,
    candidate: np.ndarray,
    s0: int,
    window: int,
    pairs: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Which candidates have an entry of the same caller code strictly after their anchor and at most
    `window` ms later, and (with `pairs`) the row of that first entry, else -1.

    One sort of the entries by a (code, queue time) key. Each candidate is an entry: in that order,
    its first entry after the anchor is nearly always the next one (the anchor, its connection, is
    not before its own queue entry), so that is looked at first and only the candidates whose next
    entry is not after their anchor (the caller queued again while waiting) are searched for. The
    sort is stable (kpi.detail.sorting), so that of entries in the same millisecond the first row is
    named."""
    top, whole_seconds = _span(q, entries, anchor, candidate, s0, window)
    # times in whole seconds (as nearly every export writes them) are packed as seconds: an exact
    # division keeps every order and every tie, and leaves the caller's own key room in 62 bits
    unit = 1000 if whole_seconds else 1
    window //= unit
    bits = max(1, (top - s0) // unit + 1).bit_length()
    if bits + max(1, int(codes.max(initial=0))).bit_length() > 62:  # keys too wide: hashed to 0..k-1
        codes = pd.factorize(codes)[0].astype(np.int64)
    if bits + max(1, int(codes.max(initial=0))).bit_length() > 62:
        raise ValueError("call detail spans too long a time to pack caller and time in one key")
    times = q - s0
    keys = _packed(codes, times, unit, bits)  # in place: no 5M-row array beside these two
    order = np.flatnonzero(entries)
    order = gathered(order, stable_order(keys[order], bits))  # the entries by caller, then queue time
    m = len(order)
    keys = gathered(keys, order, out=times[:m])  # the sorted keys where the times were
    repeat = np.zeros(len(q), bool)
    reentry = np.full(len(q), -1, np.int64) if pairs else None
    blocks = [slice(start, start + SEARCH_BLOCK) for start in range(0, m, SEARCH_BLOCK)]
    found = partial(_found, keys, order, candidate, anchor=anchor, s0=s0, unit=unit, bits=bits, window=window)
    # a block of sorted entries at a time (no 5M-row temporaries), on every core (numpy drops the GIL);
    # the blocks' rows are distinct (`order` is a permutation), so they write apart
    with ThreadPoolExecutor(min(len(blocks), os.cpu_count() or 1) or 1) as pool:
        list(pool.map(lambda block: found(block, repeat=repeat, reentry=reentry), blocks))
    return repeat, reentry


def _span(
    q: np.ndarray, entries: np.ndarray, anchor: np.ndarray, candidate: np.ndarray, s0: int, window: int
) -> tuple[int, bool]:
    """The latest moment the keys must hold (an entry, or a candidate's anchor plus the window; s0
    when there is none) and whether all those times are whole seconds, a million rows at a time (no
    copy of every entry's time)."""
    top, whole = s0, True
    for at in range(0, len(q), STEP):
        for times, rows, extra in ((q, entries, 0), (anchor, candidate, window)):
            part, wanted = times[at : at + STEP], rows[at : at + STEP]
            if wanted.any():
                top = max(top, int(part.max(where=wanted, initial=LOWEST)) + extra)
                whole = whole and not np.any(part % 1000, where=wanted)
    return top, whole


def _found(
    keys: np.ndarray,
    order: np.ndarray,
    candidate: np.ndarray,
    block: slice,
    anchor: np.ndarray,
    s0: int,
    unit: int,
    bits: int,
    window: int,
    repeat: np.ndarray,
    reentry: np.ndarray | None,
) -> None:
    """`_search` for the candidates among the `block` of sorted entries, written into `repeat` (and
    `reentry`)."""
    m = len(keys)
    at = np.flatnonzero(candidate[order[block]])  # the candidates' places in the sorted entries
    at += block.start
    rows = order[at]
    low = keys[at]
    low >>= bits
    low = _packed(low, anchor[rows] - s0, unit, bits)  # the connection moment
    after = at  # the first entry strictly after the anchor: the next one, unless it is not after
    after += 1
    del at
    behind = np.flatnonzero(keys[np.minimum(after, m - 1)] <= low)
    after[behind] = np.searchsorted(keys, low[behind], "right")
    nearest = np.minimum(after, m - 1)  # (a place past the last entry: no re-entry, `hit` says)
    hit = (after < m) & (keys[nearest] <= low + window)
    repeat[rows] = hit
    if reentry is not None:
        reentry[rows] = np.where(hit, order[nearest], -1)


def call_flags(
    calls: pd.DataFrame, month: str, settings: DetailSettings | None = None, pairs: bool = False
) -> CallFlags:
    """Which rows are the month's connected calls, and which of them are 2-hour repeats.

    With `pairs`, also the row of each repeat's first re-entry (`reentry`), for the evidence table;
    without it the search does no more work than the count needs."""
    settings = settings or default_settings()
    start, end = month_bounds(month)
    s0, e0 = start.value // 1_000_000, end.value // 1_000_000
    window = settings.repeat_window_minutes * MS_PER_MINUTE
    q = _ms(calls["queue_time"])
    codes, numbers, withheld = caller_keys(calls["caller"], dense=settings.same_queue_only)
    test = np.zeros(len(calls), bool)
    if settings.test_numbers:
        test = pc.is_in(numbers, pa.array(sorted(settings.test_numbers), pa.string())).to_numpy(
            zero_copy_only=False
        )
    withheld &= ~test
    connected = calls["connected"].to_numpy(bool)
    month_call = connected & ~test & (q >= s0) & (q < e0)
    data_end = max(e0, int(q[~test].max())) if (~test).any() else e0
    anchor = _anchor(calls, settings.repeat_anchor)
    candidate = month_call & ~withheld
    if settings.exclude_transfers:  # a call passed on by transfer does not count its agent a repeat
        candidate &= ~(calls["transferred"].to_numpy(bool) | calls["expert_transfer"].to_numpy(bool))
    entries = ~test & ~withheld & (q >= s0)
    if settings.reentry_must_connect:
        entries &= connected
    if settings.same_queue_only:  # one customer per (number, queue): re-entries of other queues differ
        queue_codes, queues = encode(calls["queue"])
        codes = codes * max(1, len(queues)) + queue_codes
    if (candidate & ~entries).any():
        raise AssertionError("a connected call of the month that is no queue entry")
    repeat, reentry = _search(codes, q, anchor, entries, candidate, s0, window, pairs)
    not_judgeable = candidate & ~repeat & (anchor + window > data_end)
    valid = month_call.copy()
    if settings.min_talk_seconds > 0:
        valid &= calls["talk_seconds"].to_numpy(float) >= settings.min_talk_seconds
    end_stamp = pd.Timestamp(data_end, unit="ms")
    return CallFlags(month_call, repeat, not_judgeable, valid, test, withheld, end_stamp, reentry)


@dataclass(frozen=True)
class AgentRepeats:
    """One agent's month (an agent is a (vendor, agent_id) pair)."""

    agent_id: str
    vendor: str
    connected_calls: int
    repeat_2h_calls: int
    valid_calls: int
    expert_transfers: int
    not_judgeable: int
    rate: Fraction | None  # repeats / connected calls (a ratio, 0.17 for 17%); None without calls
    points: object = None  # what `points_for_rate(rate)` gave, when a curve was passed


COUNTS = ("connected_calls", "repeat_2h_calls", "valid_calls", "expert_transfers", "not_judgeable")


def _distinct_callers(groups: np.ndarray, callers: np.ndarray, n: int) -> np.ndarray:
    """Per group (0..n-1), how many distinct callers the rows of that group have."""
    pairs = np.unique(np.stack([groups.astype(np.int64), callers.astype(np.int64)]), axis=1)
    return np.bincount(pairs[0], minlength=n).astype(np.int64)


def vendor_repeat_customers(calls: pd.DataFrame, flags: CallFlags) -> dict[str, int]:
    """Per vendor, the distinct callers with at least one 2-hour repeat (the "customers" count:
    a caller who repeated with two of the vendor's agents counts once for the vendor)."""
    rows = np.flatnonzero(flags.repeat)
    vendor_codes, vendors = encode(calls["vendor"])
    callers, _ = caller_codes(calls["caller"])
    counts = _distinct_callers(vendor_codes[rows], callers[rows], len(vendors))
    return {str(v): int(counts[i]) for i, v in enumerate(vendors.to_pylist()) if counts[i]}


def agent_repeats(
    calls: pd.DataFrame,
    flags: CallFlags,
    points_for_rate: Callable[[Fraction], object] | None = None,
    repeat_count: str = "calls",
) -> tuple[AgentRepeats, ...]:
    """Per-agent counts, sorted by vendor then agent id; sums over a vendor are its figures (but for
    repeats counted as "customers", see `vendor_repeat_customers`). `repeat_count`: "calls" counts
    each connected call followed by a re-entry; "customers" the distinct callers among those calls."""
    vendor_codes, vendors = category_codes(calls["vendor"])
    agent_codes, agents = category_codes(calls["agent_id"])
    width = max(1, len(agents))
    masks = {
        "repeat_2h_calls": flags.repeat,
        "valid_calls": flags.valid,
        "expert_transfers": calls["expert_transfer"].to_numpy(bool),
        "not_judgeable": flags.not_judgeable,
    }
    pairs, connected, counts = pair_counts(vendor_codes, agent_codes, width, flags.month_call, masks)
    counts["connected_calls"] = connected
    if repeat_count == "customers":
        rows = np.flatnonzero(flags.month_call & flags.repeat)
        keys = pair_keys(vendor_codes, agent_codes, width, rows)
        callers, _ = caller_codes(calls["caller"])
        counts["repeat_2h_calls"] = _distinct_callers(np.searchsorted(pairs, keys), callers[rows], len(pairs))
    listed = {k: counts[k].tolist() for k in COUNTS}
    out = []
    for i, p in enumerate(pairs.tolist()):
        values = {k: listed[k][i] for k in COUNTS}
        rate = (
            Fraction(values["repeat_2h_calls"], values["connected_calls"])
            if values["connected_calls"]
            else None
        )
        points = points_for_rate(rate) if points_for_rate is not None and rate is not None else None
        out.append(AgentRepeats(agents[p % width], vendors[p // width], **values, rate=rate, points=points))
    return tuple(sorted(out, key=lambda r: (r.vendor, r.agent_id)))


def agents_frame(agents: tuple[AgentRepeats, ...]) -> pd.DataFrame:
    """The per-agent table as a DataFrame (rate stays an exact Fraction)."""
    columns = ["agent_id", "vendor", *COUNTS, "rate", "points"]
    return pd.DataFrame([[getattr(a, c) for c in columns] for a in agents], columns=columns)
