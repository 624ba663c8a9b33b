"""Loading a workbook and a rulebook into scorecards, for the app; cached by content.

The pure functions (`read_workbook`, `parse_rules`, `assess_bytes`) hold no Streamlit and are what
the tests call. The `cached_*` wrappers are keyed on the SHA-256 of the file's bytes and the
rulebook's text, so switching pages, vendors or months reuses the first load.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd
import streamlit as st

from kpi.detail.repeats import agents_frame
from kpi.detail.run import detail_bytes
from kpi.errors import InputError, Problem
from kpi.pipeline import rulebook_applies, score_all, with_detail
from kpi.records import VendorMonth
from kpi.reports.reconciliation import reconciliation_frame
from kpi.rules.rulebook import DEFAULT_RULEBOOK, Rulebook, parse_rulebook
from kpi.scoring.scorecard import Scorecard
from kpi.summary.reader import read_summary_bytes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "monthly_2024H1.xlsx"
SAMPLE_LABEL = "示例数据"
DEFAULT_RULES_SOURCE = f"kpi/rules/{DEFAULT_RULEBOOK}"


def default_rules_text() -> str:
    return resources.files("kpi.rules").joinpath(DEFAULT_RULEBOOK).read_text("utf-8")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Loaded:
    """One workbook under one rulebook: what was read, the scorecards, and every problem found."""

    file: str
    digest: str
    rules: Rulebook | None
    records: tuple[VendorMonth, ...] = ()
    cards: tuple[Scorecard, ...] = ()
    problems: tuple[Problem, ...] = ()  # the workbook's
    rule_problems: tuple[Problem, ...] = ()  # the rulebook's
    agents: pd.DataFrame | None = field(default=None, compare=False)  # per-agent call detail, if any
    reconciliation: pd.DataFrame | None = field(default=None, compare=False)  # detail vs summary, if any

    @property
    def ok(self) -> bool:
        return self.rules is not None and not self.problems and not self.rule_problems and bool(self.cards)

    @property
    def months(self) -> list[str]:
        return sorted({c.month for c in self.cards})

    @property
    def vendors(self) -> list[str]:
        return sorted({c.vendor for c in self.cards})

    def month_cards(self, month: str) -> list[Scorecard]:
        return [c for c in self.cards if c.month == month]

    def card(self, vendor: str, month: str) -> Scorecard | None:
        return next((c for c in self.cards if c.vendor == vendor and c.month == month), None)

    def record(self, vendor: str, month: str) -> VendorMonth | None:
        return next((r for r in self.records if r.vendor == vendor and r.month == month), None)

    def previous_month(self, month: str) -> str | None:
        earlier = [m for m in self.months if m < month]
        return earlier[-1] if earlier else None


# ------------------------------------------------------------------ pure steps
def parse_rules(text: str, source: str) -> tuple[Rulebook | None, tuple[Problem, ...]]:
    try:
        return parse_rulebook(text, source), ()
    except InputError as exc:
        return None, exc.problems


def decode_rules(data: bytes, name: str) -> tuple[str | None, tuple[Problem, ...]]:
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        return None, (Problem("规则本不是 UTF-8 编码的文本", file=name, expected="UTF-8 编码的 TOML 文件"),)


def read_workbook(data: bytes, name: str) -> tuple[tuple[VendorMonth, ...], tuple[Problem, ...]]:
    """The validated summary rows of an uploaded workbook; a file that cannot be read is a problem."""
    try:
        records, problems = read_summary_bytes(data, name)  # sniffs the format, refuses hostile files
    except Exception as exc:  # noqa: BLE001 - a reader failure on a user's file is reported, not raised
        return (), (
            Problem(
                f"无法读取文件（{type(exc).__name__}）", file=name, expected="完好的 .xlsx 或 .csv 工作簿"
            ),
        )
    return tuple(records), tuple(problems)


DetailParts = tuple[tuple[VendorMonth, ...], pd.DataFrame | None, pd.DataFrame | None, tuple[Problem, ...]]


Uploads = tuple[tuple[bytes, str], ...]  # extra detail files: (bytes, name)


def read_detail_part(
    data: bytes, name: str, rules: Rulebook, records: tuple[VendorMonth, ...], extra: Uploads = ()
) -> DetailParts:
    """The records taking the call detail's figures (as `kpi score` does), the per-agent table and the
    reconciliation with the summary, plus the detail's problems; the records unchanged and no tables
    when the workbook has no detail sheets (话务明细, 坐席名册, 考试成绩)."""
    try:
        found = detail_bytes(data, name, extra=extra)
    except Exception as exc:  # noqa: BLE001 - a reader failure on a user's file is reported, not raised
        return records, None, None, (Problem(f"无法读取话务明细（{type(exc).__name__}）", file=name),)
    records, run, problems = with_detail(records, found, rules, file=name)
    if run is None or problems:
        return records, None, None, problems
    agents = agents_frame(run.measure.agents) if found.calls is not None else None
    return records, agents, reconciliation_frame(run.reconciliation), ()


def assess_bytes(
    data: bytes, name: str, rules_text: str, rules_source: str = DEFAULT_RULES_SOURCE, extra: Uploads = ()
) -> Loaded:
    """Read, validate and score a workbook given as bytes, with any extra detail files (no caching)."""
    rules, rule_problems = parse_rules(rules_text, rules_source)
    records, problems = read_workbook(data, name)
    if rules is not None:
        problems = problems or rulebook_applies(records, rules, name)
    agents = reconciliation = None
    if rules is not None and not problems:
        records, agents, reconciliation, problems = read_detail_part(data, name, rules, records, extra)
    cards = score_all(records, rules) if rules is not None and not problems else ()
    return Loaded(name, digest(data), rules, records, cards, problems, rule_problems, agents, reconciliation)


# ------------------------------------------------------------------ cached steps (keyed on content)
@st.cache_data(show_spinner=False, max_entries=16)
def cached_rules(text: str, source: str) -> tuple[Rulebook | None, tuple[Problem, ...]]:
    return parse_rules(text, source)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_read(key: str, name: str, _data: bytes) -> tuple[tuple[VendorMonth, ...], tuple[Problem, ...]]:
    return read_workbook(_data, name)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_score(
    key: str, name: str, rules_text: str, rules_source: str, _records: tuple[VendorMonth, ...]
) -> tuple[Scorecard, ...]:
    rules, _ = parse_rules(rules_text, rules_source)
    return score_all(_records, rules)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_detail(
    key: str,
    name: str,
    rules_text: str,
    rules_source: str,
    _data: bytes,
    _records: tuple[VendorMonth, ...],
    _extra: Uploads = (),
) -> DetailParts:
    """`read_detail_part` under the given rulebook (its [detail] settings and repeat curve).

    The agents frame has columns agent_id, vendor, connected_calls, repeat_2h_calls, valid_calls,
    expert_transfers, not_judgeable, rate (exact ratio), points."""
    rules, _ = parse_rules(rules_text, rules_source)
    return read_detail_part(_data, name, rules, _records, _extra)
