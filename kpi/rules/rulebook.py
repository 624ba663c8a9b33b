"""The rulebook: the contract as data (TOML), loaded into frozen records and checked before use.

The schema is closed: an unknown key is an error naming it. After the shape is checked, a list of
small named rules (`kpi.rules.checks`) checks the meaning (curve order, categories, weights …). Every problem
is collected and raised together as one `RulebookError`.

Longer than ~250 lines because each record type sits beside the function that builds it from the
checked TOML, so a new rulebook key is added in one place; the checks themselves are in `schema`/`checks`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path

from kpi.disk import read_capped
from kpi.errors import InputError, Problem
from kpi.rules import checks, schema
from kpi.rules.readings import Reading, apply_changes, build_readings, check_readings

DEFAULT_RULEBOOK = "default.toml"
NESTED_TOO_DEEP = f"表或数组嵌套过深（最多 {schema.MAX_DEPTH} 层，见默认规则本的结构）"


class RulebookError(InputError):
    """The rulebook file is broken; `problems` say where."""


@dataclass(frozen=True)
class Ratio:
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    scale: Fraction
    unit: str


EXTEND = "extend"


@dataclass(frozen=True)
class Curve:
    """A straight-line curve through `points` (ascending x). At an end: None = clamp, a number, or
    EXTEND = the end segment's line continued, kept within `bounds` (0 and the maximum)."""

    points: tuple[tuple[Fraction, Fraction], ...]
    below: Fraction | str | None
    above: Fraction | str | None
    bounds: tuple[Fraction, Fraction] | None = None


@dataclass(frozen=True)
class Gate:
    label: str
    ratio: Ratio
    operator: str
    threshold: Fraction
    points_if_failed: Fraction


@dataclass(frozen=True)
class ExamRule:
    takers: str
    agents: str
    average: str
    participation_min: Fraction
    participation_deduction: Fraction
    basis: str
    bands: tuple[tuple[Fraction, Fraction], ...]  # (below, deduct)
    no_takers: str = (
        "lowest_band"  # held, sat by nobody: "lowest_band" | "participation_only" | "not_assessed"
    )


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    category: str
    max_points: Fraction
    kind: str  # "ratio" | "exam"
    clause: str
    not_assessed_when_zero: tuple[str, ...]
    ratio: Ratio | None = None
    direction: str = ""
    curve: Curve | None = None
    gate: Gate | None = None
    exam: ExamRule | None = None


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    weight: Fraction
    scale_to_weight: bool
    not_assessed: str = "drop_from_max"  # a not-assessed metric: "drop_from_max" | "full" | "zero"


@dataclass(frozen=True)
class Adjustment:
    id: str
    label: str
    kind: str  # "per_count" | "below_rate" | "fee_percent" | "ratio_report"
    clause: str
    input: str = ""
    points_per_unit: Fraction = Fraction(0)
    threshold: Fraction = Fraction(0)
    points_per_point: Fraction = Fraction(0)
    shortfall: str = "proportional"
    percent_per_unit: Fraction = Fraction(0)
    fee_base: str = "base_fee"  # fee_percent taken from "base_fee" or "adjusted_fee"
    ratio: Ratio | None = None
    curve: Curve | None = None


@dataclass(frozen=True)
class SettlementRule:
    mode: str  # "linear" | "bands" | "curve"
    bands: tuple[tuple[Fraction, Fraction], ...]  # (min_score, coefficient), descending
    payout_floor: Decimal
    curve: Curve | None = None  # mode "curve": score → coefficient, extended above up to coefficient_max


@dataclass(frozen=True)
class DetailRules:
    repeat_window_minutes: int
    repeat_anchor: str
    test_numbers: frozenset[str]
    min_talk_seconds: int
    new_agent_months: int
    repeat_count: str = "calls"  # "calls": repeated calls; "customers": distinct callers who repeated
    timezone: str = "Asia/Shanghai"  # where times are read and months decided
    clock_skew_seconds: int = 0  # an answer this much before queue entry is taken as at queue entry
    same_queue_only: bool = False  # a re-entry counts only in the same queue
    reentry_must_connect: bool = False  # a re-entry counts only when it was connected
    exclude_transfers: bool = False  # a call that ended in a transfer is not a repeat's first call


@dataclass(frozen=True)
class Rulebook:
    name: str
    effective_month: str
    unit_price: Decimal
    unit_price_clause: str
    score_clause: str
    points_places: int
    money_places: int
    coefficient_places: int
    categories: tuple[Category, ...]
    metrics: tuple[Metric, ...]
    adjustments: tuple[Adjustment, ...]
    settlement: SettlementRule
    detail: DetailRules
    source: str
    readings: tuple[Reading, ...] = ()
    text: str = field(default="", compare=False, repr=False)  # the TOML, for `with_reading`
    dispute_days: int = 5  # [cycle]: calendar days the vendors have to dispute a published month

    def category(self, category_id: str) -> Category:
        return next(c for c in self.categories if c.id == category_id)

    def metric(self, metric_id: str) -> Metric:
        return next(m for m in self.metrics if m.id == metric_id)


MAX_RULEBOOK_BYTES = 1 << 20  # the default rulebook is 10 KB; a larger file is no rulebook


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """Load and check a rulebook; the packaged default when `path` is None."""
    if path is None:
        text = resources.files("kpi.rules").joinpath(DEFAULT_RULEBOOK).read_text("utf-8")
        return parse_rulebook(text, source=f"kpi/rules/{DEFAULT_RULEBOOK}")
    path = Path(path)
    data, problem = read_capped(path, str(path), MAX_RULEBOOK_BYTES, expected="TOML 格式的规则本文件")
    if problem is not None:
        if problem.message == "找不到文件":
            problem = Problem("找不到规则本文件", file=str(path))
        raise RulebookError([problem])
    try:
        text = data.decode("utf-8-sig")  # a BOM (Notepad's UTF-8) is accepted, as in the app
    except UnicodeDecodeError as exc:
        raise RulebookError(
            [Problem(f"无法读取规则本（应为 UTF-8 编码的 TOML 文件）：{exc}", file=str(path))]
        ) from None
    return parse_rulebook(text, source=path.name)


def rulebook_text(path: str | Path | None = None) -> str:
    """The rulebook's text as `load_rulebook` reads it (the packaged default when `path` is None),
    for fingerprints; call after `load_rulebook` succeeded on the same path."""
    if path is None:
        return resources.files("kpi.rules").joinpath(DEFAULT_RULEBOOK).read_text("utf-8")
    return Path(path).read_text("utf-8")


def parse_rulebook(text: str, source: str = "规则本") -> Rulebook:
    """Parse TOML text into a checked Rulebook, or raise RulebookError listing every problem."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise RulebookError([Problem(f"TOML 语法错误：{exc}", file=source)]) from None
    except RecursionError:
        raise RulebookError([Problem(NESTED_TOO_DEEP, file=source)]) from None
    except ValueError:  # an integer of more than 4,300 digits (Python's int conversion limit)
        raise RulebookError(
            [Problem("数字位数过多（整数超过 4,300 位）", file=source, expected="合理大小的数字")]
        ) from None
    deep = schema.too_deep(data)
    if deep:
        raise RulebookError([Problem(NESTED_TOO_DEEP, file=source, key=deep)])
    problems = _check(data, source)
    if not problems:
        problems = check_readings(data, source, _check)
    if problems:
        raise RulebookError(problems)
    return _build(data, source, text)


def _check(data: dict, source: str) -> list[Problem]:
    return schema.check_shape(data, source) or checks.check_rules(data, source)


def with_reading(rules: Rulebook, reading: Reading) -> Rulebook:
    """The rulebook with one reading's keys set (checked when the rulebook was loaded)."""
    data = apply_changes(tomllib.loads(rules.text, parse_float=Decimal), reading.changes)
    return _build(data, rules.source, rules.text, rules.readings)


def in_effect(rules: Rulebook, reading: Reading) -> bool:
    """Whether the rulebook already reads the clause this way (setting the keys changes nothing)."""
    return with_reading(rules, reading) == rules


# ------------------------------------------------------------------ building records from checked data
def _n(value: object) -> Fraction:
    return Fraction(str(value).strip())


def _end(value: object) -> Fraction | str | None:
    if value == EXTEND:
        return EXTEND
    return None if value in (None, "clamp") else _n(value)


def _ratio(d: dict) -> Ratio:
    return Ratio(tuple(d["numerator"]), tuple(d["denominator"]), _n(d.get("scale", 1)), d.get("unit", ""))


def _curve(d: dict, top: Fraction | None = None) -> Curve | None:
    """A metric's curve (`top` = its max points) or an adjustment's (bounds from its own points)."""
    if not d.get("curve"):
        return None
    points = tuple((_n(x), _n(p)) for x, p in d["curve"])
    ps = [p for _, p in points]
    bounds = (Fraction(0), top) if top is not None else (min(0, *ps), max(0, *ps))
    return Curve(points, _end(d.get("below", "clamp")), _end(d.get("above", "clamp")), bounds)


def _metric(d: dict) -> Metric:
    kind = d.get("kind", "ratio")
    exam = None
    # An exam's takers in not_assessed_when_zero: how rulebooks before exam.no_takers (users' copies, the
    # history database's) said no_takers = "not_assessed"; a stated no_takers wins.
    legacy_zero = d.get("not_assessed_when_zero", ())
    if kind == "exam":
        e = d["exam"]
        exam = ExamRule(
            e["takers"],
            e["agents"],
            e["average"],
            _n(e["participation_min"]),
            _n(e["participation_deduction"]),
            e["basis"],
            tuple((_n(b["below"]), _n(b["deduct"])) for b in e["bands"]),
            e.get("no_takers", "not_assessed" if e["takers"] in legacy_zero else "lowest_band"),
        )
    gate = None
    if "gate" in d:
        g = d["gate"]
        gate = Gate(
            g["label"], _ratio(g), g["operator"], _n(g["threshold"]), _n(g.get("points_if_failed", 0))
        )
    default_zero = tuple(d.get("denominator", ()))
    return Metric(
        id=d["id"],
        label=d["label"],
        category=d["category"],
        max_points=_n(d["max_points"]),
        kind=kind,
        clause=d["clause"],
        not_assessed_when_zero=tuple(
            k for k in d.get("not_assessed_when_zero", default_zero) if exam is None or k != exam.takers
        ),
        ratio=_ratio(d) if kind == "ratio" else None,
        direction=d.get("direction", ""),
        curve=_curve(d, _n(d["max_points"])),
        gate=gate,
        exam=exam,
    )


def _adjustment(d: dict) -> Adjustment:
    return Adjustment(
        id=d["id"],
        label=d["label"],
        kind=d["kind"],
        clause=d["clause"],
        input=d.get("input", ""),
        points_per_unit=_n(d.get("points_per_unit", 0)),
        threshold=_n(d.get("threshold", 0)),
        points_per_point=_n(d.get("points_per_point", 0)),
        shortfall=d.get("shortfall", "proportional"),
        percent_per_unit=_n(d.get("percent_per_unit", 0)),
        fee_base=d.get("fee_base", "base_fee"),
        ratio=_ratio(d) if "numerator" in d else None,
        curve=_curve(d),
    )


def _settlement(s: dict) -> SettlementRule:
    curve = None
    if s["mode"] == "curve":
        points = tuple((_n(x), _n(c)) for x, c in s["curve"])
        curve = Curve(points, None, EXTEND, (Fraction(0), _n(s["coefficient_max"])))
    return SettlementRule(
        s["mode"],
        tuple((_n(b["min_score"]), _n(b["coefficient"])) for b in s.get("bands", [])),
        Decimal(str(s.get("payout_floor", 0)).strip()),
        curve,
    )


def _build(data: dict, source: str, text: str = "", readings: tuple[Reading, ...] | None = None) -> Rulebook:
    c, r, s, det = data["contract"], data["rounding"], data["settlement"], data["detail"]
    return Rulebook(
        name=c["name"],
        effective_month=c["effective_month"],
        unit_price=Decimal(str(c["unit_price"]).strip()),
        unit_price_clause=c.get("unit_price_clause", ""),
        score_clause=c.get("score_clause", ""),
        points_places=r["points_places"],
        money_places=r["money_places"],
        coefficient_places=r.get("coefficient_places", 4),
        categories=tuple(
            Category(
                x["id"],
                x["label"],
                _n(x["weight"]),
                x.get("scale_to_weight", True),
                x.get("not_assessed", "drop_from_max"),
            )
            for x in data["categories"]
        ),
        metrics=tuple(_metric(m) for m in data["metrics"]),
        adjustments=tuple(_adjustment(a) for a in data.get("adjustments", [])),
        settlement=_settlement(s),
        detail=DetailRules(
            det["repeat_window_minutes"],
            det["repeat_anchor"],
            frozenset(str(t).strip() for t in det["test_numbers"]),
            det["min_talk_seconds"],
            det["new_agent_months"],
            det.get("repeat_count", "calls"),
            det.get("timezone", "Asia/Shanghai"),
            det.get("clock_skew_seconds", 0),
            det.get("same_queue_only", False),
            det.get("reentry_must_connect", False),
            det.get("exclude_transfers", False),
        ),
        source=source,
        readings=build_readings(data) if readings is None else readings,
        text=text,
        dispute_days=data.get("cycle", {}).get("dispute_days", 5),
    )
