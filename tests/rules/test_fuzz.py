"""A fuzz run over rulebook TOML: random edits of the default rulebook give a located error or a
scored 1-row workbook, never a traceback (more examples and timings: benchmarks/fuzz_rulebook.py)."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings

from tests.rules.fuzz import edited_rulebooks, one_row_workbook, run_one

SEEN: Counter = Counter()


def test_edited_rulebooks_never_raise(tmp_path_factory):
    workbook = one_row_workbook(tmp_path_factory.mktemp("fuzz"))

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=edited_rulebooks())
    def check(text: str) -> None:
        SEEN[run_one(text, workbook)] += 1

    check()
    assert SEEN["refused"] > 0 and SEEN["scored"] > 0, SEEN
