"""Benchmark of the call-detail path on a 1,000,000-row workbook, every figure from a fresh process.

    python benchmarks/bench_detail.py [--repeat 3] [--rows 1000000] [--shared-strings]

Builds benchmarks/.cache/detail_<rows>.xlsx once (a 月度指标 summary, 话务明细, 坐席名册, 考试成绩;
git-ignored; text in its cells, as xlsxwriter's constant-memory mode writes it; with --shared-strings
detail_<rows>_shared.xlsx, text in a shared-strings table as Excel writes it), then prints, as medians over --repeat runs, seconds and peak memory (ru_maxrss) of:
  fastexcel      bare read of every sheet (`load_sheet(...).to_arrow()`), timed in process
  fastexcel process  the same as a whole `python -c` process: the yardstick for `kpi score`
  measure        kpi.detail.measure.measure_detail alone (the data read before the clock starts)
  read+measure   kpi.detail.reader.read_detail + measure_detail, in process
  kpi score      `python -m kpi.cli score FILE --format json` as a user runs it (the process's wall time)
  openpyxl       pandas.read_excel(engine="openpyxl") of 话务明细, on a 100,000-row workbook (×10 shown)
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


def workbook(rows: int, shared: bool = False) -> Path:
    """The cached workbook, built in a child process (so that this one stays small: a child's
    ru_maxrss starts from its parent's)."""
    path = CACHE / f"detail_{rows}{'_shared' if shared else ''}.xlsx"
    if not path.exists():
        extra = ["--shared-strings"] if shared else []
        subprocess.run([sys.executable, __file__, "--build", str(rows), *extra], check=True)
    return path


def build(rows: int, shared: bool) -> None:
    from make_call_detail import make_detail, summary_sheet, write_xlsx

    path = CACHE / f"detail_{rows}{'_shared' if shared else ''}.xlsx"
    CACHE.mkdir(exist_ok=True)
    started = time.perf_counter()
    detail = make_detail(rows=rows)
    write_xlsx(detail, path.with_suffix(".tmp.xlsx"), summary=summary_sheet(detail), shared_strings=shared)
    path.with_suffix(".tmp.xlsx").rename(path)
    print(f"built {path.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def one(mode: str, path: Path) -> dict[str, float]:
    """Run one measurement in this (fresh) process."""
    if mode == "kpi score":
        started = time.perf_counter()
        cmd = [sys.executable, "-m", "kpi.cli", "score", str(path), "--format", "json"]
        subprocess.run(
            cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(resource.RUSAGE_CHILDREN)}
    if mode in PROCESSES:  # a whole process, timed from here (before this fix, read+measure ran)
        started = time.perf_counter()
        subprocess.run([sys.executable, *PROCESSES[mode], str(path)], check=True, stdout=subprocess.DEVNULL)
        return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(resource.RUSAGE_CHILDREN)}
    if mode == "fastexcel":
        started = time.perf_counter()
        import fastexcel

        reader = fastexcel.read_excel(str(path))
        for name in reader.sheet_names:
            reader.load_sheet(name).to_arrow()
        return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}
    if mode == "openpyxl":
        import pandas as pd

        started = time.perf_counter()
        pd.read_excel(path, sheet_name="话务明细", engine="openpyxl", dtype={"主叫号码": str})
        return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}
    from kpi.detail.measure import measure_detail
    from kpi.detail.reader import read_detail
    from kpi.detail.run import detail_settings, repeat_points
    from kpi.rules.rulebook import load_rulebook

    rules = load_rulebook()
    started = time.perf_counter()
    data = read_detail(path)
    read_done = time.perf_counter()
    measure_detail(data, None, detail_settings(rules), repeat_points(rules))
    done = time.perf_counter()
    seconds = done - read_done if mode == "measure" else done - started
    return {"seconds": seconds, "peak_mb": peak_mb()}


BARE = "import sys, fastexcel\nr = fastexcel.read_excel(sys.argv[1])\nfor n in r.sheet_names: r.load_sheet(n).to_arrow()"
PROCESSES = {
    "fastexcel process": ["-c", BARE],
    "kpi score": ["-m", "kpi.cli", "score", "--format", "json"],
}
MODES = ("fastexcel", "fastexcel process", "measure", "read+measure", "kpi score", "openpyxl")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--one", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    ap.add_argument("--shared-strings", action="store_true", help="text in a shared-strings table, as Excel")
    ap.add_argument("--build", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build:
        build(args.build, args.shared_strings)
        return
    if args.one:
        print(json.dumps(one(args.one[0], Path(args.one[1]))))
        return
    big, small = workbook(args.rows, args.shared_strings), workbook(100_000)
    results = {}
    for mode in MODES:
        path = small if mode == "openpyxl" else big
        runs = []
        for _ in range(args.repeat if mode != "openpyxl" else 1):
            out = subprocess.run(
                [sys.executable, __file__, "--one", mode, str(path)],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(out.stdout))
        results[mode] = {k: statistics.median(r[k] for r in runs) for k in ("seconds", "peak_mb")}
        print(
            f"  {mode:13s} {results[mode]['seconds']:7.2f} s  {results[mode]['peak_mb']:7.0f} MB",
            file=sys.stderr,
        )
    bare = results["fastexcel process"]["seconds"]
    size = big.stat().st_size / 1e6
    print(
        f"\n{args.rows:,} rows, {size:.0f} MB .xlsx{' (shared strings)' if args.shared_strings else ''}; "
        f"{os.cpu_count()} cores; medians of {args.repeat} fresh processes\n"
    )
    print("| step | seconds | × fastexcel process | peak MB |\n|---|---|---|---|")
    for mode, r in results.items():
        secs, note = r["seconds"], ""
        if mode == "openpyxl":
            secs, note = (
                secs * args.rows / 100_000,
                f" (100,000 rows: {r['seconds']:.2f} s, ×{args.rows // 100_000} shown)",
            )
        print(f"| {mode}{note} | {secs:.2f} | {secs / bare:.2f} | {r['peak_mb']:.0f} |")
    score, measure = results["kpi score"], results["measure"]
    print(
        f"\ntargets (issue 11): measure ≤ 1 s: {measure['seconds']:.2f} s; kpi score ≤ 1.0 × fastexcel (both whole "
        f"processes): {score['seconds'] / bare:.2f}×; kpi score's peak ≤ 1.0 GB: {score['peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
