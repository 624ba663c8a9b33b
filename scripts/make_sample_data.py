"""Seeded generator of the bundled sample workbook (4 vendors × 6 months of 月度指标).

    python scripts/make_sample_data.py [-o sample_data/monthly_2024H1.xlsx] [--seed 2024]

A small centre: each vendor takes about 6,000–10,000 connected calls a month with 25–45 agents.
Profiles make the data tell a story: 华信客服 is strong, 联创呼叫 fails several metrics, 众合外包 and
远景服务 sit in between; March has no exam (考试平均分 says 未组织), April has no new agents to monitor, 联创呼叫 has a
security incident in February and 众合外包 an escalated complaint in May. Across the months every
curve segment is hit (below, between and beyond the thresholds).

June also comes with detail sheets (话务明细 of about 33,000 calls: the whole of June for every
vendor, at the size its summary line was planned at; 坐席名册 with each vendor's agents; 考试成绩)
made by scripts/make_call_detail.py from the same profiles. June's summary line takes its call,
repeat, agent and exam figures from that detail (other counts scaled to it), so June sits at the
scale of January–May, except that 联创呼叫 claims 10% fewer repeats than its calls show — what
`kpi reconcile` is for. (With the default rulebook's min_talk_seconds = 0 the detail counts every
connected call as valid, where January–May's summaries have 1–4% fewer valid than connected calls;
the summary's exam average is the detail's rounded to one decimal, which reconcile does not flag.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

import xlsxwriter

from kpi.inputs import SUMMARY_COLUMNS

try:
    from scripts.make_call_detail import Detail, make_detail, measure_generated, write_detail_sheets
except ImportError:  # run as `python scripts/make_sample_data.py`
    from make_call_detail import Detail, make_detail, measure_generated, write_detail_sheets

MONTHS = [f"2024-{m:02d}" for m in range(1, 7)]
# vendor: (repeat %, dial %, monitoring %, support %, complaints ‱, ticket %, created %, callback %, exam avg, audit %)
PROFILES = {
    "华信客服": (13.2, 97.0, 96.0, 0.92, 2.4, 92.0, 65.0, 96.0, 88.0, 97.5),
    "联创呼叫": (17.8, 91.0, 89.0, 1.12, 6.8, 78.0, 48.0, 76.0, 58.0, 92.0),
    "众合外包": (15.4, 94.0, 92.5, 1.03, 3.9, 85.0, 58.0, 88.0, 73.0, 95.5),
    "远景服务": (16.3, 95.0, 93.5, 1.07, 4.6, 88.0, 55.0, 84.0, 80.0, 94.0),
}
# a small centre: connected calls a month (±10%) and agents (±2) of each vendor
SIZE = {"华信客服": 9200, "联创呼叫": 6300, "众合外包": 8400, "远景服务": 7600}
AGENTS = {"华信客服": 40, "联创呼叫": 27, "众合外包": 36, "远景服务": 33}


def _row(rng: random.Random, vendor: str, month_index: int) -> dict[str, object]:
    repeat, dial, monitor, support, complaints, ticket, created, callback, exam, audit = PROFILES[vendor]
    drift = month_index - 2.5  # a slow trend over the half-year
    connected = int(SIZE[vendor] * rng.uniform(0.9, 1.1))
    agents = AGENTS[vendor] + rng.randint(-2, 2)
    jitter = rng.uniform
    dial_tests = rng.choice([50, 60, 80, 100])
    monitored = 0 if month_index == 3 else rng.choice([20, 30, 40, 50])
    sampled = rng.choice([100, 150, 200])
    dissatisfied = rng.randint(40, 160)
    takers = 0 if month_index == 2 else int(agents * jitter(0.62, 0.95))
    support_calls = round(connected * (support + jitter(-0.05, 0.05) - 0.004 * drift) / 100)
    dispatched = int(support_calls * 0.6)
    return {
        "month": MONTHS[month_index],
        "vendor": vendor,
        "valid_calls": int(connected * jitter(0.96, 0.99)),
        "connected_calls": connected,
        "repeat_2h_calls": round(connected * (repeat + jitter(-0.8, 0.8) - 0.15 * drift) / 100),
        "dial_tests": dial_tests,
        "dial_tests_correct": min(dial_tests, round(dial_tests * (dial + jitter(-2, 2)) / 100)),
        "monitored_calls": monitored,
        "monitored_correct": min(monitored, round(monitored * (monitor + jitter(-3, 3)) / 100)),
        "dispatched_tickets": dispatched,
        "expert_transfers": support_calls - dispatched,
        "service_complaints": round(connected * (complaints + jitter(-0.8, 0.8)) / 10000),
        "tickets_created": round(connected * (created + jitter(-4, 4)) / 100),
        "tickets_sampled": sampled,
        "tickets_correct": min(sampled, round(sampled * (ticket + jitter(-4, 4)) / 100)),
        "dissatisfied_ratings": dissatisfied,
        "dissatisfied_callbacks": min(dissatisfied, round(dissatisfied * (callback + jitter(-6, 6)) / 100)),
        "agents_total": agents,
        "exam_takers": takers,
        "exam_average": "未组织" if takers == 0 else round(exam + jitter(-6, 6), 1),  # stated: no exam held
        "escalated_complaints": 1 if (vendor, month_index) in {("众合外包", 4), ("联创呼叫", 5)} else 0,
        "audit_pass_rate": f"{round(audit + jitter(-1.5, 1.5), 1)}%",
        "missing_audit_records": rng.choice([0, 0, 0, 1]) if vendor == "联创呼叫" else 0,
        "security_incidents": 1 if (vendor, month_index) == ("联创呼叫", 1) else 0,
        "emergency_expected": 240 if month_index == 4 else None,
        "emergency_handled": int(240 * jitter(0.8, 1.0)) if month_index == 4 else None,
    }


DETAIL_MONTH = "2024-06"
ANSWERED = 0.91  # make_call_detail answers about 91% of the calls it makes
SCALED = ("service_complaints", "tickets_created")


def planned_rows(seed: int = 2024) -> list[dict[str, object]]:
    """Every month's line as planned, before June's takes its figures from the detail."""
    rng = random.Random(seed)
    return [_row(rng, vendor, i) for i in range(len(MONTHS)) for vendor in PROFILES]


def sample_detail(seed: int = 2024) -> Detail:
    """June's call detail, roster and exam: the whole month, every vendor at its planned size (calls
    and agents), with its repeat rate and exam level."""
    june = [r for r in planned_rows(seed) if r["month"] == DETAIL_MONTH]
    connected = {r["vendor"]: r["connected_calls"] for r in june}
    agents = {r["vendor"]: r["agents_total"] for r in june}
    total = sum(connected.values())
    # 联创呼叫 2 points higher: its measured rate must stay clearly past 17% (the red band)
    rates = {v: p[0] / 100 + (0.02 if v == "联创呼叫" else 0) for v, p in PROFILES.items()}
    means = {v: p[8] for v, p in PROFILES.items()}
    return make_detail(
        DETAIL_MONTH,
        round(total / ANSWERED),
        sum(agents.values()),
        seed,
        repeat_rates=rates,
        exam_means=means,
        vendor_agents=agents,
        call_shares={v: n / total for v, n in connected.items()},
    )


def _from_detail(row: dict[str, object], figures) -> dict[str, object]:
    """June's summary line on the detail's scale: measured figures in, other counts scaled."""
    factor = figures.connected_calls / row["connected_calls"]
    support = (row["dispatched_tickets"] + row["expert_transfers"]) * factor
    claimed = figures.repeat_2h_calls * 9 // 10 if row["vendor"] == "联创呼叫" else figures.repeat_2h_calls
    average = None if figures.exam_average is None else round(float(figures.exam_average), 1)
    return {
        **row,
        **{k: round(row[k] * factor) for k in SCALED},
        "connected_calls": figures.connected_calls,
        "valid_calls": figures.valid_calls,
        "repeat_2h_calls": claimed,
        "expert_transfers": figures.expert_transfers,
        "dispatched_tickets": max(0, round(support) - figures.expert_transfers),
        "agents_total": figures.agents_total,
        "exam_takers": figures.exam_takers,
        "exam_average": average,
    }


def summary_rows(seed: int = 2024) -> list[dict[str, object]]:
    rows = planned_rows(seed)
    measured = measure_generated(sample_detail(seed), DETAIL_MONTH)
    return [_from_detail(r, measured.vendor(r["vendor"])) if r["month"] == DETAIL_MONTH else r for r in rows]


def write_workbook(path: Path, rows: list[dict[str, object]], detail: Detail | None = None) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    book.set_properties({"created": dt.datetime(2024, 7, 1)})  # byte-for-byte reproducible
    sheet = book.add_worksheet("月度指标")
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    sheet.merge_range(0, 0, 0, 7, "2024年上半年 10086 热线外包考核数据", title)
    for col, column in enumerate(SUMMARY_COLUMNS):
        sheet.write(1, col, column.header, head)
    for r, row in enumerate(rows, start=2):
        for col, column in enumerate(SUMMARY_COLUMNS):
            value = row[column.key]
            if value is not None:
                sheet.write(r, col, value)
    sheet.freeze_panes(2, 2)
    sheet.set_column(0, len(SUMMARY_COLUMNS) - 1, 12)
    if detail is not None:
        write_detail_sheets(book, detail)
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default="sample_data/monthly_2024H1.xlsx")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    write_workbook(Path(args.output), summary_rows(args.seed), sample_detail(args.seed))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
