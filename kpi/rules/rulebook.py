"""The rulebook: the contract as data (TOML), loaded into frozen records and checked before use.

The schema is closed: an unknown key is an error naming it. After the shape is checked, a list of
small named rules (`kpi.rules.checks`) checks the meaning (curve order, categories, weights …). Every problem
is collected and raised together as one `RulebookError`.

Longer than ~250 lines because each record type sits beside the function that builds it from the
checked TOML, so a new rulebook key is added in one place; the checks themselves are in `schema`/`checks`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path

from kpi.errors import InputError, Problem
from kpi.rules import checks, schema

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


@dataclass(frozen=True)
class Curve:
    """A straight-line curve through `points` (ascending x); None at an end means clamp."""

    points: tuple[tuple[Fraction, Fraction], ...]
    below: Fraction | None
    above: Fraction | None


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
    ratio: Ratio | None = None
    curve: Curve | None = None


@dataclass(frozen=True)
class SettlementRule:
    mode: str  # "linear" | "bands"
    bands: tuple[tuple[Fraction, Fraction], ...]  # (min_score, coefficient), descending
    payout_floor: Decimal


@dataclass(frozen=True)
class DetailRules:
    repeat_window_minutes: int
    repeat_anchor: str
    test_numbers: frozenset[str]
    min_talk_seconds: int
    new_agent_months: int


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

    def category(self, category_id: str) -> Category:
        return next(c for c in self.categories if c.id == category_id)

    def metric(self, metric_id: str) -> Metric:
        return next(m for m in self.metrics if m.id == metric_id)


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """Load and check a rulebook; the packaged default when `path` is None."""
    if path is None:
        text = resources.files("kpi.rules").joinpath(DEFAULT_RULEBOOK).read_text("utf-8")
        return parse_rulebook(text, source=f"kpi/rules/{DEFAULT_RULEBOOK}")
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise RulebookError([Problem("找不到规则本文件", file=str(path))]) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise RulebookError(
            [Problem(f"无法读取规则本（应为 UTF-8 编码的 TOML 文件）：{exc}", file=str(path))]
        ) from None
    return parse_rulebook(text, source=path.name)


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
    problems = schema.check_shape(data, source)
    if not problems:
        problems = checks.check_rules(data, source)
    if problems:
        raise RulebookError(problems)
    return _build(data, source)


# ------------------------------------------------------------------ building records from checked data
def _n(value: object) -> Fraction:
    return Fraction(str(value).strip())


def _end(value: object) -> Fraction | None:
    return None if value in (None, "clamp") else _n(value)


def _ratio(d: dict) -> Ratio:
    return Ratio(tuple(d["numerator"]), tuple(d["denominator"]), _n(d.get("scale", 1)), d.get("unit", ""))


def _curve(d: dict) -> Curve | None:
    if not d.get("curve"):
        return None
    points = tuple((_n(x), _n(p)) for x, p in d["curve"])
    return Curve(points, _end(d.get("below", "clamp")), _end(d.get("above", "clamp")))


def _metric(d: dict) -> Metric:
    kind = d.get("kind", "ratio")
    exam = None
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
        not_assessed_when_zero=tuple(d.get("not_assessed_when_zero", default_zero)),
        ratio=_ratio(d) if kind == "ratio" else None,
        direction=d.get("direction", ""),
        curve=_curve(d),
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
        ratio=_ratio(d) if "numerator" in d else None,
        curve=_curve(d),
    )


def _build(data: dict, source: str) -> Rulebook:
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
            Category(x["id"], x["label"], _n(x["weight"]), x.get("scale_to_weight", True))
            for x in data["categories"]
        ),
        metrics=tuple(_metric(m) for m in data["metrics"]),
        adjustments=tuple(_adjustment(a) for a in data.get("adjustments", [])),
        settlement=SettlementRule(
            s["mode"],
            tuple((_n(b["min_score"]), _n(b["coefficient"])) for b in s.get("bands", [])),
            Decimal(str(s.get("payout_floor", 0)).strip()),
        ),
        detail=DetailRules(
            det["repeat_window_minutes"],
            det["repeat_anchor"],
            frozenset(str(t).strip() for t in det["test_numbers"]),
            det["min_talk_seconds"],
            det["new_agent_months"],
        ),
        source=source,
    )
