"""The statement's fingerprint with a source profile: the profile the call detail was read through is
one of the inputs (another profile can give other figures from the same files), its name is not."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from kpi.detail.source import load_source, parse_source
from kpi.reports.fingerprint import (
    DETAIL,
    PROFILE,
    RULEBOOK,
    WORKBOOK,
    file_fingerprint,
    fingerprint,
    profile_bytes,
)

BUILTIN = resources.files("kpi.detail.sources").joinpath("asterisk-cdr.toml").read_text("utf-8")


def test_a_profiles_digest_follows_its_content_not_its_name():
    builtin = load_source("asterisk-cdr")
    renamed = parse_source(BUILTIN, "我们的平台.toml")
    assert renamed.name != builtin.name
    assert profile_bytes(renamed) == profile_bytes(builtin)
    changed = parse_source(BUILTIN.replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Urumqi"'), "x")
    assert changed.timezone == "Asia/Urumqi"
    assert profile_bytes(changed) != profile_bytes(builtin)


def test_the_profile_is_listed_after_the_detail_and_changes_the_fingerprint(tmp_path: Path):
    workbook, detail = tmp_path / "六月.xlsx", tmp_path / "Master.csv"
    workbook.write_bytes(b"workbook")
    detail.write_bytes(b"detail")
    without = file_fingerprint(workbook, [detail], "default.toml", "rules")
    assert without == fingerprint(
        [
            (WORKBOOK, "六月.xlsx", b"workbook"),
            (DETAIL, "Master.csv", b"detail"),
            (RULEBOOK, "default.toml", b"rules"),
        ]
    )  # a month read with our own headers keeps the fingerprint it had
    profile = load_source("asterisk-cdr")
    with_profile = file_fingerprint(workbook, [detail], "default.toml", "rules", profile)
    assert [s.role for s in with_profile.sources] == [WORKBOOK, DETAIL, PROFILE, RULEBOOK]
    assert with_profile.sources[2].name == "asterisk-cdr"
    assert with_profile.sha256 != without.sha256
    other = file_fingerprint(workbook, [detail], "default.toml", "rules", load_source("freeswitch-cc"))
    assert other.sha256 not in (without.sha256, with_profile.sha256)
