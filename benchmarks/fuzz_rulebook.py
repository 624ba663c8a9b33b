"""Fuzz the rulebook: random edits of the default rulebook's values and structure (tests/rules/fuzz.py),
each loaded and, when accepted, used to score, explain and settle a 1-row workbook with a small detail.
Prints how many examples ran, what they led to, every traceback found, and the slowest cases.

    python benchmarks/fuzz_rulebook.py [--examples 2000] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.rules.fuzz import edited_rulebooks, one_row_workbook, run_one  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    outcomes: Counter = Counter()
    failures: list[tuple[str, str]] = []
    slowest: list[tuple[float, str]] = []
    workbook = one_row_workbook(Path(tempfile.mkdtemp()))

    @seed(args.seed)
    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(text=edited_rulebooks())
    def run(text: str) -> None:
        start = time.perf_counter()
        try:
            outcomes[run_one(text, workbook)] += 1
        except BaseException:  # noqa: BLE001 - a traceback is what this looks for: keep going
            outcomes["TRACEBACK"] += 1
            failures.append((traceback.format_exc(), text))
        slowest.append((time.perf_counter() - start, text))
        slowest.sort(key=lambda x: -x[0])
        del slowest[3:]

    run()
    print(f"例数 {sum(outcomes.values()):,}：" + "，".join(f"{k} {v:,}" for k, v in sorted(outcomes.items())))
    print("最慢：" + "，".join(f"{s:.2f} 秒" for s, _ in slowest))
    for trace, text in failures[:5]:
        print("=" * 70, trace, text[:2000], sep="\n")
    sys.exit(1 if failures or (slowest and slowest[0][0] > 10) else 0)


if __name__ == "__main__":
    main()
