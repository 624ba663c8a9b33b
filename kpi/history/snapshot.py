"""Pure conversions between the pipeline's records and what the history stores: a vendor-month's
inputs as read (exact values as text), its scorecard and statement line, and their fingerprints.

Values are kept exactly: counts as integers, rates and averages as fractions ("113/2"), so a record
read back scores to the very same points.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from kpi.detail.repeats import AgentRepeats
from kpi.detail.source import SourceProfile
from kpi.history.audit import canonical, sha256_text
from kpi.inputs import BY_KEY
from kpi.money import fmt2
from kpi.records import Value, VendorMonth
from kpi.reports.fingerprint import profile_bytes
from kpi.reports.scorecards import scorecard_dict
from kpi.reports.statement import statement_rows
from kpi.scoring.scorecard import Scorecard


def encode(value: Value) -> str | None:
    return None if value is None else str(value)


def decode(key: str, text: str | None) -> Value:
    if text is None:
        return None
    column = BY_KEY.get(key)
    if column is not None and column.kind == "count":
        return int(text)
    return Fraction(text)


def record_dict(vm: VendorMonth) -> dict[str, object]:
    """The inputs as read with their source (summary / detail / a dispute), exam scores and notes."""
    return {
        "vendor": vm.vendor,
        "month": vm.month,
        "inputs": {k: encode(v) for k, v in vm.inputs.items()},
        "sources": dict(vm.sources),
        "exam_scores": None if vm.exam_scores is None else [str(s) for s in vm.exam_scores],
        "notes": list(vm.notes),
        "sheet": vm.sheet,
        "row": vm.row,
        "not_held": sorted(vm.not_held),
    }


def record_from(data: Mapping[str, object]) -> VendorMonth:
    inputs = data["inputs"]
    assert isinstance(inputs, dict)
    scores = data.get("exam_scores")
    return VendorMonth(
        vendor=str(data["vendor"]),
        month=str(data["month"]),
        inputs={k: decode(k, v) for k, v in inputs.items()},
        sources=dict(data.get("sources") or {}),  # type: ignore[arg-type]
        row=data.get("row"),  # type: ignore[arg-type]
        exam_scores=None if scores is None else tuple(Fraction(s) for s in scores),  # type: ignore[union-attr]
        notes=tuple(data.get("notes") or ()),  # type: ignore[arg-type]
        sheet=str(data.get("sheet") or ""),
        not_held=frozenset(data.get("not_held") or ()),  # type: ignore[arg-type]
    )


def statement_line(card: Scorecard) -> dict[str, str]:
    """The card's line of the settlement statement, as printed (money to the fen)."""
    (row,), _ = statement_rows([card])
    return {k: fmt2(v) if k in ("base_fee", "adjusted_fee", "security_deduction", "payout") else str(v)
            for k, v in row.items()}  # fmt: skip


def fingerprint(lines: object) -> str:
    return sha256_text(canonical(lines))


@dataclass(frozen=True)
class StoredCard:
    """One vendor-month as the history keeps it."""

    vendor: str
    record: dict[str, object]
    scorecard: dict[str, object]
    statement: dict[str, str]
    total_score: str
    payout: str
    fingerprint: str


def stored_card(vm: VendorMonth, card: Scorecard) -> StoredCard:
    line = statement_line(card)
    return StoredCard(
        vendor=card.vendor,
        record=record_dict(vm),
        scorecard=scorecard_dict(card),
        statement=line,
        total_score=fmt2(card.total),
        payout=fmt2(card.settlement.payout),
        fingerprint=fingerprint(line),
    )


def version_fingerprint(cards: list[StoredCard]) -> str:
    """Of the whole statement of a version: every line, by vendor."""
    return fingerprint([c.statement for c in sorted(cards, key=lambda c: c.vendor)])


def agent_row(agent: AgentRepeats) -> dict[str, object]:
    return {
        "vendor": agent.vendor,
        "agent_id": agent.agent_id,
        "connected_calls": agent.connected_calls,
        "repeat_2h_calls": agent.repeat_2h_calls,
        "rate": None if agent.rate is None else str(agent.rate),
        "points": None if agent.points is None else fmt2(agent.points),
    }


@dataclass(frozen=True)
class SourceFile:
    role: str  # workbook | detail | source (the profile the detail was read through) | rules
    name: str
    sha256: str
    size: int


def file_digest(path: str | Path, role: str) -> SourceFile:
    """A file's name, SHA-256 and size, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return SourceFile(role, Path(path).name, digest.hexdigest(), size)


def profile_digest(profile: SourceProfile) -> SourceFile:
    """The source profile the call detail was read through, kept like a file: its digest is the one
    a statement's fingerprint lists (`kpi.reports.fingerprint.profile_bytes`)."""
    data = profile_bytes(profile)
    return SourceFile("source", profile.name, hashlib.sha256(data).hexdigest(), len(data))
