"""Seeded synthetic call detail (话务明细) with roster (坐席名册) and exam scores (考试成绩).

Realistic enough to exercise the 2-hour repeat measure: callers come back after minutes or hours
(sometimes while the first call is still queued or going on), some calls are abandoned in the queue,
some numbers are withheld, a few are internal test lines, and the first hours of the next month are
included so calls at the end of the month can be judged.

    python scripts/make_call_detail.py --rows 1000000 -o detail.xlsx
    python scripts/make_call_detail.py --rows 5000 --format csv -o 话务明细.csv
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

VENDORS = ("华信客服", "联创呼叫", "众合外包", "远景服务")
PREFIXES = ("HX", "LC", "ZH", "YJ")
VENDOR_SHARE = (0.32, 0.27, 0.23, 0.18)
TEST_NUMBERS = ("10086999001", "10086999002", "01058880000")
CALL_HEADERS = (
    "呼叫流水号", "主叫号码", "入队时间", "是否接通", "接通时间",
    "结束时间", "坐席工号", "外包公司", "通话时长", "转接专家席",
)  # fmt: skip
MS_PER_DAY = 86_400_000
EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "ms")


@dataclass(frozen=True)
class Detail:
    calls: pd.DataFrame
    roster: pd.DataFrame
    exam: pd.DataFrame


def _daytime_offsets(rng: np.random.Generator, n: int, days: int) -> np.ndarray:
    """Milliseconds from the month start, busier in the day (peaks 10:00 and 15:00)."""
    day = rng.integers(0, days, n)
    hour = np.where(rng.random(n) < 0.5, rng.normal(10.5, 2.0, n), rng.normal(15.5, 2.5, n))
    hour = np.where(rng.random(n) < 0.08, rng.uniform(0, 24, n), hour)
    ms = (np.clip(hour, 0, 23.999) * 3_600_000).astype(np.int64)
    return day * MS_PER_DAY + ms


def make_roster(
    month: str, agents: int, seed: int, vendor_agents: dict[str, int] | None = None
) -> pd.DataFrame:
    """`agents` agents shared out by VENDOR_SHARE, or exactly `vendor_agents` (vendor → count)."""
    rng = np.random.default_rng(seed + 1)
    start = pd.Timestamp(f"{month}-01")
    if vendor_agents:
        counts = [vendor_agents.get(v, 0) for v in VENDORS]
        vendor_idx = rng.permutation(np.repeat(np.arange(len(VENDORS)), counts))
        agents = len(vendor_idx)
    else:
        vendor_idx = rng.choice(len(VENDORS), agents, p=VENDOR_SHARE)
    ids = [f"{PREFIXES[v]}{1000 + i:04d}" for i, v in enumerate(vendor_idx)]
    days_before = np.where(
        rng.random(agents) < 0.12, rng.integers(0, 60, agents), rng.integers(60, 1500, agents)
    )
    dates = start + pd.to_timedelta(20 - days_before, unit="D")
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    names = [surnames[rng.integers(0, len(surnames))] + "坐席" + str(i) for i in range(agents)]
    return pd.DataFrame(
        {
            "坐席工号": ids,
            "姓名": names,
            "外包公司": [VENDORS[v] for v in vendor_idx],
            "上岗日期": dates.normalize(),
        }
    )


def make_exam(
    roster: pd.DataFrame, seed: int, share: float = 0.78, means: dict[str, float] | None = None
) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 2)
    takers = roster[rng.random(len(roster)) < share]
    mean = takers["外包公司"].map(means or {}).fillna(82.0).to_numpy(float)
    scores = np.clip(np.round(rng.normal(mean, 8) * 2) / 2, 30, 100)
    return pd.DataFrame({"坐席工号": takers["坐席工号"], "外包公司": takers["外包公司"], "成绩": scores})


def _queue_times(
    rng: np.random.Generator,
    rows: int,
    days: int,
    callers: int,
    agent_vendor: np.ndarray,
    callback: np.ndarray,
    agent_p: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Caller index, queue time (ms from the month start) and agent of every row, with call-backs.

    A call taken by an agent of vendor v is followed by a call-back with probability callback[v]
    (after minutes — often while the first call is still queued or going on — or hours). Agents are
    drawn uniformly, or with probabilities `agent_p`.
    """

    def pick(k: int) -> np.ndarray:
        if agent_p is None:
            return rng.integers(0, len(agent_vendor), k)
        return rng.choice(len(agent_vendor), k, p=agent_p)

    parts_c, parts_t, parts_a = [], [], []
    total = 0
    while total < rows:
        n = max(1, int((rows - total) / (1 + callback.mean())))
        base_c = np.where(rng.random(n) < 0.03, rng.integers(0, 200, n), rng.integers(0, callers, n))
        base_t = _daytime_offsets(rng, n, days)
        base_a = pick(n)
        while len(base_c) and total < rows:
            parts_c.append(base_c)
            parts_t.append(base_t)
            parts_a.append(base_a)
            total += len(base_c)
            again = rng.random(len(base_c)) < callback[agent_vendor[base_a]]
            k = int(again.sum())
            delay = np.where(
                rng.random(k) < 0.6, rng.exponential(20 * 60_000, k), rng.exponential(150 * 60_000, k)
            )
            base_c, base_t = base_c[again], base_t[again] + delay.astype(np.int64) + 5_000
            base_a = pick(k)
    return tuple(np.concatenate(p)[:rows] for p in (parts_c, parts_t, parts_a))


def make_calls(
    month: str,
    rows: int,
    roster: pd.DataFrame,
    seed: int,
    next_month_hours: float = 2.0,
    repeat_rates: dict[str, float] | None = None,
    call_shares: dict[str, float] | None = None,
) -> pd.DataFrame:
    """`rows` calls of the month; agents answer alike, or each vendor about its `call_shares` of calls."""
    rng = np.random.default_rng(seed)
    start = np.datetime64(f"{month}-01T00:00:00", "ms")
    days = int((pd.Timestamp(f"{month}-01") + pd.offsets.MonthBegin(1) - pd.Timestamp(f"{month}-01")).days)
    callers = max(10, rows // 2)
    vendor_of = roster["外包公司"].map({v: i for i, v in enumerate(VENDORS)}).to_numpy()
    wanted = repeat_rates or {}
    callback = np.array([wanted.get(v, 0.14) / 0.75 for v in VENDORS])  # ~3/4 of call-backs are counted
    agent_p = None
    if call_shares:
        share = np.array([call_shares.get(v, 0.0) for v in VENDORS])
        per_agent = share[vendor_of] / np.bincount(vendor_of, minlength=len(VENDORS))[vendor_of]
        agent_p = per_agent / per_agent.sum()
    caller_idx, t, agent_pos = _queue_times(rng, rows, days, callers, vendor_of, callback, agent_p)
    limit = days * MS_PER_DAY + int(next_month_hours * 3_600_000)
    t = np.where(t < limit, t, rng.integers(0, days * MS_PER_DAY, len(t)))
    t = t // 1000 * 1000  # the ACD records whole seconds
    order = np.argsort(t, kind="stable")
    caller_idx, t, agent_pos = caller_idx[order], t[order], agent_pos[order]
    n = len(t)
    numbers = np.char.add("1", (3_000_000_000 + np.arange(callers) * 7_919 % 6_999_999_999).astype(str))
    caller = numbers[caller_idx].astype(object)
    special = rng.random(n)
    caller[special < 0.006] = ""
    caller[(special >= 0.006) & (special < 0.008)] = "匿名"
    tests = (special >= 0.008) & (special < 0.010)
    caller[tests] = np.array(TEST_NUMBERS, dtype=object)[rng.integers(0, len(TEST_NUMBERS), int(tests.sum()))]
    connected = rng.random(n) >= 0.09
    wait = rng.exponential(25, n).astype(np.int64) * 1000
    talk = np.maximum(1, rng.lognormal(5.0, 0.8, n)).astype(np.int64)
    queue = start + t
    answer = np.where(connected, queue + wait, np.datetime64("NaT", "ms"))
    end = np.where(connected, answer + talk * 1000, queue + wait)
    return pd.DataFrame(
        {
            "呼叫流水号": np.char.add(
                month.replace("-", "") + "C", np.char.zfill(np.arange(1, n + 1).astype(str), 8)
            ),
            "主叫号码": caller,
            "入队时间": queue,
            "是否接通": np.where(connected, "是", "否"),
            "接通时间": answer,
            "结束时间": end,
            "坐席工号": np.where(connected, roster["坐席工号"].to_numpy()[agent_pos], ""),
            "外包公司": np.where(connected, roster["外包公司"].to_numpy()[agent_pos], ""),
            "通话时长": np.where(connected, talk, 0),
            "转接专家席": np.where(connected & (rng.random(n) < 0.005), "是", "否"),
        }
    )


def make_detail(
    month: str = "2024-06",
    rows: int = 100_000,
    agents: int = 600,
    seed: int = 10086,
    repeat_rates: dict[str, float] | None = None,
    exam_means: dict[str, float] | None = None,
    vendor_agents: dict[str, int] | None = None,
    call_shares: dict[str, float] | None = None,
) -> Detail:
    """Calls, roster and exam of one month. Vendors may differ: `repeat_rates` (vendor → about what
    share of its calls are 2-hour repeats, 14% by default), `exam_means` (82 by default),
    `vendor_agents` (exact head counts, replacing `agents`) and `call_shares` (vendor → its share of
    the calls; by default each agent answers alike)."""
    roster = make_roster(month, agents, seed, vendor_agents)
    calls = make_calls(month, rows, roster, seed, repeat_rates=repeat_rates, call_shares=call_shares)
    return Detail(calls, roster, make_exam(roster, seed, means=exam_means))


def canonical_calls(calls: pd.DataFrame) -> pd.DataFrame:
    """The generated rows as the reader's canonical calls table (to measure without writing a file)."""
    from kpi.detail.columns import CALLS

    frame = calls.rename(columns={aliases[0]: key for key, aliases in CALLS.columns.items()})
    frame["connected"] = frame["connected"] == "是"
    frame["expert_transfer"] = frame["expert_transfer"] == "是"
    frame["talk_seconds"] = frame["talk_seconds"].astype(float)
    frame["source"] = pd.Categorical(["generated"] * len(frame))
    frame["row"] = np.arange(2, len(frame) + 2)
    return frame


def measure_generated(detail: Detail, month: str, test_numbers: tuple[str, ...] = ()):
    """kpi's measure of generated detail, without writing a file (a kpi.detail.measure.DetailMeasure)."""
    from kpi.detail.measure import measure_detail
    from kpi.detail.reader import DetailData
    from kpi.detail.repeats import default_settings

    data = DetailData(
        canonical_calls(detail.calls),
        detail.roster.set_axis(["agent_id", "name", "vendor", "start_date"], axis=1),
        detail.exam.set_axis(["agent_id", "vendor", "score"], axis=1),
    )
    return measure_detail(data, month, default_settings(test_numbers=frozenset(test_numbers)))


def summary_sheet(
    detail: Detail, month: str = "2024-06", seed: int = 10086, test_numbers: tuple[str, ...] = ()
) -> pd.DataFrame:
    """A plausible 月度指标 sheet for the generated month: calls, repeats and exam from the detail
    (measured with `test_numbers` left out: the default rulebook lists none), the rest invented;
    联创呼叫 claims 10% fewer repeats than its calls show (for reconciliation)."""
    rng = np.random.default_rng(seed + 3)
    measured = measure_generated(detail, month, test_numbers)
    rows = []
    for v in measured.vendors:
        connected = v.connected_calls
        repeats = v.repeat_2h_calls * 9 // 10 if v.vendor == "联创呼叫" else v.repeat_2h_calls
        dial, mon, sampled, unhappy = 100, int(rng.integers(30, 60)), 200, int(rng.integers(30, 80))
        rows.append({
            "月份": month, "外包公司": v.vendor, "有效话务量": v.valid_calls, "接通量": connected,
            "2小时重复呼叫数": repeats, "质量拨测数": dial, "质量拨测正确数": int(rng.integers(90, 100)),
            "在线监听数": mon, "在线监听正确数": mon - int(rng.integers(0, 5)),
            "分派工单数": connected // 100 - v.expert_transfers, "转接专家席数": v.expert_transfers,
            "成立服务投诉数": connected * 4 // 10_000, "建单数": connected * 6 // 10, "工单抽测数": sampled,
            "工单抽测正确数": int(rng.integers(160, 195)), "短信不满意数": unhappy,
            "不满意回访数": unhappy - int(rng.integers(0, 10)), "座席总数": v.agents_total,
            "参考人数": v.exam_takers, "考试平均分": float(round(v.exam_average, 2)) if v.exam_average else None,
            "升级投诉数": int(rng.integers(0, 2)), "业务稽核合格率": "96.5%", "台账自查缺失数": 0, "信息安全事件数": 0,
        })  # fmt: skip
    return pd.DataFrame(rows)


def _serial(values: np.ndarray) -> np.ndarray:
    """Excel serial days (float) of datetime64[ms] values; NaN for NaT."""
    ms = (values.astype("datetime64[ms]") - EXCEL_EPOCH).astype(np.int64)
    return np.where(np.isnat(values), np.nan, ms / MS_PER_DAY)


def write_calls_sheet(workbook, name: str, calls: pd.DataFrame) -> None:
    """Write call rows to a new xlsxwriter sheet (times as real Excel datetimes)."""
    ws = workbook.add_worksheet(name)
    fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, CALL_HEADERS)
    ws.set_column(0, 9, 18)
    cols = [calls[h].to_numpy() for h in CALL_HEADERS]
    for j in (2, 4, 5):
        cols[j] = _serial(cols[j])
    cols[1] = np.array([int(c) if c.isdigit() else c for c in cols[1]], dtype=object)  # ACD exports numbers
    for j in (0, 3, 6, 7, 9):
        cols[j] = cols[j].astype(object)
    cols[8] = cols[8].astype(np.int64)
    for i, row in enumerate(zip(*cols, strict=True), start=1):
        for j, value in enumerate(row):
            if j in (2, 4, 5):
                if value == value:  # not NaN
                    ws.write_number(i, j, value, fmt)
            elif value != "":
                ws.write(i, j, value)


def write_detail_sheets(wb, detail: Detail, sheet_rows: int = 1_048_575) -> None:
    """Add 话务明细 (split over 话务明细2 … past Excel's row limit), 坐席名册 and 考试成绩 to a workbook."""
    for k, first in enumerate(range(0, max(1, len(detail.calls)), sheet_rows)):
        name = "话务明细" if k == 0 else f"话务明细{k + 1}"
        write_calls_sheet(wb, name, detail.calls.iloc[first : first + sheet_rows])
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("坐席名册")
    ws.write_row(0, 0, list(detail.roster.columns))
    for i, (aid, name, vendor, start) in enumerate(detail.roster.itertuples(index=False), start=1):
        ws.write_row(i, 0, [aid, name, vendor])
        ws.write_datetime(i, 3, start.to_pydatetime(), date_fmt)
    ws = wb.add_worksheet("考试成绩")
    ws.write_row(0, 0, list(detail.exam.columns))
    for i, row in enumerate(detail.exam.itertuples(index=False), start=1):
        ws.write_row(i, 0, [row[0], row[1], float(row[2])])


def write_xlsx(
    detail: Detail,
    path: Path,
    sheet_rows: int = 1_048_575,
    summary: pd.DataFrame | None = None,
    shared_strings: bool = False,
) -> None:
    """A workbook of the detail, with a 月度指标 sheet if given: in constant memory (a million rows fit,
    text written in its cells), or with `shared_strings` as Excel writes text (a table of the
    workbook's strings, each cell its number; xlsxwriter then holds the whole workbook in memory)."""
    import xlsxwriter

    with xlsxwriter.Workbook(path, {"constant_memory": not shared_strings}) as wb:
        if summary is not None:
            ws = wb.add_worksheet("月度指标")
            ws.write_row(0, 0, list(summary.columns))
            for i, row in enumerate(summary.itertuples(index=False), start=1):
                ws.write_row(i, 0, [None if pd.isna(v) else v for v in row])
        write_detail_sheets(wb, detail, sheet_rows)


def write_csv(detail: Detail, path: Path, encoding: str = "utf-8-sig") -> None:
    calls = detail.calls.copy()
    for h in ("入队时间", "接通时间", "结束时间"):
        calls[h] = calls[h].dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
    calls.to_csv(path, index=False, encoding=encoding)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="生成模拟话务明细（可复现）")
    ap.add_argument("--month", default="2024-06")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--agents", type=int, default=600)
    ap.add_argument("--seed", type=int, default=10086)
    ap.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    ap.add_argument("--encoding", default="utf-8-sig", help="CSV encoding, e.g. gb18030")
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args(argv)
    detail = make_detail(args.month, args.rows, args.agents, args.seed)
    if args.format == "xlsx":
        write_xlsx(detail, args.output)
    else:
        write_csv(detail, args.output, args.encoding)
    print(f"wrote {len(detail.calls):,} calls to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
