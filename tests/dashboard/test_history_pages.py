"""趋势 and 总览 read the history when a database is configured (KPI_DB): the months as they stand
in the history (an accepted dispute shows), and finance's year-to-date payout of finalised months."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from kpi.access.roles import MANAGER
from kpi.access.scope import Scope
from kpi.cli.commands import main
from kpi.pipeline import assess
from kpi.rules.rulebook import load_rulebook
from tests.dashboard.signin import signed_in
from tests.paths import ROOT, SAMPLE

APP = str(ROOT / "dashboard" / "app.py")
CARDS = assess(SAMPLE, load_rulebook()).cards


@pytest.fixture
def history(db_url: str, monkeypatch) -> str:
    """The sample's six months; 2024-05 finalised as imported, 2024-06 with 众合外包's complaints 3 → 2."""
    steps = [
        ["import", str(SAMPLE)],
        ["publish", "--month", "2024-05"],
        ["finalise", "--month", "2024-05"],
        ["publish", "--month", "2024-06"],
        ["dispute", "add", "--month", "2024-06", "--vendor", "众合外包", "--metric", "service_complaints",
         "--claim", "2", "--reason", "撤销"],
        ["dispute", "resolve", "1", "--accept", "--reason", "核实"],
        ["finalise", "--month", "2024-06"],
    ]  # fmt: skip
    for args in steps:
        result = CliRunner().invoke(main, [*args, "--db", db_url])
        assert result.exit_code == 0, result.output
    monkeypatch.setenv("KPI_DB", db_url)
    return db_url


def open_page(page: str) -> AppTest:
    at = signed_in(AppTest.from_file(APP, default_timeout=120), Scope("张经理", MANAGER))
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_trends_read_the_history(history):
    at = open_page("trends")
    assert at.toggle(key="trend_history").label.startswith("读取历史数据库（6 个月；")
    total = at.dataframe[0].value
    assert total.loc["2024-06", "众合外包"] == 80.50  # the accepted dispute (the workbook says 79.26)
    assert total.loc["2024-03", "华信客服"] == float(
        next(c for c in CARDS if c.vendor == "华信客服" and c.month == "2024-03").total
    )
    at.toggle(key="trend_history").set_value(False).run()
    assert at.dataframe[0].value.loc["2024-06", "众合外包"] == 79.26  # the uploaded workbook again


def test_overview_shows_the_year_to_date_payout_of_finalised_months(history):
    at = open_page("overview")
    assert [s.value for s in at.main.subheader][-1] == "2024 年累计应付（历史数据库）"
    assert "只计已定稿的月份：2024-05、2024-06。" in [c.value for c in at.caption]
    may = {c.vendor: c.settlement.payout for c in CARDS if c.month == "2024-05"}
    june = {
        "众合外包": Decimal("5190.04"),
        "华信客服": Decimal("7300.62"),
        "联创呼叫": Decimal("973.37"),
        "远景服务": Decimal("4868.65"),
    }
    table = next(f.value for f in at.dataframe if "本年累计应付(元)" in f.value.columns)
    assert table.values.tolist() == [[v, 2, f"{may[v] + june[v]:,.2f}"] for v in sorted(june)]


def test_without_a_database_the_pages_read_only_the_workbook(monkeypatch):
    monkeypatch.delenv("KPI_DB", raising=False)
    at = open_page("overview")
    assert not any("本年累计应付(元)" in f.value.columns for f in at.dataframe)
    at.switch_page("app_pages/trends.py").run()
    assert not at.toggle
