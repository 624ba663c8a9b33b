"""What several pages share: the status colours and labels, money and value formats, a metric's status."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from kpi.money import round_half_up
from kpi.rules.rulebook import Metric
from kpi.scoring.scorecard import MetricScore

RED, AMBER, GREEN, GREY = "#d9534f", "#f0ad4e", "#5cb85c", "#c8c8c8"
STATUS_LABEL = {"red": "未达基准值", "amber": "基准值～目标值之间", "green": "达到目标值", "na": "未考核"}


_MARKUP = re.compile(r"([\\`*_{}\[\]()#!|~<>$:&^=\"'])")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])")
_SHORTCODE = re.compile(r":(?=[\w+/-]+:)")  # :smile: / :material/x: are expanded even when escaped
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(:)(?=//)|(?<=www)(\.)|(@)(?=\w)")  # GFM links bare URLs


def md(text: object) -> str:
    """User text (a vendor name, an agent id, a file name, a cell value) made inert for the elements
    that render Markdown (titles, captions, alerts, metric labels): every Markdown, LaTeX, colour and
    HTML character is backslash-escaped, so `[点我](https://…)` shows as typed and loads nothing; an
    invisible word joiner breaks what GFM would turn into a link or an icon even when escaped (bare
    URLs, www., e-mail addresses, :shortcodes:)."""
    flat = " ".join(str(text).splitlines())
    flat = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, _SHORTCODE.sub(":" + WORD_JOINER, flat))
    escaped = _MARKUP.sub(r"\\\1", flat)
    return _LINE_START.sub(lambda m: m.group(1) + re.sub(r"([-+.)])", r"\\\1", m.group(2)), escaped)


def wording(label: str) -> str:
    """The app's one word for an agent, 坐席 (the pages, 坐席工号, 坐席名册), also in the names of the
    inputs it shows: the summary's 座席总数 is accepted under both spellings and shown as 坐席总数.
    Quoted contract clauses keep their own wording (座席代表) and never pass through here."""
    return label.replace("座席", "坐席")


def money(value: Decimal) -> str:
    """Yuan as printed on the statement: thousands separators, two decimals (exact Decimal)."""
    return f"{value:,.2f}"


def signed(value: Decimal) -> str:
    return f"{'+' if value >= 0 else ''}{value:,.2f}"


def value_text(value: Fraction | None, unit: str, places: int = 2) -> str:
    return "—" if value is None else f"{round_half_up(value, places)}{unit}"


def baseline_points(rule: Metric) -> Fraction:
    """The points a metric earns at its baseline (the curve's worst point); 70% of the max otherwise."""
    if rule.curve is not None:
        return min(p for _, p in rule.curve.points)
    return rule.max_points * Fraction(7, 10)


def target_and_baseline(rule: Metric) -> tuple[Fraction, Fraction]:
    """A curve metric's target (the best point) and baseline (the worst point), in the value's unit."""
    xs = [x for x, _ in rule.curve.points]
    return (xs[0], xs[-1]) if rule.direction == "lower_better" else (xs[-1], xs[0])


def status(score: MetricScore, rule: Metric) -> str:
    """Red–amber–green by the value's band, as the 评分卡 bullets draw it: at or past the target green,
    between baseline and target (both included) amber, short of the baseline red — whatever points
    the curve gives there. Points below the baseline's (a failed gate) are red too. Metrics without a
    curve (the exam) go by points: full green, at least the baseline's points amber, less red."""
    if not score.assessed:
        return "na"
    floor = round_half_up(baseline_points(rule), 2)
    if rule.curve is not None and score.value is not None:
        if score.points < floor:
            return "red"
        target, baseline = target_and_baseline(rule)
        lower = rule.direction == "lower_better"
        if (score.value <= target) if lower else (score.value >= target):
            return "green"
        if (score.value <= baseline) if lower else (score.value >= baseline):
            return "amber"
        return "red"
    if score.points >= score.max_points:
        return "green"
    return "amber" if score.points >= floor else "red"


def change_text(change: Decimal, unit: str) -> str:
    """A rate's change as said in Chinese: percentage points (个百分点), not per cent."""
    sign = "+" if change > 0 else ""
    word = {"%": " 个百分点", "‱": " 个万分点"}.get(unit, unit)
    return f"{sign}{change}{word}"
