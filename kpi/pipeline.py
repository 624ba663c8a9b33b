"""The whole run as one library call: workbook → validated vendor-months → scorecards.

The CLI and the app both call these; tests call them directly.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kpi.detail_run import DetailRun, finish_detail, read_detail_sheets
from kpi.errors import Problem
from kpi.progress import Progress
from kpi.reconcile import apply_detail
from kpi.records import VendorMonth
from kpi.rulebook import Rulebook
from kpi.scoring import Scorecard, score
from kpi.summary import read_summary


@dataclass(frozen=True)
class Assessment:
    """What a run produced: the records read, their scorecards, and every problem found."""

    records: tuple[VendorMonth, ...]
    cards: tuple[Scorecard, ...]
    problems: tuple[Problem, ...]
    detail: DetailRun | None = None  # the detail sheets' figures, when they were used

    @property
    def ok(self) -> bool:
        return not self.problems


def select(
    records: list[VendorMonth], month: str | None = None, vendor: str | None = None
) -> list[VendorMonth]:
    return [
        r for r in records if (month is None or r.month == month) and (vendor is None or r.vendor == vendor)
    ]


def assess(
    path: str | Path,
    rules: Rulebook,
    month: str | None = None,
    vendor: str | None = None,
    display: str | None = None,
    expect_month: str | None = None,
    use_detail: bool = True,
    progress: Progress | None = None,
) -> Assessment:
    """Read, validate and score a workbook; nothing is scored when the input has problems.

    `expect_month`: rows of any other month are problems (not merely left out, as with `month`).
    When the workbook has detail sheets (话务明细, 坐席名册, 考试成绩) and `use_detail`, the figures
    they give replace the summary's for their month (records' sources say "detail").
    """
    with ThreadPoolExecutor(max_workers=1) as pool:  # openpyxl reads the summary while fastexcel
        pending = pool.submit(read_summary, path, display, month=expect_month)  # (GIL released)
        data = read_detail_sheets(path, progress) if use_detail else None  # reads the detail
        records, problems = pending.result()
    if problems:
        return Assessment(tuple(records), (), tuple(problems))
    detail = finish_detail(data, rules, records, progress=progress) if data is not None else None
    if detail is not None:
        if detail.problems:
            return Assessment(tuple(records), (), detail.problems, detail)
        records = list(apply_detail(records, detail.measure))
    chosen = select(records, month, vendor)
    cards = tuple(score(r, rules) for r in sorted(chosen, key=lambda r: (r.month, r.vendor)))
    return Assessment(tuple(records), cards, (), detail)
