"""The history at scale: 10 years × 10 vendors (120 months, 1,200 vendor-months, each finalised after
one accepted dispute, so 240 versions). Prints figures; it is not a timed test.

    python benchmarks/bench_history.py [--db URL] [--years 10] [--vendors 10] [--repeat 3]

Builds the database once (benchmarks/.cache/history_<years>x<vendors>.db unless --db), then prints
medians over --repeat of:
  build          importing, publishing, disputing and finalising every month (once; the set-up)
  standing       kpi.history.versions.standing_cards: every month as it stands (what 趋势 reads)
  趋势 first     the 趋势 page through AppTest with KPI_DB set, the history read afresh (not cached)
  趋势 cached    the same page run again in that session (st.cache_data answers)
  audit verify   walking the whole audit chain (`kpi audit verify`)
Target: 趋势 opens in under 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / ".cache"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

TARGET = 1.0


def records(month: str, vendors: int, rng: random.Random):
    from fractions import Fraction

    from kpi.records import VendorMonth
    from tests.builders import SPEC_EXAMPLE

    out = []
    for n in range(vendors):
        inputs = {k: v for k, v in SPEC_EXAMPLE.items() if k not in ("month", "vendor")}
        connected = rng.randint(6000, 12000)
        inputs.update(
            connected_calls=connected,
            valid_calls=connected - rng.randint(0, 300),
            repeat_2h_calls=int(connected * rng.uniform(0.12, 0.19)),
            service_complaints=rng.randint(0, 6),
            audit_pass_rate=Fraction(rng.randint(900, 1000), 10),
            exam_average=Fraction(rng.randint(550, 950), 10),
        )
        out.append(VendorMonth(f"公司{n + 1:02d}", month, inputs))
    return out


def build(db: str, years: int, vendors: int) -> float:
    from kpi.history import cycle
    from kpi.history.disputes import add_dispute, resolve_dispute
    from kpi.history.snapshot import SourceFile
    from kpi.history.store import open_store
    from kpi.pipeline import Assessment, score_all
    from kpi.rules.rulebook import load_rulebook

    rules = load_rulebook()
    text = (ROOT / "kpi" / "rules" / "default.toml").read_text("utf-8")
    engine = open_store(db)
    rng = random.Random(10086)
    start = time.perf_counter()
    number = 0
    for year in range(2024, 2024 + years):
        for m in range(1, 13):
            month = f"{year}-{m:02d}"
            found = records(month, vendors, rng)
            result = Assessment(tuple(found), score_all(found, rules), ())
            book = SourceFile("workbook", f"{month}.xlsx", f"{number:064d}", 1)
            cycle.import_assessment(engine, result, rules, text, [book], "基准")
            cycle.publish(engine, month, "基准")
            number += 1
            add_dispute(engine, month, "公司01", "service_complaints", "0", "基准争议", "公司01")
            resolve_dispute(engine, number, True, "接受", "基准")
            cycle.finalise(engine, month, "基准")
    engine.dispose()
    return time.perf_counter() - start


def timed(step, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--vendors", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    db = args.db or str(CACHE / f"history_{args.years}x{args.vendors}.db")
    if args.db or not Path(db).exists():
        print(f"build          {build(db, args.years, args.vendors):7.2f} s  ({args.years * 12} months)")

    from streamlit.testing.v1 import AppTest

    from kpi.history import audit
    from kpi.history.store import open_store, reading
    from kpi.history.versions import standing_cards

    engine = open_store(db)

    def standing() -> None:
        with reading(engine) as conn:
            assert len(standing_cards(conn)) == args.years * 12 * args.vendors

    def verify() -> None:
        with reading(engine) as conn:
            assert audit.verify(conn).ok

    os.environ["KPI_DB"] = db
    firsts, cached = [], []
    for _ in range(args.repeat):
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("app_pages/trends.py")
        from dashboard import data as d

        d.cached_history_frame.clear()  # the history read afresh (the sample workbook stays cached)
        start = time.perf_counter()
        at.run()
        firsts.append(time.perf_counter() - start)
        assert not at.exception and at.toggle(key="trend_history").value
        assert len(at.dataframe[0].value) == args.years * 12
        start = time.perf_counter()
        at.run()
        cached.append(time.perf_counter() - start)
    print(
        f"standing       {timed(standing, args.repeat):7.3f} s  ({args.years * 12 * args.vendors} vendor-months)"
    )
    print(f"趋势 first     {statistics.median(firsts):7.3f} s  (target < {TARGET} s)")
    print(f"趋势 cached    {statistics.median(cached):7.3f} s")
    print(f"audit verify   {timed(verify, args.repeat):7.3f} s")
    engine.dispose()


if __name__ == "__main__":
    main()
