"""dashboard.access.scoped on small fixtures: what each role keeps of a loaded workbook (records, cards,
agents, reconciliation, provenance, problems, notices), the self-audit notice, the history's months
total for a vendor, and the documents built under a scope."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dashboard import data as d
from dashboard.access import (
    file_dispute,
    keep_frame,
    masked_frame,
    scoped,
    scoped_disputes,
    scoped_months,
    self_audit_notice,
)
from dashboard.documents import Inputs, scoped_pairs, statement_files
from dashboard.views.provenance import Difference, Provenance
from kpi.access.roles import FINANCE, MANAGER, VENDOR
from kpi.access.scope import Scope
from kpi.detail.evidence import RepeatPair
from kpi.errors import Problem
from kpi.history.cycle import import_assessment, publish
from kpi.history.disputes import add_dispute
from kpi.history.snapshot import file_digest
from kpi.history.store import HistoryError, open_store, reading
from kpi.pipeline import assess
from kpi.rules.rulebook import load_rulebook, rulebook_text
from tests.builders import SPEC_EXAMPLE, write_summary

JIA = Scope("甲的小李", VENDOR, "甲公司")
FIN = Scope("财务小王", FINANCE)
BOSS = Scope("王经理", MANAGER)
RULES = load_rulebook()


@pytest.fixture
def two(tmp_path: Path) -> d.Loaded:
    """甲公司 and 乙公司 in one month, scored, with a per-agent table, a reconciliation and provenance."""
    rows = [SPEC_EXAMPLE, dict(SPEC_EXAMPLE, vendor="乙公司", repeat_2h_calls=1547)]
    data = write_summary(tmp_path / "two.xlsx", rows).read_bytes()
    loaded = d.assess_bytes(data, "two.xlsx", d.default_rules_text())
    assert loaded.ok and loaded.vendors == ["乙公司", "甲公司"]
    agents = pd.DataFrame(
        {"agent_id": ["J1", "Y1", "J2"], "vendor": ["甲公司", "乙公司", "甲公司"], "points": [1, 2, 3]}
    )
    reconciliation = pd.DataFrame(
        {"月份": ["2024-06"] * 2, "外包公司": ["乙公司", "甲公司"], "明细": ["9", "8"]}
    )
    origin = Provenance(
        "2024-06", ("接通量",),
        (Difference("甲公司", "接通量", "1", "2"), Difference("乙公司", "接通量", "3", "4")),
        7, 120, (("甲公司", 2), ("乙公司", 5)),
    )  # fmt: skip
    return replace(loaded, agents=agents, reconciliation=reconciliation, provenance=origin)


def test_a_vendor_keeps_only_its_own_rows(two):
    mine, said = scoped(two, JIA)
    assert said == ()
    assert [r.vendor for r in mine.records] == ["甲公司"] and mine.vendors == ["甲公司"]
    assert [c.vendor for c in mine.cards] == ["甲公司"]
    assert mine.agents.values.tolist() == [["J1", "甲公司", 1], ["J2", "甲公司", 3]]
    assert mine.reconciliation.values.tolist() == [["2024-06", "甲公司", "8"]]
    assert mine.provenance.differences == (Difference("甲公司", "接通量", "1", "2"),)
    assert (mine.provenance.not_judgeable, mine.provenance.not_judgeable_by_vendor) == (2, (("甲公司", 2),))
    assert mine.ok  # still a scored workbook for the pages


@pytest.mark.parametrize("scope", [FIN, BOSS])
def test_finance_and_contract_management_keep_every_vendor(two, scope):
    kept, said = scoped(two, scope)
    assert kept == two and said == ()
    assert kept.agents.equals(two.agents) and kept.reconciliation.equals(two.reconciliation)


def test_a_vendor_of_none_of_the_rows_keeps_nothing(two):
    other, _ = scoped(two, Scope("丙", VENDOR, "丙公司"))
    assert (other.records, other.cards, other.vendors) == ((), (), [])
    assert other.agents.empty and other.reconciliation.empty and other.provenance.differences == ()


def test_self_audit_of_an_upload_with_other_vendors(two):
    _, said = scoped(two, JIA, own_upload=True)
    assert said == ("工作簿中另有 1 家外包公司的数据，已按您的权限忽略，只评分「甲公司」。",)
    _, said = scoped(two, Scope("丙", VENDOR, "丙公司"), own_upload=True)
    assert said == (
        "工作簿中没有「丙公司」的数据（只有另外 2 家外包公司的），按您的权限不予评分。请上传本公司的月度工作簿。",
    )
    assert self_audit_notice(scoped(two, JIA)[0], JIA) is None  # only its own rows: nothing to say
    assert self_audit_notice(two, FIN) is None


PROBLEMS = (
    Problem(
        "主叫号码格式不对", file="two.xlsx", sheet="话务明细", row=5, column="主叫号码", value="13812341234x"
    ),
    Problem("乙公司 的接通量为空", file="two.xlsx", row=6, value="乙公司 13900000002"),
)


def test_problems_of_data_a_vendor_did_not_upload_are_withheld(two):
    broken = replace(two, cards=(), problems=PROBLEMS, notices=("乙公司 的合计行已跳过", "第 3 行为空"))
    mine, _ = scoped(broken, JIA)
    assert mine.problems == (
        Problem("数据中发现 2 处问题，可能涉及其他外包公司的数据，按您的权限不显示明细；请联系合同管理。"),
    )
    assert mine.notices == ("第 3 行为空",)  # the notice naming another vendor is dropped


def test_problems_of_its_own_upload_are_shown_with_callers_masked(two):
    broken = replace(two, cards=(), problems=PROBLEMS)
    mine, _ = scoped(broken, JIA, own_upload=True)
    assert [(p.message, p.value) for p in mine.problems] == [
        ("主叫号码格式不对", "138****1234x"),
        ("乙公司 的接通量为空", "乙公司 139****0002"),
    ]


def test_finance_sees_problems_with_callers_masked_and_contract_management_in_full(two):
    broken = replace(two, problems=PROBLEMS, detail_notices=("主叫 13812341234 的时钟偏差",))
    fin, _ = scoped(broken, FIN)
    assert [p.value for p in fin.problems] == ["138****1234x", "乙公司 139****0002"]
    assert fin.detail_notices == ("主叫 138****1234 的时钟偏差",)
    boss, _ = scoped(broken, BOSS)
    assert boss.problems == PROBLEMS and boss.detail_notices == broken.detail_notices


def test_frames():
    frame = pd.DataFrame({"外包公司": ["甲公司", "乙公司"], "理由": ["主叫 13812341234", "无"], "n": [1, 2]})
    assert keep_frame(frame, JIA, "外包公司").values.tolist() == [["甲公司", "主叫 13812341234", 1]]
    assert keep_frame(None, JIA, "外包公司") is None
    assert masked_frame(frame, FIN)["理由"].tolist() == ["主叫 138****1234", "无"]
    assert masked_frame(frame, BOSS) is frame


def pair(vendor: str, agent: str) -> RepeatPair:
    t = pd.Timestamp("2024-06-01 10:00")
    return RepeatPair(
        "甲公司", "J1", "138****1234", "C1", t, t, "C2", t, 5, bool(vendor), agent, vendor, "a", "b"
    )


def test_evidence_pairs_do_not_name_the_vendor_that_answered_a_reentry():
    pairs = (pair("乙公司", "Y7"), pair("甲公司", "J2"), pair("", ""))
    assert [(p.reentry_vendor, p.reentry_agent) for p in scoped_pairs(pairs, JIA)] == [
        ("其他外包公司", ""),
        ("甲公司", "J2"),
        ("", ""),
    ]
    assert scoped_pairs(pairs, FIN) == pairs


def test_a_vendors_all_vendors_statement_is_its_own(two, tmp_path):
    inputs = Inputs(b"x", "two.xlsx", (), d.default_rules_text(), d.DEFAULT_RULES_SOURCE)
    _, xlsx = statement_files(two.cards, two.rules, inputs, date(2026, 11, 25), JIA)
    cells = [c.value for row in openpyxl.load_workbook(io.BytesIO(xlsx))["结算单"].iter_rows() for c in row]
    text = "\n".join(str(c) for c in cells if c is not None)
    assert "甲公司" in text and "乙公司" not in text
    _, xlsx = statement_files(two.cards, two.rules, inputs, date(2026, 11, 25), FIN)
    cells = [c.value for row in openpyxl.load_workbook(io.BytesIO(xlsx))["结算单"].iter_rows() for c in row]
    assert "全部外包公司（2 家）" in "\n".join(str(c) for c in cells if c is not None)


def test_history_months_and_disputes_as_a_vendor_sees_them(tmp_path):
    rows = [SPEC_EXAMPLE, dict(SPEC_EXAMPLE, vendor="乙公司", repeat_2h_calls=1547)]
    book = write_summary(tmp_path / "two.xlsx", rows)
    engine = open_store(str(tmp_path / "kpi.db"))
    result = assess(book, RULES)
    import_assessment(engine, result, RULES, rulebook_text(), [file_digest(book, "workbook")], "王经理")
    month = result.cards[0].month
    publish(engine, month, "王经理")
    add_dispute(engine, month, "乙公司", "service_complaints", "0", "撤诉", "乙的小张")
    payout = {c.vendor: c.settlement.payout for c in result.cards}
    with reading(engine) as conn:
        [everyone] = scoped_months(conn, FIN)
        [mine] = scoped_months(conn, JIA)
        assert everyone.payout_total == f"{payout['甲公司'] + payout['乙公司']:.2f}"
        assert mine.payout_total == f"{payout['甲公司']:.2f}"
        assert scoped_months(conn, Scope("丙", VENDOR, "丙公司")) == []
        assert scoped_disputes(conn, month, JIA) == []
        assert [x.vendor for x in scoped_disputes(conn, month, FIN)] == ["乙公司"]
    engine.dispose()


def test_disputes_only_for_the_vendors_the_scope_may_dispute_for(tmp_path):
    book = write_summary(tmp_path / "two.xlsx", [SPEC_EXAMPLE, dict(SPEC_EXAMPLE, vendor="乙公司")])
    engine = open_store(str(tmp_path / "kpi.db"))
    result = assess(book, RULES)
    import_assessment(engine, result, RULES, rulebook_text(), [file_digest(book, "workbook")], "王经理")
    month = result.cards[0].month
    publish(engine, month, "王经理")
    with pytest.raises(HistoryError, match="^按您的权限不能为「乙公司」登记争议$"):
        file_dispute(engine, JIA, month, "乙公司", "service_complaints", "0", "撤诉", "甲的小李")
    with pytest.raises(HistoryError, match="^按您的权限不能为「甲公司」登记争议$"):
        file_dispute(engine, FIN, month, "甲公司", "service_complaints", "0", "撤诉", "财务小王")
    assert file_dispute(engine, JIA, month, "甲公司", "service_complaints", "0", "撤诉", "甲的小李").id == 1
    with reading(engine) as conn:
        assert [x.vendor for x in scoped_disputes(conn, month, BOSS)] == ["甲公司"]
    engine.dispose()
