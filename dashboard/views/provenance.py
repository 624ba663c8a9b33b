"""Where the figures came from: the banner on 总览 and 评分卡 when the call detail replaced what the
vendors declared (the summary sheet), and the count of calls that could not be judged, as `kpi score`
notes them under its table."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.views.common import wording
from kpi.detail.reconcile import show
from kpi.detail.run import DetailRun
from kpi.records import Value


@dataclass(frozen=True)
class Difference:
    """One figure where the call detail and the vendor's declaration (the summary) disagree."""

    vendor: str
    label: str  # the summary's header, e.g. 2小时重复呼叫数
    declared: str  # as printed: counts with thousands separators
    detail: str


@dataclass(frozen=True)
class Provenance:
    """A month's figures taken from the call detail: which, where they differ from the declaration,
    and how many connected calls could not be judged (their repeat window runs past the data's end)."""

    month: str
    labels: tuple[str, ...]
    differences: tuple[Difference, ...]
    not_judgeable: int
    window_minutes: int | None
    not_judgeable_by_vendor: tuple[tuple[str, int], ...] = ()


def _printed(value: Value) -> str:
    shown = show(value)
    return "（缺）" if shown is None else f"{shown:,}" if isinstance(shown, int) else str(shown)


def provenance(run: DetailRun) -> Provenance | None:
    m = run.measure
    if m is None:
        return None
    return Provenance(
        m.month,
        tuple(dict.fromkeys(wording(r.label) for r in run.reconciliation)),
        tuple(
            Difference(r.vendor, wording(r.label), _printed(r.summary), _printed(r.detail))
            for r in run.flagged
        ),
        m.not_judgeable,
        m.window_minutes,
        tuple((v.vendor, v.not_judgeable or 0) for v in m.vendors),
    )


def banner(p: Provenance | None, month: str, vendor: str | None = None) -> str | None:
    """「按话务明细计分；与申报不一致 1 处：联创呼叫 2小时重复呼叫数 申报 1,016，明细 1,129」, for the
    whole month or one vendor; None when the month's figures are all the summary's (plain text: the
    caller escapes it for Markdown)."""
    if p is None or p.month != month:
        return None
    differences = [d for d in p.differences if vendor is None or d.vendor == vendor]
    if not differences:
        return "按话务明细计分；与申报一致。"
    items = "；".join(
        (d.label if vendor else f"{d.vendor} {d.label}") + f" 申报 {d.declared}，明细 {d.detail}"
        for d in differences
    )
    return f"按话务明细计分；与申报不一致 {len(differences)} 处：{items}"


def sources(p: Provenance | None, month: str) -> str | None:
    """Which figures the call detail gave (the rest are the summary's)."""
    if p is None or p.month != month:
        return None
    return f"取自话务明细：{'、'.join(p.labels)}；其余取自月度指标汇总表。"


def not_judged(p: Provenance | None, month: str, vendor: str | None = None) -> str | None:
    """The calls that could not be judged (as `kpi score` and `kpi explain` say it), or None."""
    if p is None or p.month != month:
        return None
    count = p.not_judgeable if vendor is None else dict(p.not_judgeable_by_vendor).get(vendor, 0)
    if not count:
        return None
    return (
        f"有 {count:,} 通接通电话的 {p.window_minutes} 分钟窗口超出明细数据的截止时间，且未见再次呼入，"
        "无法判定，按非重复计。"
    )
