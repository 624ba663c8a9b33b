"""Loading a workbook and a rulebook into scorecards, for the app; cached by content.

The pure functions (`read_workbook`, `parse_rules`, `assess_bytes`) hold no Streamlit and are what
the tests call. The `cached_*` wrappers are keyed on the SHA-256 of the file's bytes and the
rulebook's text, so switching pages, vendors or months reuses the first load.

Over ~250 lines: every cached loader of the app (workbook, detail, scoring, readings, source
profiles, history) sits here, so that what is cached and on which key is visible in one place.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from dashboard import worker
from dashboard.views.cycle import history_frame
from dashboard.views.provenance import Provenance, provenance
from kpi.access.scope import Scope
from kpi.detail.repeats import agents_frame
from kpi.detail.run import detail_bytes, read_options
from kpi.detail.source import SourceError, SourceProfile, builtin_names, parse_source
from kpi.errors import InputError, Problem
from kpi.files.safety import DEFAULT_LIMITS, Limits
from kpi.history.store import DEFAULT_DB, HistoryError, open_store, reading
from kpi.history.versions import audit_head_hash, standing_cards
from kpi.pipeline import readings_of, rulebook_applies, score_all, with_detail
from kpi.records import VendorMonth
from kpi.reports.reconciliation import reconciliation_frame
from kpi.rules.rulebook import DEFAULT_RULEBOOK, Rulebook, parse_rulebook
from kpi.scoring.readings import ReadingRow
from kpi.scoring.scorecard import Scorecard
from kpi.summary.reader import read_summary_bytes, summary_notices

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "monthly_2024H1.xlsx"
SAMPLE_LABEL = "示例数据"
DEFAULT_RULES_SOURCE = f"kpi/rules/{DEFAULT_RULEBOOK}"
Uploads = tuple[tuple[bytes, str], ...]  # extra detail files: (bytes, name)


def default_rules_text() -> str:
    return resources.files("kpi.rules").joinpath(DEFAULT_RULEBOOK).read_text("utf-8")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def uploads_key(key: str, extra: Uploads) -> str:
    """The cache key of a workbook with extra detail files: each file's name and content count, so two
    sessions uploading the same bytes under different names never share a result (names are shown)."""
    if not extra:
        return key
    parts = [key, *(f"{len(name.encode('utf-8'))}:{name}:{digest(data)}" for data, name in extra)]
    return digest("\n".join(parts).encode("utf-8"))


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
    notices: tuple[str, ...] = ()  # the workbook's, said though nothing is wrong (a total row skipped …)
    provenance: Provenance | None = None  # set when figures came from the call detail
    detail_notices: tuple[
        str, ...
    ] = ()  # the call detail's (clock skew taken as such, partly covered months)

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


DetailParts = tuple[
    tuple[VendorMonth, ...],
    pd.DataFrame | None,
    pd.DataFrame | None,
    tuple[Problem, ...],
    Provenance | None,
    tuple[str, ...],
]
Source = tuple[str, str]  # a source profile: (name, TOML text); ("", "") for our own headers


def builtin_source(name: str) -> Source:
    return name, resources.files("kpi.detail.sources").joinpath(f"{name}.toml").read_text("utf-8")


def source_profile(source: Source) -> tuple[SourceProfile | None, tuple[Problem, ...]]:
    name, text = source
    if not text:
        return None, ()
    try:
        return parse_source(text, name), ()
    except SourceError as exc:
        return None, exc.problems


BUILTIN_SOURCES = builtin_names()


Uploads = tuple[tuple[bytes, str], ...]  # extra detail files: (bytes, name)


def detail_limits() -> Limits:
    """What one detail file may hold: the default rows, or the environment variable KPI_MAX_ROWS (a
    whole number) set where the app is started; an unreadable value keeps the default."""
    text = os.environ.get("KPI_MAX_ROWS", "").replace(",", "").replace("_", "").strip()
    return replace(DEFAULT_LIMITS, max_rows=int(text)) if text.isdigit() and int(text) > 0 else DEFAULT_LIMITS


def read_detail_part(
    data: bytes,
    name: str,
    rules: Rulebook,
    records: tuple[VendorMonth, ...],
    extra: Uploads = (),
    source: Source = ("", ""),
) -> DetailParts:
    """The records taking the call detail's figures (as `kpi score` does), the per-agent table and the
    reconciliation with the summary, plus the detail's problems; the records unchanged and no tables
    when the workbook has no detail sheets (话务明细, 坐席名册, 考试成绩)."""
    profile, problems = source_profile(source)
    if problems:
        return records, None, None, problems, ()
    try:
        found = detail_bytes(data, name, extra=extra, options=read_options(rules, profile, detail_limits()))
    except Exception as exc:  # noqa: BLE001 - a reader failure on a user's file is reported, not raised
        return (
            records,
            None,
            None,
            (Problem(f"无法读取话务明细（{type(exc).__name__}）", file=name),),
            None,
            (),
        )
    records, run, problems = with_detail(records, found, rules, file=name)
    if run is None or problems:
        return records, None, None, problems, None, ()
    agents = agents_frame(run.measure.agents) if found.calls is not None else None
    return records, agents, reconciliation_frame(run.reconciliation), (), provenance(run), run.notices


def assess_bytes(
    data: bytes,
    name: str,
    rules_text: str,
    rules_source: str = DEFAULT_RULES_SOURCE,
    extra: Uploads = (),
    source: Source = ("", ""),
) -> Loaded:
    """Read, validate and score a workbook given as bytes, with any extra detail files (no caching)."""
    rules, rule_problems = parse_rules(rules_text, rules_source)
    records, problems = read_workbook(data, name)
    notices = tuple(summary_notices(records))
    if rules is not None:
        problems = problems or rulebook_applies(records, rules, name)
    agents = reconciliation = origin = None
    detail_notices: tuple[str, ...] = ()
    if rules is not None and not problems:
        records, agents, reconciliation, problems, origin, detail_notices = read_detail_part(
            data, name, rules, records, extra, source
        )
    cards = score_all(records, rules) if rules is not None and not problems else ()
    return Loaded(
        file=name,
        digest=digest(data),
        rules=rules,
        records=records,
        cards=cards,
        problems=problems,
        rule_problems=rule_problems,
        agents=agents,
        reconciliation=reconciliation,
        notices=notices,
        provenance=origin,
        detail_notices=detail_notices,
    )


# ------------------------------------------------------------------ cached steps (keyed on content)
# Each runs in a child process under the load's deadline (dashboard.worker); a timeout or a crashed
# child raises, so it is never cached, and the app reports it as a problem of the upload.
@st.cache_data(show_spinner=False, max_entries=16)
def cached_rules(text: str, source: str) -> tuple[Rulebook | None, tuple[Problem, ...]]:
    return parse_rules(text, source)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_read(
    key: str, name: str, _data: bytes, _deadline: worker.Deadline | None = None
) -> tuple[tuple[VendorMonth, ...], tuple[Problem, ...]]:
    return worker.run_limited(read_workbook, _data, name, deadline=_deadline)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_score(
    key: str,
    name: str,
    rules_text: str,
    rules_source: str,
    _records: tuple[VendorMonth, ...],
    _deadline: worker.Deadline | None = None,
) -> tuple[Scorecard, ...]:
    return worker.run_limited(score_text, _records, rules_text, rules_source, deadline=_deadline)


def score_text(records: tuple[VendorMonth, ...], rules_text: str, rules_source: str) -> tuple[Scorecard, ...]:
    rules, _ = parse_rules(rules_text, rules_source)
    return score_all(records, rules)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_detail(
    key: str,
    name: str,
    rules_text: str,
    rules_source: str,
    _data: bytes,
    _records: tuple[VendorMonth, ...],
    _extra: Uploads = (),
    _deadline: worker.Deadline | None = None,
    source: Source = ("", ""),
) -> DetailParts:
    """`read_detail_part` under the given rulebook (its [detail] settings and repeat curve).

    The agents frame has columns agent_id, vendor, connected_calls, repeat_2h_calls, valid_calls,
    expert_transfers, not_judgeable, rate (exact ratio), points."""
    return worker.run_limited(
        detail_text, _data, name, rules_text, rules_source, _records, _extra, source, deadline=_deadline
    )


def detail_text(
    data: bytes,
    name: str,
    rules_text: str,
    rules_source: str,
    records: tuple[VendorMonth, ...],
    extra: Uploads,
    source: Source = ("", ""),
) -> DetailParts:
    rules, _ = parse_rules(rules_text, rules_source)
    return read_detail_part(data, name, rules, records, extra, source)


# ------------------------------------------------------------------ 评分卡 · 条款解读对得分的影响
def readings_bytes(
    data: bytes,
    name: str,
    rules_text: str,
    rules_source: str,
    month: str,
    extra: Uploads = (),
    source: Source = ("", ""),
) -> tuple[ReadingRow, ...]:
    """`kpi readings` for a month of a workbook given as bytes: every vendor, every reading, the call
    detail read through the chosen source profile; none when the workbook, the rulebook or the profile
    has problems (the pages show those already)."""
    rules, _ = parse_rules(rules_text, rules_source)
    profile, profile_problems = source_profile(source)
    summary, problems = read_workbook(data, name)
    if rules is None or problems or profile_problems or rulebook_applies(summary, rules, name):
        return ()
    try:
        found = detail_bytes(data, name, extra=extra, options=read_options(rules, profile, detail_limits()))
    except Exception:  # noqa: BLE001 - reported by the detail step already
        return ()
    records, _, problems = with_detail(summary, found, rules, None, month)
    if problems:
        return ()
    cards = score_all(records, rules, month)
    return readings_of(cards, summary, records, found, rules, month)


@st.cache_data(show_spinner="按各种解读重新计算…", max_entries=16)
def cached_readings(
    key: str,
    name: str,
    rules_text: str,
    rules_source: str,
    month: str,
    source: Source,
    _data: bytes,
    _extra: Uploads = (),
) -> tuple[ReadingRow, ...]:
    return readings_bytes(_data, name, rules_text, rules_source, month, _extra, source)


# ------------------------------------------------------------------ the history database (月度流程, 趋势, 总览)
def history_db() -> str | None:
    """The history database the app was configured with (environment variable KPI_DB), if any."""
    return os.environ.get("KPI_DB") or None


def cycle_db() -> str:
    """The database of the 月度流程 page: KPI_DB, else kpi.db in the working directory (as the CLI)."""
    return history_db() or DEFAULT_DB


@st.cache_resource(show_spinner=False, max_entries=4)
def history_engine(db: str) -> Engine:
    """One engine per database for the app's lifetime (raises HistoryError with a Chinese message)."""
    return open_store(db)


def history_head(db: str) -> str:
    with reading(history_engine(db)) as conn:
        return audit_head_hash(conn)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_history_frame(db: str, head: str) -> pd.DataFrame:
    """`views.cycle.history_frame` of the history (small to cache; the cards themselves are not)."""
    with reading(history_engine(db)) as conn:
        return history_frame(standing_cards(conn))


def history_standing(scope: Scope) -> pd.DataFrame | None:
    """The configured history as `history_frame`, only the rows of the vendors `scope` sees (None without
    KPI_DB, with no month or none of the scope's, or when it cannot be read: 月度流程 says why)."""
    db = history_db()
    if db is None:
        return None
    try:
        frame = cached_history_frame(db, history_head(db))
    except HistoryError:
        return None
    frame = frame[[scope.sees_vendor(str(v)) for v in frame["外包公司"]]] if not frame.empty else frame
    return frame.reset_index(drop=True) if not frame.empty else None
