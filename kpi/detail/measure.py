"""MEASURE step, whole: the detail read by `kpi.detail.reader.read_detail` → per-vendor and per-agent figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from kpi.detail.coverage import coverage_gaps, coverage_note
from kpi.detail.reader import DetailData
from kpi.detail.repeats import (
    COUNTS,
    AgentRepeats,
    DetailSettings,
    agent_repeats,
    call_flags,
    default_settings,
    infer_month,
    vendor_repeat_customers,
)
from kpi.detail.staff import staff_figures
from kpi.progress import Progress, no_progress

# summary-sheet keys the detail can give, with their Chinese labels (the summary's headers)
DETAIL_KEYS = {
    "connected_calls": "接通量",
    "valid_calls": "有效话务量",
    "repeat_2h_calls": "2小时重复呼叫数",
    "expert_transfers": "转接专家席数",
    "agents_total": "座席总数",
    "exam_takers": "参考人数",
    "exam_average": "考试平均分",
}


@dataclass(frozen=True)
class VendorDetail:
    """One vendor's month as measured from the detail; None where the sheet needed was not given."""

    vendor: str
    month: str
    connected_calls: int | None = None
    repeat_2h_calls: int | None = None
    valid_calls: int | None = None
    expert_transfers: int | None = None
    not_judgeable: int | None = None
    agents_total: int | None = None
    new_agents: int | None = None
    exam_takers: int | None = None
    exam_average: Fraction | None = None
    exam_scores: tuple[Fraction, ...] | None = None
    has_calls: bool = False
    has_exam: bool = False

    @property
    def rate(self) -> Fraction | None:
        """2-hour repeat rate as a ratio (repeats / connected calls)."""
        return Fraction(self.repeat_2h_calls, self.connected_calls) if self.connected_calls else None

    def figures(self) -> dict[str, int | Fraction | None]:
        """The summary keys this detail gives (only those whose sheet was present)."""
        out: dict[str, int | Fraction | None] = {}
        if self.has_calls:
            out.update(
                {
                    k: getattr(self, k)
                    for k in ("connected_calls", "valid_calls", "repeat_2h_calls", "expert_transfers")
                }
            )
        if self.agents_total is not None:
            out["agents_total"] = self.agents_total
        if self.has_exam:
            out["exam_takers"] = self.exam_takers
            out["exam_average"] = self.exam_average
        return out


@dataclass(frozen=True)
class DetailMeasure:
    month: str
    vendors: tuple[VendorDetail, ...]
    agents: tuple[AgentRepeats, ...]
    data_end: pd.Timestamp | None = None
    test_calls: int = 0  # rows with a test number, left out of everything
    withheld_calls: int = 0  # connected calls of the month from an empty/withheld number
    not_judgeable: int = 0  # connected calls whose window runs past the data end, no re-entry found
    window_minutes: int | None = None  # the repeat window the measure used (the rulebook's)
    coverage: tuple[str, ...] = ()  # how the calls leave the month partly uncovered (kpi.detail.coverage)

    @property
    def partial_note(self) -> str | None:
        """One sentence naming a partly covered month; None when the calls cover it."""
        return coverage_note(self.month, self.coverage) if self.coverage else None

    def vendor(self, name: str) -> VendorDetail | None:
        return next((v for v in self.vendors if v.vendor == name), None)


def measure_detail(
    data: DetailData,
    month: str | None = None,
    settings: DetailSettings | None = None,
    points_for_rate: Callable[[Fraction], object] | None = None,
    progress: Progress | None = None,
) -> DetailMeasure:
    """Figures of one month per vendor and per agent. `month` defaults to the calls' main month."""
    report = progress or no_progress
    settings = settings or default_settings()
    calls = data.calls
    month = month or (infer_month(calls) if calls is not None and len(calls) else "")
    agents: tuple[AgentRepeats, ...] = ()
    extra: dict[str, object] = {}
    sums: dict[str, dict[str, int]] = {}
    if calls is not None and month:
        report("计算二小时重复呼叫", 0.0)
        flags = call_flags(calls, month, settings)
        report("计算二小时重复呼叫", 0.7)
        agents = agent_repeats(calls, flags, points_for_rate, settings.repeat_count)
        for a in agents:
            totals = sums.setdefault(a.vendor, dict.fromkeys(COUNTS, 0))
            for k in COUNTS:
                totals[k] += getattr(a, k)
        if settings.repeat_count == "customers":  # a caller counts once per vendor, not once per agent
            customers = vendor_repeat_customers(calls, flags)
            for vendor, totals in sums.items():
                totals["repeat_2h_calls"] = customers.get(vendor, 0)
        extra = {
            "data_end": flags.data_end,
            "test_calls": int(flags.test.sum()),
            "withheld_calls": int((flags.month_call & flags.withheld).sum()),
            "not_judgeable": int(flags.not_judgeable.sum()),
            "coverage": coverage_gaps(calls, month),
        }
        report("计算二小时重复呼叫", 1.0)
    staff = staff_figures(data.roster, data.exam, month, settings.new_agent_months) if month else {}
    vendors = []
    for vendor in sorted(set(sums) | set(staff)):
        s = staff.get(vendor)
        counts = sums.get(vendor, dict.fromkeys(COUNTS, 0)) if calls is not None else {}
        vendors.append(
            VendorDetail(
                vendor,
                month,
                **counts,
                agents_total=s.agents_total if s else (0 if data.roster is not None else None),
                new_agents=s.new_agents if s else (0 if data.roster is not None else None),
                exam_takers=s.exam_takers if s else (0 if data.exam is not None else None),
                exam_average=s.exam_average if s else None,
                exam_scores=s.exam_scores if s else (() if data.exam is not None else None),
                has_calls=calls is not None,
                has_exam=data.exam is not None,
            )
        )
    return DetailMeasure(
        month, tuple(vendors), agents, window_minutes=settings.repeat_window_minutes, **extra
    )
