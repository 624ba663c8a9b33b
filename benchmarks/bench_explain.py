"""How long `kpi explain`'s two parts take as the rulebook grows: the explanation and the next-point
advice for one vendor-month, with the default rulebook's metrics copied (each copy reads the same
counts as its original, the worst case for the what-if: a move touches every copy).

    python benchmarks/bench_explain.py [--sizes 8,100,1000,5000]

A rulebook file may declare at most 100 metrics (kpi.rules.checks.CAPS); bigger sizes are built in
memory to show how the time grows.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from kpi.records import VendorMonth
from kpi.reports.scorecards import explain
from kpi.rules.rulebook import load_rulebook
from kpi.scoring.next_point import next_points
from kpi.scoring.scorecard import score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.builders import vendor_month  # noqa: E402


def rulebook(size: int):
    rules = load_rulebook()
    copies = [
        dataclasses.replace(rules.metrics[i % len(rules.metrics)], id=f"m{i}")
        for i in range(size - len(rules.metrics))
    ]
    return dataclasses.replace(rules, metrics=rules.metrics + tuple(copies))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="8,100,1000,5000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    vm: VendorMonth = vendor_month(repeat_2h_calls=1650)
    print("指标数  说明(秒)  如何多得分(秒)")
    for size in sizes:
        rules = rulebook(size)
        start = time.perf_counter()
        explain(score(vm, rules))
        middle = time.perf_counter()
        next_points(vm, rules)
        end = time.perf_counter()
        print(f"{size:>6}  {middle - start:>8.3f}  {end - middle:>13.3f}", flush=True)


if __name__ == "__main__":
    main()
