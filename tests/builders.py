"""Test builders: the spec's hand-computed scorecard, and small workbooks written by real writers."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import openpyxl

from kpi.inputs import SUMMARY_COLUMNS
from kpi.records import VendorMonth

# scoring-rules.md §3 "A whole scorecard, by hand": total 63.53, payout 4,459.05 元.
SPEC_EXAMPLE: dict[str, object] = {
    "month": "2024-05",
    "vendor": "甲公司",
    "valid_calls": 9800,
    "connected_calls": 10000,
    "repeat_2h_calls": 1550,
    "dial_tests": 100,
    "dial_tests_correct": 94,
    "monitored_calls": 50,
    "monitored_correct": 46,
    "dispatched_tickets": 60,
    "expert_transfers": 42,
    "service_complaints": 4,
    "tickets_created": 6000,
    "tickets_sampled": 200,
    "tickets_correct": 170,
    "dissatisfied_ratings": 40,
    "dissatisfied_callbacks": 36,
    "agents_total": 100,
    "exam_takers": 65,
    "exam_average": 72,
    "escalated_complaints": 2,
    "audit_pass_rate": "93.5%",
    "missing_audit_records": 2,
    "security_incidents": 1,
    "emergency_expected": None,
    "emergency_handled": None,
}


def vendor_month(**changes: object) -> VendorMonth:
    """The spec's example as a record, with some inputs changed."""
    inputs = {k: v for k, v in SPEC_EXAMPLE.items() if k not in ("month", "vendor")}
    inputs["audit_pass_rate"] = Fraction("93.5")
    inputs["exam_average"] = Fraction(72)
    inputs.update(changes)
    return VendorMonth("甲公司", "2024-05", inputs)


def write_summary(
    path: Path, rows: list[dict[str, object]], headers: list[str] | None = None, title: str | None = None
) -> Path:
    """A 月度指标 workbook written by openpyxl: Chinese headers unless `headers` says otherwise."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "月度指标"
    if title:
        sheet.append([title])
    keys = [c.key for c in SUMMARY_COLUMNS]
    sheet.append(headers or [c.header for c in SUMMARY_COLUMNS])
    for row in rows:
        sheet.append([row.get(k) for k in keys])
    book.save(path)
    return path
