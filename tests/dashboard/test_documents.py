"""The app's documents: the signable statement (same fingerprint and payouts as `kpi statement`) and
the repeat evidence, and the buttons that hand them out on 结算, 坐席 and 评分卡."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data as d
from dashboard.documents import Inputs, evidence_file, fingerprint_of, statement_files
from kpi.access.roles import MANAGER
from kpi.access.scope import Scope
from kpi.pipeline import assess
from kpi.reports.capitals import rmb
from kpi.reports.fingerprint import file_fingerprint
from kpi.rules.rulebook import load_rulebook, rulebook_text
from tests.paths import ROOT, SAMPLE

RULES = load_rulebook()
RESULT = assess(SAMPLE, RULES)
MANAGING = Scope("王经理", MANAGER)
INPUTS = Inputs(SAMPLE.read_bytes(), SAMPLE.name, (), d.default_rules_text(), d.DEFAULT_RULES_SOURCE)


def test_statement_from_the_app_matches_the_cli(tmp_path: Path):
    june = [c for c in RESULT.cards if c.month == "2024-06"]
    pdf, xlsx = statement_files(june, RULES, INPUTS, date(2026, 11, 25), MANAGING)
    fp = fingerprint_of(INPUTS).sha256
    assert fp == file_fingerprint(SAMPLE, [], RULES.source, rulebook_text()).sha256
    (tmp_path / "s.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True).stdout
    total = sum(c.settlement.payout for c in june)
    assert rmb(total) in text and fp in text
    ws = openpyxl.load_workbook(io.BytesIO(xlsx))["结算单"]
    assert f"应付合计：{total:,.2f} 元　大写：{rmb(total)}" in [
        c.value for row in ws.iter_rows() for c in row
    ]


def test_evidence_from_the_app():
    data, month = evidence_file(INPUTS, RULES, "联创呼叫", None, MANAGING)
    assert month == "2024-06"
    ws = openpyxl.load_workbook(io.BytesIO(data))["重复呼叫明细"]
    assert ws.max_row - 3 == 1129
    data, _ = evidence_file(INPUTS, RULES, "联创呼叫", "LC1006", MANAGING)
    assert openpyxl.load_workbook(io.BytesIO(data))["重复呼叫明细"].max_row - 3 == 52


def test_a_platform_exports_evidence_and_fingerprint_follow_the_chosen_source(tmp_path: Path):
    """The detail is read through the sidebar's source profile for the evidence too (it used to be read
    with our own headers: "话务明细有问题"), and the profile is part of the statement's fingerprint,
    as `kpi evidence/statement --source` (8 pairs for SIP/301, printed by the CLI on the same files)."""
    from tests import platform_files as pf

    log, roster = tmp_path / "queue_log.txt", tmp_path / "坐席名册.csv"
    log.write_bytes(pf.queue_log(pf.sample_calls()))
    roster.write_bytes(pf.roster_csv(lambda a: f"SIP/{a}"))
    extra = ((log.read_bytes(), log.name), (roster.read_bytes(), roster.name))
    source = d.builtin_source("asterisk-queue-log")
    inputs = Inputs(
        SAMPLE.read_bytes(), SAMPLE.name, extra, d.default_rules_text(), d.DEFAULT_RULES_SOURCE, source
    )
    data, month = evidence_file(inputs, RULES, "华信客服", "SIP/301", MANAGING)
    assert month == "2024-06"
    assert openpyxl.load_workbook(io.BytesIO(data))["重复呼叫明细"].max_row - 3 == 8
    profile = d.source_profile(source)[0]
    cli = file_fingerprint(SAMPLE, [log, roster], RULES.source, rulebook_text(), profile)
    assert fingerprint_of(inputs) == cli
    assert [s.role for s in cli.sources] == ["工作簿", "话务明细", "话务明细", "来源配置", "规则本"]


def test_evidence_without_call_detail_says_why(spec_workbook: Path):
    inputs = Inputs(spec_workbook.read_bytes(), "spec.xlsx", (), d.default_rules_text(), "default.toml")
    assert evidence_file(inputs, RULES, "甲公司", None, MANAGING) == (None, "本工作簿没有话务明细")


@pytest.fixture()
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]


def test_buttons_on_settlement_scorecard_and_agents(app):
    app.switch_page("app_pages/settlement.py").run()
    assert not app.exception
    assert {"下载签字用结算单（PDF）", "下载签字用结算单（.xlsx，A4 打印）"} <= set(labels(app))
    app.selectbox(key="statement_pick").set_value("联创呼叫").run()
    assert not app.exception
    app.switch_page("app_pages/scorecard.py").run()  # June: repeats counted from the call detail
    assert f"下载重复呼叫证据（{app.session_state['vendor']}，.xlsx）" in labels(app)
    app.switch_page("app_pages/agents.py").run()
    app.toggle(key="agents_all").set_value(True).run()
    assert not any(label.startswith("下载重复呼叫证据") for label in labels(app))  # 全部: no vendor
    app.toggle(key="agents_all").set_value(False).run()
    app.selectbox(key="vendor").set_value("联创呼叫").run()  # the sidebar picks the vendor
    assert "下载重复呼叫证据（联创呼叫，.xlsx）" in labels(app)
    app.text_input(key="agents_query").set_value("LC1006").run()
    assert "下载重复呼叫证据（LC1006，.xlsx）" in labels(app)
    assert not app.exception
    app.selectbox(key="month").set_value("2024-05").run()  # May: summary figures only, no pairs to show
    app.switch_page("app_pages/scorecard.py").run()
    assert not any(label.startswith("下载重复呼叫证据") for label in labels(app))
    assert not app.exception
