"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from kpi.rules.rulebook import Rulebook, load_rulebook
from tests.builders import SPEC_EXAMPLE, write_summary

# Property tests check behaviour, not speed (speed is for the benchmarks): no per-example deadline, so
# a loaded machine cannot turn a correct property into a failure.
settings.register_profile("kpi", deadline=None)
settings.load_profile("kpi")


@pytest.fixture(scope="session")
def rules() -> Rulebook:
    return load_rulebook()


@pytest.fixture
def spec_workbook(tmp_path: Path) -> Path:
    second = dict(
        SPEC_EXAMPLE, vendor="乙公司", repeat_2h_calls=1547, connected_calls=9100, tickets_correct=163
    )
    return write_summary(tmp_path / "spec.xlsx", [SPEC_EXAMPLE, second])
