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
from kpi.detail.run import DetailRun, finish_detail, read_detail_sheets, read_options
from kpi.detail.source import SourceProfile
from kpi.errors import Problem
from kpi.files.cells import norm_text
from kpi.files.safety import DEFAULT_LIMITS, Limits
from kpi.progress import Progress
from kpi.records import VendorMonth
from kpi.rules.rulebook import Rulebook
from kpi.scoring.readings import ReadingRow, reading_rows
from kpi.scoring.scorecard import Scorecard, score
from kpi.summary.reader import SUMMARY_SHEET, read_summary, summary_notices


@dataclass(frozen=True)
class Assessment:
    """What a run produced: the records read, their scorecards, and every problem found."""

    records: tuple[VendorMonth, ...]
    cards: tuple[Scorecard, ...]
    problems: tuple[Problem, ...]
    detail: DetailRun | None = None  # the detail sheets' figures, when they were used
    notices: tuple[str, ...] = ()  # what the user must be told though nothing is wrong (rows skipped …)

    @property
    def ok(self) -> bool:
        return not self.problems


def select(
    records: list[VendorMonth], month: str | None = None, vendor: str | None = None
) -> list[VendorMonth]:
    """The records of a month and a vendor (its name compared as the summary's names are: norm_text)."""
    name = norm_text(vendor) if vendor is not None else None
    return [r for r in records if (month is None or r.month == month) and (name is None or r.vendor == name)]


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
    source: SourceProfile | None = None,
    limits: Limits = DEFAULT_LIMITS,
    call_ids: bool = True,
) -> Assessment:
    """Read, validate and score a workbook; nothing is scored when the input has problems.

    `expect_month`: rows of any other month are problems (not merely left out, as with `month`).
    When the workbook has detail sheets (话务明细, 坐席名册, 考试成绩) and `use_detail`, the figures
    they give replace the summary's for their month (records' sources say "detail"). `detail_files`:
    more detail files of the month (a month spread over several files); `source`: the profile that
    says how the call-detail files are written (a platform's export), None for our own headers.
    Without `call_ids`, the calls may have no 呼叫流水号 (see kpi.detail.source.ReadOptions).
    """
    summary, data, problems = _read(
        path, rules, display, expect_month, use_detail, progress, detail_files, source, limits, call_ids
    )
    notices = tuple(summary_notices(summary))
    if problems:
        return Assessment(tuple(summary), (), tuple(problems), notices=notices)
    records, detail, problems = with_detail(summary, data, rules, progress, month, display or Path(path).name)
    if problems:
        return Assessment(tuple(records), (), problems, detail, notices)
    return Assessment(tuple(records), score_all(records, rules, month, vendor), (), detail, notices)


def _read(
    path: str | Path,
    rules: Rulebook,
    display: str | None,
    expect_month: str | None,
    use_detail: bool,
    progress: Progress | None,
    detail_files: Sequence[str | Path],
    source: SourceProfile | None = None,
    limits: Limits = DEFAULT_LIMITS,
    call_ids: bool = True,
) -> tuple[list[VendorMonth], DetailData | None, list[Problem] | tuple[Problem, ...]]:
    options = read_options(rules, source, limits, call_ids)
    with ThreadPoolExecutor(max_workers=1) as pool:  # openpyxl reads the summary while fastexcel
        pending = pool.submit(read_summary, path, display, month=expect_month)  # (GIL released)
        data = read_detail_sheets(path, progress, detail_files, options) if use_detail else None
        records, problems = pending.result()
    return records, data, problems or rulebook_applies(records, rules, display or Path(path).name)


def assess_readings(
    path: str | Path,
    rules: Rulebook,
    month: str | None = None,
    vendor: str | None = None,
    use_detail: bool = True,
    progress: Progress | None = None,
    detail_files: Sequence[str | Path] = (),
    source: SourceProfile | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Assessment, tuple[ReadingRow, ...]]:
    """The assessment, and the chosen vendor-months scored under each reading of the rulebook's
    contested clauses (`kpi.scoring.readings`); no rows when the assessment has problems."""
    summary, data, problems = _read(
        path, rules, None, None, use_detail, progress, detail_files, source, limits
    )
    notices = tuple(summary_notices(summary))
    if problems:
        return Assessment(tuple(summary), (), tuple(problems), notices=notices), ()
    records, detail, problems = with_detail(summary, data, rules, progress, month, Path(path).name)
    if problems:
        return Assessment(tuple(records), (), problems, detail, notices), ()
    cards = score_all(records, rules, month, vendor)
    rows = readings_of(cards, summary, records, data, rules, month, vendor)
    return Assessment(tuple(records), cards, (), detail, notices), rows


def readings_of(
    cards: Sequence[Scorecard],
    summary: Sequence[VendorMonth],
    records: Sequence[VendorMonth],
    data: DetailData | None,
    rules: Rulebook,
    month: str | None = None,
    vendor: str | None = None,
) -> tuple[ReadingRow, ...]:
    """`reading_rows` of the rulebook's own `cards` (of `records`, the summary's records taking the
    detail's figures): scored again under each reading, the detail (`data`) measured again from the
    `summary` records when the reading changes the rulebook's [detail]."""
    measured = {rules.detail: tuple(records)}

    def rescore(altered: Rulebook) -> tuple[Scorecard, ...]:
        if altered.detail not in measured:
            records, _, problems = with_detail(summary, data, altered, None, month)
            if problems:  # the same data measured another way: a problem here is a bug
                raise RuntimeError(f"detail re-measured under a reading has problems: {problems}")
            measured[altered.detail] = records
        return score_all(measured[altered.detail], altered, month, vendor)

    used_detail = any(v == "detail" for c in cards for _, v in c.sources)
    return reading_rows(cards, rules, rescore, with_detail=used_detail)


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
    zeroed = [p for measure in run.months for p in zeroed_vendors(records, measure, file)]
    if zeroed:
        return tuple(records), run, tuple(zeroed)
    for measure in run.months:
        records = apply_detail(records, measure)
    return tuple(records), run, ()


def score_all(
    records: Sequence[VendorMonth], rules: Rulebook, month: str | None = None, vendor: str | None = None
) -> tuple[Scorecard, ...]:
    """The scorecards of the chosen records, by month then vendor."""
    chosen = select(list(records), month, vendor)
    return tuple(score(r, rules) for r in sorted(chosen, key=lambda r: (r.month, r.vendor)))
