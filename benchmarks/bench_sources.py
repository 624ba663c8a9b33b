"""What reading call detail through a source profile costs over reading our own headers, on the
same calls (1,000,000 rows by default), every figure the median of fresh processes.

    python benchmarks/bench_sources.py [--repeat 3] [--rows 1000000]

Pairs (read_detail + measure_detail, in process; the data built once into benchmarks/.cache/):
  xlsx ours / xlsx profile   bench_detail's workbook, read as is and through a profile that maps
                             every column to the same header and 是否接通 through a value map
  csv ours / csv cti         the calls as a UTF-8 CSV in our headers (with 外包公司), and as a CTI
                             export: UTF-16 'Unicode text', tab-separated, its own headers, epoch
                             milliseconds, 通话标识 0 = 接通, no vendor column (from the 坐席名册)
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "benchmarks")]

IDENTITY = """[source]
label = "本工具表头（经来源配置）"
[source.columns]
呼叫流水号 = "呼叫流水号"
主叫号码 = "主叫号码"
入队时间 = "入队时间"
是否接通 = "是否接通"
接通时间 = "接通时间"
结束时间 = "结束时间"
坐席工号 = "坐席工号"
外包公司 = "外包公司"
[source.values.是否接通]
是 = ["是"]
否 = ["否"]
"""
CTI = """[source]
label = "某 CTI 话单"
time_format = "epoch_ms"
[source.columns]
呼叫流水号 = "话单编号"
主叫号码 = "主叫"
入队时间 = "进入技能组时间"
接通时间 = "振铃时间"
结束时间 = "挂机时间"
坐席工号 = "坐席"
是否接通 = "通话标识"
[source.values.是否接通]
是 = ["0"]
否 = ["1", "2"]
"""


def files(rows: int) -> dict[str, Path]:
    paths = {
        "xlsx": CACHE / f"detail_{rows}.xlsx",
        "csv": CACHE / f"ours_{rows}.csv",
        "cti": CACHE / f"cti_{rows}.txt",
        "roster": CACHE / f"坐席名册_{rows}.csv",
    }
    if not paths["xlsx"].exists():
        from bench_detail import workbook

        workbook(rows)
    if not paths["cti"].exists():
        subprocess.run([sys.executable, __file__, "--build", str(rows)], check=True)
    return paths


def build(rows: int) -> None:
    """The same calls as our CSV and as a CTI export (from the same seeded generator)."""
    from make_call_detail import make_detail, write_csv

    detail = make_detail(rows=rows)
    write_csv(detail, CACHE / f"ours_{rows}.csv", encoding="utf-8")
    detail.roster.to_csv(CACHE / f"坐席名册_{rows}.csv", index=False)
    c = detail.calls

    def ms(col: str) -> np.ndarray:
        values = c[col].to_numpy(dtype="datetime64[ms]")
        utc = values - np.timedelta64(8, "h")  # Beijing wall time → Unix milliseconds
        out = utc.view(np.int64).astype(str)
        return np.where(np.isnat(values), "", out)

    flag = np.where(c["是否接通"] == "是", "0", "1")
    columns = [
        c["呼叫流水号"],
        c["主叫号码"],
        ms("入队时间"),
        ms("接通时间"),
        ms("结束时间"),
        c["坐席工号"],
        flag,
    ]
    lines = ["话单编号\t主叫\t进入技能组时间\t振铃时间\t挂机时间\t坐席\t通话标识"]
    lines += ["\t".join(map(str, row)) for row in zip(*columns, strict=True)]
    (CACHE / f"cti_{rows}.txt").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))


def one(mode: str, rows: int) -> dict[str, float]:
    from kpi.detail.measure import measure_detail
    from kpi.detail.reader import read_detail
    from kpi.detail.run import detail_settings, read_options, repeat_points
    from kpi.detail.source import parse_source
    from kpi.rules.rulebook import load_rulebook

    paths, rules = files(rows), load_rulebook()
    inputs = {
        "xlsx ours": ([paths["xlsx"]], None),
        "xlsx profile": ([paths["xlsx"]], parse_source(IDENTITY, "identity.toml")),
        "csv ours": ([paths["csv"], paths["roster"]], None),
        "csv cti": ([paths["cti"], paths["roster"]], parse_source(CTI, "cti.toml")),
    }
    chosen, profile = inputs[mode]
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    data = read_detail(chosen, options=read_options(rules, profile))
    assert not data.problems, data.problems[:3]
    m = measure_detail(data, None, detail_settings(rules), repeat_points(rules))
    seconds, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    used = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime  # less swayed by other load
    return {"seconds": seconds, "cpu": used, "connected": sum(a.connected_calls for a in m.agents),
            "repeats": sum(a.repeat_2h_calls for a in m.agents)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--build", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build:
        build(args.build)
        return
    if args.one:
        print(json.dumps(one(args.one, args.rows)))
        return
    files(args.rows)
    results = {}
    for mode in ("xlsx ours", "xlsx profile", "csv ours", "csv cti"):
        runs = []
        for _ in range(args.repeat):
            cmd = [sys.executable, __file__, "--one", mode, "--rows", str(args.rows)]
            runs.append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout))
        results[mode] = runs
        secs = statistics.median(r["seconds"] for r in runs)
        print(
            f"  {mode:12s} {secs:6.2f} s  cpu {statistics.median(r['cpu'] for r in runs):6.2f} s  connected {runs[0]['connected']:,}  repeats {runs[0]['repeats']:,}",
            file=sys.stderr,
        )
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
    cpu = {k: statistics.median(r["cpu"] for r in v) for k, v in results.items()}
    print(f"\n{args.rows:,} rows; medians of {args.repeat} fresh processes (read_detail + measure_detail)\n")
    print(
        "| pair | our headers (s) | through a profile (s) | ratio | CPU s, ours → profile | CPU ratio | same figures |"
    )
    print("|---|---|---|---|---|---|---|")
    for ours, theirs in (("xlsx ours", "xlsx profile"), ("csv ours", "csv cti")):
        same = all(
            (a["connected"], a["repeats"]) == (results[ours][0]["connected"], results[ours][0]["repeats"])
            for a in results[theirs]
        )
        print(
            f"| {ours} → {theirs} | {med[ours]:.2f} | {med[theirs]:.2f} | {med[theirs] / med[ours]:.2f}× "
            f"| {cpu[ours]:.2f} → {cpu[theirs]:.2f} | {cpu[theirs] / cpu[ours]:.2f}× | {same} |"
        )


if __name__ == "__main__":
    main()
