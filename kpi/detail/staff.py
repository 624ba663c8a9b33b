"""MEASURE step for the roster (坐席名册) and the exam sheet (考试成绩): agents, new agents, exam."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from kpi.detail.repeats import month_bounds
from kpi.files.cells import excel_float


@dataclass(frozen=True)
class StaffFigures:
    """One vendor's roster and exam figures for a month (None when that sheet was not given)."""

    vendor: str
    agents_total: int | None = None
    new_agents: int | None = None
    exam_takers: int | None = None
    exam_average: Fraction | None = None  # None when nobody sat the exam
    exam_scores: tuple[Fraction, ...] | None = None


def exact_score(value: float) -> Fraction:
    """A score cell as an exact number, as Excel shows it (15 significant digits): 87.5 stays 87.5,
    84.99999999999999 is 85 (never binary)."""
    return excel_float(float(value))


def roster_counts(roster: pd.DataFrame, month: str, new_agent_months: int = 2) -> dict[str, tuple[int, int]]:
    """vendor → (agents on duty by the month's last day, of whom new: < `new_agent_months` at that day).

    An agent who started on 2024-04-30 has served exactly 2 months on 2024-06-30: not new.
    """
    _, end = month_bounds(month)
    last_day = end - pd.Timedelta(days=1)
    start = pd.to_datetime(roster["start_date"]).dt.normalize()
    on_duty = roster[start <= last_day]
    started = start[start <= last_day]
    new = started.apply(lambda d: d + pd.DateOffset(months=new_agent_months) > last_day)
    table = pd.DataFrame(
        {"vendor": on_duty["vendor"].astype(str), "agent": on_duty["agent_id"].astype(str), "new": new}
    )
    table = table.drop_duplicates(["vendor", "agent"])
    grouped = table.groupby("vendor", sort=True)["new"].agg(["size", "sum"])
    return {str(v): (int(r["size"]), int(r["sum"])) for v, r in grouped.iterrows()}


def exam_results(exam: pd.DataFrame) -> dict[str, tuple[Fraction, ...]]:
    """vendor → each taker's exact score, in sheet order."""
    out: dict[str, list[Fraction]] = {}
    for vendor, score in zip(exam["vendor"].astype(str), exam["score"], strict=True):
        out.setdefault(vendor, []).append(exact_score(score))
    return {v: tuple(s) for v, s in out.items()}


def staff_figures(
    roster: pd.DataFrame | None, exam: pd.DataFrame | None, month: str, new_agent_months: int = 2
) -> dict[str, StaffFigures]:
    """vendor → StaffFigures from whichever of the two sheets were given."""
    counts = roster_counts(roster, month, new_agent_months) if roster is not None else {}
    scores = exam_results(exam) if exam is not None else {}
    out = {}
    for vendor in sorted(set(counts) | set(scores)):
        agents, new = counts.get(vendor, (0, 0)) if roster is not None else (None, None)
        taken = scores.get(vendor, ()) if exam is not None else None
        average = sum(taken, Fraction(0)) / len(taken) if taken else None
        out[vendor] = StaffFigures(vendor, agents, new, None if taken is None else len(taken), average, taken)
    return out
