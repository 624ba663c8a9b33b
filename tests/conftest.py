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


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server for the whole session (skipped with the reason where there is none)."""
    import shutil

    from tests.postgres import start_server

    server, why = start_server()
    if server is None:
        pytest.skip(why)
    yield server
    server.stop()
    shutil.rmtree(server.data, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    """The history database each history test runs against: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "kpi.db")
    return request.getfixturevalue("postgres").new_database()
