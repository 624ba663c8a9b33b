"""Benchmark of a province-sized month: 5,000,000 calls in one CSV, every figure from a fresh process.

    python benchmarks/bench_big.py [--repeat 3] [--rows 5000000] [--agents 3000]

Builds, once, benchmarks/.cache/big_<rows>.csv (`scripts/make_call_detail.py --format csv`, seed 10086)
and a small summary workbook big_<rows>_summary.xlsx beside it (git-ignored), then prints medians over
--repeat rounds (each round runs every step once, so that a noisy host's spells fall on every step
alike) of seconds and peak memory (ru_maxrss) of:
  pyarrow        pyarrow.csv.read_csv of the whole file, typed (the bare read)
  duckdb         the yardstick: DuckDB reading the file and counting each vendor's connected calls of the
                 month and 2-hour repeats by the contract's reading (spec §4: a re-entry by the same caller
                 strictly after connection and at most 120 minutes later; withheld callers never repeat;
                 next-month rows serve only as re-entries), one SQL query with an ASOF join — what a data
                 engineer would write instead; its figures are checked against `kpi score`'s below;
                 needs the `bench` extra: pip install -e '.[bench]'
  duckdb lead    the query this benchmark used before 2026-12-06: each caller's next queue entry (LEAD)
                 within 120 minutes of connection. Cheaper, but not the same figures (it counts the
                 next month's connected calls and takes a re-entry queued before connection as a
                 repeat): shown for comparison with the older rows of RESULTS.md, not the yardstick
  kpi score      `python -m kpi.cli score SUMMARY --detail FILE --format json`, the whole process
  kpi agents     `python -m kpi.cli agents SUMMARY --detail FILE --format json`
  kpi reconcile  `python -m kpi.cli reconcile SUMMARY --detail FILE --format json`
A run that fails (e.g. the file is refused) is reported with its message instead of a figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

MONTH = ("2024-06-01", "2024-07-01")  # scripts/make_call_detail.py's month
DUCKDB_QUERY = """
WITH calls AS (
    SELECT "外包公司" AS vendor, "主叫号码" AS caller, "是否接通" = '是' AS connected,
           CAST("入队时间" AS TIMESTAMP) AS queued, TRY_CAST("接通时间" AS TIMESTAMP) AS answered
    FROM read_csv(?, header = true, all_varchar = true)
), entries AS (
    SELECT caller, queued FROM calls WHERE regexp_matches(caller, '[1-9]') AND queued >= CAST(? AS TIMESTAMP)
), month_calls AS (
    SELECT vendor, caller, answered FROM calls
    WHERE connected AND queued >= CAST(? AS TIMESTAMP) AND queued < CAST(? AS TIMESTAMP)
), firsts AS (
    SELECT m.vendor, m.caller, m.answered, e.queued AS next_queued
    FROM month_calls m ASOF LEFT JOIN entries e ON m.caller = e.caller AND e.queued > m.answered
)
SELECT vendor,
       COUNT(*) AS connected_calls,
       COUNT(*) FILTER (WHERE next_queued <= answered + INTERVAL 120 MINUTE) AS repeats
FROM firsts GROUP BY vendor ORDER BY vendor
"""

DUCKDB_LEAD_QUERY = """
WITH calls AS (
    SELECT "外包公司" AS vendor, "主叫号码" AS caller, "是否接通" = '是' AS connected,
           CAST("入队时间" AS TIMESTAMP) AS queued, TRY_CAST("接通时间" AS TIMESTAMP) AS answered
    FROM read_csv(?, header = true, all_varchar = true)
), windowed AS (
    SELECT *, LEAD(queued) OVER (PARTITION BY caller ORDER BY queued) AS next_queued FROM calls
)
SELECT vendor,
       COUNT(*) AS connected_calls,
       COUNT(*) FILTER (WHERE caller <> '' AND next_queued IS NOT NULL
                        AND next_queued <= answered + INTERVAL 120 MINUTE) AS repeats
FROM windowed WHERE connected GROUP BY vendor ORDER BY vendor
"""


def files(rows: int, agents: int) -> tuple[Path, Path]:
    """The cached CSV month and its summary workbook, built in a child process."""
    csv_path = CACHE / f"big_{rows}.csv"
    summary = CACHE / f"big_{rows}_summary.xlsx"
    if not (csv_path.exists() and summary.exists()):
        subprocess.run([sys.executable, __file__, "--build", str(rows), str(agents)], check=True)
    return csv_path, summary


def build(rows: int, agents: int) -> None:
    import xlsxwriter
    from make_call_detail import make_detail, summary_sheet, write_csv

    CACHE.mkdir(exist_ok=True)
    started = time.perf_counter()
    detail = make_detail(rows=rows, agents=agents)
    csv_path = CACHE / f"big_{rows}.csv"
    write_csv(detail, csv_path.with_suffix(".tmp"), encoding="utf-8")
    csv_path.with_suffix(".tmp").rename(csv_path)
    summary = summary_sheet(detail)
    book = xlsxwriter.Workbook(str(CACHE / f"big_{rows}_summary.xlsx"))
    sheet = book.add_worksheet("月度指标")
    sheet.write_row(0, 0, list(summary.columns))
    for i, row in enumerate(summary.itertuples(index=False), start=1):
        sheet.write_row(i, 0, [None if v != v else v for v in row])
    book.close()
    print(
        f"built {csv_path.name} ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s"
    )


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def one(mode: str, csv_path: Path, summary: Path) -> dict[str, object]:
    """Run one measurement in this (fresh) process."""
    if mode.startswith("kpi "):
        command = mode.split()[1]
        cmd = [
            sys.executable,
            "-m",
            "kpi.cli",
            command,
            str(summary),
            "--detail",
            str(csv_path),
            "--format",
            "json",
        ]
        started = time.perf_counter()
        done = subprocess.run(
            cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        seconds = time.perf_counter() - started
        if done.returncode:
            return {
                "error": done.stderr.strip().splitlines()[-1]
                if done.stderr.strip()
                else f"exit {done.returncode}"
            }
        return {"seconds": seconds, "peak_mb": peak_mb(resource.RUSAGE_CHILDREN)}
    started = time.perf_counter()
    if mode == "pyarrow":
        import pyarrow as pa
        from pyarrow import csv

        types = {"入队时间": pa.timestamp("s"), "接通时间": pa.timestamp("s"), "结束时间": pa.timestamp("s")}
        strings = {h: pa.string() for h in ("呼叫流水号", "主叫号码", "坐席工号", "外包公司")}
        csv.read_csv(csv_path, convert_options=csv.ConvertOptions(column_types={**types, **strings}))
    elif mode == "duckdb":
        import duckdb

        rows = duckdb.connect().execute(DUCKDB_QUERY, [str(csv_path), MONTH[0], *MONTH]).fetchall()
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "peak_mb": peak_mb(), "figures": {v: [c, r] for v, c, r in rows}}
    elif mode == "duckdb lead":
        import duckdb

        duckdb.connect().execute(DUCKDB_LEAD_QUERY, [str(csv_path)]).fetchall()
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def kpi_figures(csv_path: Path, summary: Path) -> dict[str, list[int]]:
    """Each vendor's connected calls and 2-hour repeats as `kpi score` gives them (checked against DuckDB's)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi.cli",
            "score",
            str(summary),
            "--detail",
            str(csv_path),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    out = {}
    for card in json.loads(done.stdout):
        inputs = next(m["inputs"] for m in card["metrics"] if m["id"] == "repeat_2h")
        out[card["vendor"]] = [int(inputs["connected_calls"]), int(inputs["repeat_2h_calls"])]
    return out


MODES = ("pyarrow", "duckdb", "duckdb lead", "kpi score", "kpi agents", "kpi reconcile")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--agents", type=int, default=3000)
    ap.add_argument("--one", nargs=3, metavar=("MODE", "CSV", "SUMMARY"), help=argparse.SUPPRESS)
    ap.add_argument("--build", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build:
        build(*args.build)
        return
    if args.one:
        print(json.dumps(one(args.one[0], Path(args.one[1]), Path(args.one[2]))))
        return
    csv_path, summary = files(args.rows, args.agents)
    runs: dict[str, list[dict[str, object]]] = {mode: [] for mode in MODES}
    for _ in range(args.repeat):  # in rounds, every step once a round: each median spans the same spells
        for mode in MODES:
            if runs[mode] and "error" in runs[mode][-1]:
                continue
            out = subprocess.run(
                [sys.executable, __file__, "--one", mode, str(csv_path), str(summary)],
                capture_output=True,
                text=True,
            )
            runs[mode].append(
                json.loads(out.stdout) if out.returncode == 0 else {"error": out.stderr.strip()[-200:]}
            )
    results: dict[str, dict[str, object]] = {}
    figures = None
    for mode, done in runs.items():
        if "error" in done[-1]:
            results[mode] = done[-1]
            print(f"  {mode:13s} failed: {done[-1]['error']}", file=sys.stderr)
            continue
        results[mode] = {k: statistics.median(r[k] for r in done) for k in ("seconds", "peak_mb")}
        figures = done[-1].get("figures", figures)
        print(
            f"  {mode:13s} {results[mode]['seconds']:7.2f} s  {results[mode]['peak_mb']:7.0f} MB",
            file=sys.stderr,
        )
    paired = _paired_ratios(runs)
    size = csv_path.stat().st_size / 1e6
    if figures is not None:
        ours = kpi_figures(csv_path, summary)
        same = "the same" if ours == figures else f"DIFFERENT (kpi {ours}, DuckDB {figures})"
        print(f"\nDuckDB's and kpi's connected calls and 2-hour repeats per vendor: {same}")
    print(
        f"\n{args.rows:,} rows, {size:.0f} MB CSV; {os.cpu_count()} cores; medians of {args.repeat} fresh processes\n"
    )
    duck = results.get("duckdb", {}).get("seconds")
    print("| step | seconds | × DuckDB | peak MB |\n|---|---|---|---|")
    for mode, r in results.items():
        if "error" in r:
            print(f"| {mode} | failed: {r['error']} | | |")
            continue
        ratio = f"{r['seconds'] / duck:.2f}" if duck else "—"
        print(f"| {mode} | {r['seconds']:.2f} | {ratio} | {r['peak_mb']:.0f} |")
    if paired:
        rounds = ", ".join(f"{x:.2f}" for x in paired)
        print(f"\nkpi score ÷ DuckDB, round by round: {rounds} (median {statistics.median(paired):.2f})")


def _paired_ratios(runs: dict[str, list[dict[str, object]]]) -> list[float]:
    """`kpi score`'s seconds over DuckDB's in each round (the two ran a minute apart at most)."""
    pairs = zip(runs["kpi score"], runs["duckdb"], strict=False)
    return [k["seconds"] / d["seconds"] for k, d in pairs if "error" not in k and "error" not in d]


if __name__ == "__main__":
    main()
