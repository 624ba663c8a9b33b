"""Benchmark: the 2-hour repeat search with and without the evidence pairs, on generated calls.

    python benchmarks/bench_evidence.py [--rows 1000000] [--repeat 5]

Prints the median seconds of `call_flags` (the count, as `kpi score` runs it), `call_flags(pairs=True)`
(the count plus each repeat's re-entry row) and `repeat_pairs` for the vendor with most calls (what
`kpi evidence` adds), all on the same in-memory calls table built by scripts/make_call_detail.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]


def median_seconds(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from make_call_detail import canonical_calls, make_detail

    from kpi.detail.evidence import repeat_pairs
    from kpi.detail.repeats import call_flags

    calls = canonical_calls(make_detail(rows=args.rows).calls)
    month = "2024-06"
    vendor = calls.loc[calls["connected"], "vendor"].astype(str).value_counts().index[0]
    plain = call_flags(calls, month)
    assert (call_flags(calls, month, pairs=True).repeat == plain.repeat).all()
    count = int((plain.repeat & (calls["vendor"].astype(str) == vendor).to_numpy()).sum())
    figures = {
        "call_flags": median_seconds(lambda: call_flags(calls, month), args.repeat),
        "call_flags(pairs=True)": median_seconds(lambda: call_flags(calls, month, pairs=True), args.repeat),
        f"repeat_pairs({vendor}, {count:,} pairs)": median_seconds(
            lambda: repeat_pairs(calls, month, vendor), max(1, args.repeat // 2)
        ),
    }
    print(f"{len(calls):,} rows, medians of {args.repeat} runs")
    for name, seconds in figures.items():
        print(f"  {name:<40} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
