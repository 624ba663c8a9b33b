"""The whole run as one library call: workbook → validated vendor-months → scorecards.

The CLI and the app both call these; tests call them directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kpi.detail.reader import DetailData
from kpi.detail.reconcile import apply_detail, zeroed_vendors
from kpi.detail.run import DetailRun, finish_detail, read_detail_sheets
from kpi.errors import Problem
from kpi.progress import Progress
from kpi.records import VendorMonth
from kpi.rules.rulebook import Rulebook
from kpi.scoring.scorecard import Scorecard, score
from kpi.summary.reader import SUMMARY_SHEET, read_summary


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
    detail_files: Sequence[str | Path] = (),
) -> Assessment:
    """Read, validate and score a workbook; nothing is scored when the input has problems.

    `expect_month`: rows of any other month are problems (not merely left out, as with `month`).
    When the workbook has detail sheets (话务明细, 坐席名册, 考试成绩) and `use_detail`, the figures
    they give replace the summary's for their month (records' sources say "detail"). `detail_files`:
    more detail files of the month (a month spread over several files).
    """
    with ThreadPoolExecutor(max_workers=1) as pool:  # openpyxl reads the summary while fastexcel
        pending = pool.submit(read_summary, path, display, month=expect_month)  # (GIL released)
        data = read_detail_sheets(path, progress, detail_files) if use_detail else None  # reads the detail
        records, problems = pending.result()
    problems = problems or rulebook_applies(records, rules, display or Path(path).name)
    if problems:
        return Assessment(tuple(records), (), tuple(problems))
    records, detail, problems = with_detail(records, data, rules, progress, month, display or Path(path).name)
    if problems:
        return Assessment(tuple(records), (), problems, detail)
    return Assessment(tuple(records), score_all(records, rules, month, vendor), (), detail)


def rulebook_applies(records: Sequence[VendorMonth], rules: Rulebook, file: str) -> tuple[Problem, ...]:
    """Rows of a month before the rulebook took effect are refused: they were assessed under an
    earlier contract, whose rulebook should be given instead (--rules)."""
    return tuple(
        Problem(
            f"该月早于规则本的生效月份 {rules.effective_month}",
            file=file,
            sheet=r.sheet or SUMMARY_SHEET,
            row=r.row,
            column="月份",
            value=r.month,
            expected=f"{rules.effective_month} 及以后的月份；更早的月份请用当时的规则本（--rules）",
        )
        for r in records
        if r.month < rules.effective_month
    )


def with_detail(
    records: Sequence[VendorMonth],
    data: DetailData | None,
    rules: Rulebook,
    progress: Progress | None = None,
    month: str | None = None,
    file: str = "",
) -> tuple[tuple[VendorMonth, ...], DetailRun | None, tuple[Problem, ...]]:
    """The records taking the detail's figures for its month (unchanged without detail), the detail
    run (measure and reconciliation), and the detail's problems (then the records are unchanged).
    `file`: the summary's file name, for a vendor the detail would leave with 0 valid calls."""
    if data is None:
        return tuple(records), None, ()
    run = finish_detail(data, rules, records, month, progress)
    if run.problems:
        return tuple(records), run, run.problems
    zeroed = zeroed_vendors(records, run.measure, file)
    if zeroed:
        return tuple(records), run, tuple(zeroed)
    return apply_detail(records, run.measure), run, ()


def score_all(
    records: Sequence[VendorMonth], rules: Rulebook, month: str | None = None, vendor: str | None = None
) -> tuple[Scorecard, ...]:
    """The scorecards of the chosen records, by month then vendor."""
    chosen = select(list(records), month, vendor)
    return tuple(score(r, rules) for r in sorted(chosen, key=lambda r: (r.month, r.vendor)))
