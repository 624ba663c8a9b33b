"""The fingerprint printed on every page of a statement: SHA-256 over the inputs as read and the
rulebook's text, so that two printed copies can be compared.

Each source keeps its own SHA-256 (the statement lists them, first 12 hex digits on paper). The
fingerprint hashes the sources' roles and digests — not their file names, so a renamed copy of the
same workbook gives the same fingerprint; extra detail files count in any order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

WORKBOOK, DETAIL, RULEBOOK = "工作簿", "话务明细", "规则本"
DISPUTE, CORRECTION = "争议更正", "更正"  # a value changed after import (a statement from the history)
ROLE_ORDER = {WORKBOOK: 0, DETAIL: 1, RULEBOOK: 2, DISPUTE: 3, CORRECTION: 4}


@dataclass(frozen=True)
class Source:
    role: str  # 工作簿 | 话务明细 | 规则本
    name: str
    sha256: str

    @property
    def short(self) -> str:
        return self.sha256[:12]


@dataclass(frozen=True)
class Fingerprint:
    sources: tuple[Source, ...]
    sha256: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(inputs: Sequence[tuple[str, str, bytes]]) -> Fingerprint:
    """The fingerprint of (role, name, bytes) inputs: the workbook, any extra detail files and the
    rulebook's text (as UTF-8 bytes)."""
    return from_sources([Source(role, name, sha256(data)) for role, name, data in inputs])


def from_sources(sources: Sequence[Source]) -> Fingerprint:
    """The fingerprint of sources whose digests are already known (what the history stores)."""
    ordered = tuple(sorted(sources, key=lambda s: (ROLE_ORDER.get(s.role, 9), s.sha256)))
    text = "kpi-statement-fingerprint-v1\n" + "".join(f"{s.role}:{s.sha256}\n" for s in ordered)
    return Fingerprint(ordered, sha256(text.encode("utf-8")))


def file_fingerprint(
    workbook: Path, detail_files: Sequence[Path], rules_name: str, rules_text: str
) -> Fingerprint:
    """The fingerprint of files on disk (what the CLI reads)."""
    return fingerprint(
        [
            (WORKBOOK, workbook.name, workbook.read_bytes()),
            *((DETAIL, p.name, p.read_bytes()) for p in detail_files),
            (RULEBOOK, rules_name, rules_text.encode("utf-8")),
        ]
    )
