"""The fingerprint printed on every page of a statement: SHA-256 over the inputs as read and the
rulebook's text, so that two printed copies can be compared.

Each source keeps its own SHA-256 (the statement lists them, first 12 hex digits on paper). The
fingerprint hashes the sources' roles and digests — not their file names, so a renamed copy of the
same workbook gives the same fingerprint; extra detail files count in any order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from kpi.detail.source import SourceProfile

WORKBOOK, DETAIL, RULEBOOK, PROFILE = "工作簿", "话务明细", "规则本", "来源配置"
DISPUTE, CORRECTION = "争议更正", "更正"  # a value changed after import (a statement from the history)
ROLE_ORDER = {WORKBOOK: 0, DETAIL: 1, PROFILE: 2, RULEBOOK: 3, DISPUTE: 4, CORRECTION: 5}


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


def profile_bytes(profile: SourceProfile) -> bytes:
    """What a source profile's digest is taken over: how it reads the call detail, as canonical JSON.
    Its name is left out (as file names are), so the same profile given as a built-in name, a file
    or an upload in the app has one digest."""
    content = {k: v for k, v in asdict(profile).items() if k != "name"}
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def profile_input(profile: SourceProfile | None) -> list[tuple[str, str, bytes]]:
    """The (role, name, bytes) input of a source profile: none when the detail has our own headers."""
    return [] if profile is None else [(PROFILE, profile.name, profile_bytes(profile))]


def file_fingerprint(
    workbook: Path,
    detail_files: Sequence[Path],
    rules_name: str,
    rules_text: str,
    profile: SourceProfile | None = None,
) -> Fingerprint:
    """The fingerprint of files on disk (what the CLI reads), with the source profile the detail was
    read through: another profile can give other figures from the same files."""
    return fingerprint(
        [
            (WORKBOOK, workbook.name, workbook.read_bytes()),
            *((DETAIL, p.name, p.read_bytes()) for p in detail_files),
            *profile_input(profile),
            (RULEBOOK, rules_name, rules_text.encode("utf-8")),
        ]
    )
