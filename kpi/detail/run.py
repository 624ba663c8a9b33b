"""The detail step of a run: read the detail sheets of a workbook, measure them with the rulebook's
[detail] settings and repeat curve, and reconcile them with the summary records.

`kpi.pipeline.assess` calls `run_detail` when a workbook has detail sheets; the CLI's `reconcile`
and `agents` commands and the app call it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from kpi.detail.measure import DetailMeasure, measure_detail
from kpi.detail.reader import (
    DetailData,
    detail_sheets,
    is_workbook,
    read_detail,
    read_detail_bytes,
    read_detail_uploads,
)
from kpi.detail.reconcile import ReconcileRow, reconcile, unknown_vendors
from kpi.detail.repeats import DetailSettings, covered_months
from kpi.detail.source import ReadOptions, SourceProfile
from kpi.errors import Problem
from kpi.files.safety import DEFAULT_LIMITS, Limits
from kpi.money import round_half_up
from kpi.progress import Progress
from kpi.records import VendorMonth
from kpi.rules.curves import points_at
from kpi.rules.rulebook import Rulebook

REPEAT_METRIC = "repeat_2h"


def detail_settings(rules: Rulebook) -> DetailSettings:
    return rules.detail


def read_options(
    rules: Rulebook,
    source: SourceProfile | None = None,
    limits: Limits = DEFAULT_LIMITS,
    call_ids: bool = True,
) -> ReadOptions:
    """How call detail is read under a rulebook: its time zone and clock skew, the source profile, the
    limits of what a detail file may hold (rows: kpi … --max-rows, the app's KPI_MAX_ROWS), and
    whether the calls' 呼叫流水号 are wanted (see ReadOptions)."""
    return ReadOptions(source, rules.detail.timezone, rules.detail.clock_skew_seconds, limits, call_ids)


def repeat_points(rules: Rulebook) -> Callable[[Fraction], Decimal] | None:
    """Points a repeat rate (a ratio: 0.155 for 15.5%) earns on the rulebook's repeat curve."""
    metric = next((m for m in rules.metrics if m.id == REPEAT_METRIC), None)
    if metric is None or metric.curve is None or metric.ratio is None:
        return None
    curve, scale, places = metric.curve, metric.ratio.scale, rules.points_places
    return lambda rate: round_half_up(points_at(curve, rate * scale), places)


@dataclass(frozen=True)
class DetailRun:
    data: DetailData
    measure: DetailMeasure | None  # None when the detail had problems; the last month measured
    reconciliation: tuple[ReconcileRow, ...] = ()
    measures: tuple[DetailMeasure, ...] = ()  # every month measured (a file may hold several)

    @property
    def months(self) -> tuple[DetailMeasure, ...]:
        return self.measures or ((self.measure,) if self.measure is not None else ())

    @property
    def notices(self) -> tuple[str, ...]:
        """What the reader and the measure say beside the figures: clock skew, partly covered months."""
        partial = tuple(m.partial_note for m in self.months if m.partial_note)
        return self.data.notices + partial

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.data.problems

    @property
    def flagged(self) -> tuple[ReconcileRow, ...]:
        return tuple(r for r in self.reconciliation if r.flagged)


def _month(data: DetailData, records: Sequence[VendorMonth], month: str | None) -> str | None:
    """The calls' month; without calls, the asked month or the summary's latest."""
    if month or data.calls is not None:
        return month
    months = sorted({r.month for r in records})
    return months[-1] if months else None


def several_months(data: DetailData, months: Sequence[str]) -> Problem:
    return Problem(
        f"话务明细含 {len(months)} 个月的呼叫（{'、'.join(months)}），一次只核算一个月",
        file="、".join(data.sources),
        sheet="话务明细",
        expected="按月分开的明细，或用 --month 指定要核算的月份",
    )


def read_detail_sheets(
    path: str | Path,
    progress: Progress | None = None,
    extra: Sequence[str | Path] = (),
    options: ReadOptions | None = None,
) -> DetailData | None:
    """The workbook's detail sheets (or a detail CSV file), read; None when it has none.

    `extra`: more detail files (workbooks or CSV) of the same month — a month spread over several
    files — read together with the workbook's own detail sheets."""
    if extra:
        own = [Path(path)] if is_workbook(path) and detail_sheets(path) else []
        return read_detail([*own, *map(Path, extra)], progress=progress, options=options)
    if is_workbook(path):
        return read_detail(path, progress=progress, options=options) if detail_sheets(path) else None
    data = read_detail(path, progress=progress, options=options)
    if options is not None and options.source is not None and data.problems:
        return data  # a platform export read through a profile: its problems are the answer
    return data if any(t is not None for t in (data.calls, data.roster, data.exam)) else None


def detail_bytes(
    data: bytes,
    name: str,
    progress: Progress | None = None,
    extra: Sequence[tuple[bytes, str]] = (),
    options: ReadOptions | None = None,
) -> DetailData | None:
    """As read_detail_sheets, on an uploaded file's bytes, with any `extra` uploaded detail files."""
    if extra:
        own = [(data, name)] if is_workbook(data) and detail_sheets(data, name) else []
        return read_detail_uploads([*own, *extra], progress=progress, options=options)
    if is_workbook(data):
        if not detail_sheets(data, name):
            return None
        return read_detail_bytes(data, name, progress=progress, options=options)
    found = read_detail_bytes(data, name, progress=progress, options=options)
    return found if any(t is not None for t in (found.calls, found.roster, found.exam)) else None


def finish_detail(
    data: DetailData,
    rules: Rulebook,
    records: Sequence[VendorMonth] = (),
    month: str | None = None,
    progress: Progress | None = None,
    every_month: bool = True,
) -> DetailRun:
    """Measure read detail with the rulebook's settings and reconcile it with the summary records.

    Calls covering several months are measured month by month (each month's re-entries may run into
    the next); with `every_month` False (a per-agent table is one month) they need `month`."""
    if data.problems:
        return DetailRun(data, None)
    month = _month(data, records, month)
    months: list[str | None] = [month]
    if data.calls is not None:
        covered = covered_months(data.calls, rules.detail.repeat_window_minutes)
        if month not in covered:  # none asked, or the asked month is not in the calls: use theirs
            months = [None]
            if len(covered) > 1 and not every_month:
                return DetailRun(replace(data, problems=(several_months(data, covered),)), None)
            if len(covered) > 1:
                months = list(covered)
    tables = {"话务明细": data.calls, "坐席名册": data.roster, "考试成绩": data.exam}
    settings, points = detail_settings(rules), repeat_points(rules)
    measures, rows = [], []
    for each in months:
        strangers = unknown_vendors(tables, records, each)
        if strangers:
            return DetailRun(replace(data, problems=tuple(strangers)), None)
        measure = measure_detail(data, each, settings, points, progress)
        measures.append(measure)
        rows += reconcile(records, measure)
    return DetailRun(data, measures[-1], tuple(rows), tuple(measures))


def run_detail(
    path: str | Path,
    rules: Rulebook,
    records: Sequence[VendorMonth] = (),
    month: str | None = None,
    progress: Progress | None = None,
    extra: Sequence[str | Path] = (),
    source: SourceProfile | None = None,
    every_month: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    call_ids: bool = True,
) -> DetailRun | None:
    """Read, measure and reconcile a workbook's detail sheets (or a detail CSV, and any `extra` detail
    files, read through the `source` profile); None when there is no detail. Without `call_ids`,
    the calls may have no 呼叫流水号 (see kpi.detail.source.ReadOptions)."""
    data = read_detail_sheets(path, progress, extra, read_options(rules, source, limits, call_ids))
    return None if data is None else finish_detail(data, rules, records, month, progress, every_month)
