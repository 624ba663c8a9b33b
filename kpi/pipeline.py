"""The whole run as one library call: workbook → validated vendor-months → scorecards.

The CLI and the app both call these; tests call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kpi.errors import Problem
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
) -> Assessment:
    """Read, validate and score a workbook; nothing is scored when the input has problems.

    `expect_month`: rows of any other month are problems (not merely left out, as with `month`)."""
    records, problems = read_summary(path, display, month=expect_month)
    if problems:
        return Assessment(tuple(records), (), tuple(problems))
    chosen = select(records, month, vendor)
    cards = tuple(score(r, rules) for r in sorted(chosen, key=lambda r: (r.month, r.vendor)))
    return Assessment(tuple(records), cards, ())
