"""Immutable records that flow between the steps (read → validate → measure → score → settle)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

Value = int | Fraction | None


@dataclass(frozen=True)
class VendorMonth:
    """One vendor's figures for one month, as validated from the summary sheet (or the detail).

    `inputs` maps the workbook's column keys (``connected_calls``, ``audit_pass_rate`` …) to exact
    values: counts as int, rates in percent (93.5 for 93.5%) and averages as Fraction, None for an
    optional blank. `sources` says, per key, where the figure came from ("summary" or "detail").
    """

    vendor: str
    month: str  # "YYYY-MM"
    inputs: Mapping[str, Value]
    sources: Mapping[str, str] = field(default_factory=dict)
    row: int | None = None  # Excel row of the summary line, for messages
    exam_scores: tuple[Fraction, ...] | None = None  # each taker's score, when the exam sheet is given
    notes: tuple[str, ...] = ()  # what the reader of the scorecard should know (e.g. calls not judgeable)
    sheet: str = ""  # the summary sheet's name as found, for messages
    not_held: frozenset[str] = frozenset()  # keys whose cell stated the thing was not held (考试 未组织)

    def get(self, key: str) -> Value:
        return self.inputs.get(key)
