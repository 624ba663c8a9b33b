"""Issue 14's first "done when": a 外包公司 user bound to one sample vendor walks every page and every
widget state and never sees another vendor's name, figure or agent, in any element or in the bytes of
any download; 财务 walks the same and never sees a caller number in full. The same for the history
database (月度流程, 趋势, 总览) with disputes of two vendors. Downloads by a signed-in user are audited.

The scope is put into the session as the sign-in does (st.session_state["auth_scope"])."""

from __future__ import annotations

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import DEMO
from dashboard.views.common import money
from kpi.access.roles import FINANCE, MANAGER, VENDOR
from kpi.access.scope import Scope
from kpi.detail.evidence import mask_caller
from kpi.history import cycle
from kpi.history.disputes import add_dispute, resolve_dispute
from kpi.history.snapshot import file_digest
from kpi.history.store import open_store
from kpi.money import fmt2
from kpi.pipeline import assess
from kpi.rules.rulebook import load_rulebook, rulebook_text
from tests.builders import SPEC_EXAMPLE, write_summary
from tests.dashboard.signin import nav
from tests.dashboard.signin import signed_in as signed_in_as
from tests.dashboard.walk import APP, PAGES, Downloads, element_texts, full_callers, leaks, step, walk
from tests.history_db import audit_rows
from tests.paths import SAMPLE

RULES = load_rulebook()
RESULT = assess(SAMPLE, RULES)
CARDS = RESULT.cards
MINE = "联创呼叫"
VENDORS = sorted({c.vendor for c in CARDS})
OTHERS = set(VENDORS) - {MINE}
BOOK = openpyxl.load_workbook(SAMPLE, read_only=True)
ROSTER = [r for r in BOOK["坐席名册"].iter_rows(min_row=2, values_only=True)]
DETAIL = list(BOOK["话务明细"].iter_rows(min_row=2, values_only=True))
OTHER_AGENTS = {str(r[0]) for r in ROSTER if r[2] != MINE} | {
    str(r[6]) for r in DETAIL if r[7] != MINE and r[6]
}
MY_AGENTS = sorted({str(r[0]) for r in ROSTER if r[2] == MINE})
CALLERS = {str(r[1]) for r in DETAIL if str(r[1]).isdigit()}  # 13393 numbers; withheld ones (匿名) aside
CALLER = next(c for c in sorted(CALLERS) if c.startswith("13"))
RAW = {"trend_metrics": ["total", *(m.id for m in RULES.metrics)]}  # the multiselect's values (ids)


def printed(cards) -> set[str]:
    """Totals and payouts as kpi prints them (commas dropped)."""
    return {fmt2(c.total) for c in cards} | {money(c.settlement.payout).replace(",", "") for c in cards}


def month_sums() -> set[str]:
    months = {c.month for c in CARDS}
    return {f"{sum(c.settlement.payout for c in CARDS if c.month == m):.2f}" for m in months}


MY_FIGURES = printed(c for c in CARDS if c.vendor == MINE)
# every other vendor's total and payout of every month, and each month's all-vendor payout total, unless
# the same figure is also one of the vendor's own
THEIR_FIGURES = (printed(c for c in CARDS if c.vendor != MINE) | month_sums()) - MY_FIGURES


class Seen:
    """What a walk collected: where each leak was found."""

    def __init__(self, typed: tuple[str, ...] = ()) -> None:
        self.typed = frozenset(typed)
        self.leaks: list[tuple[str, list[str]]] = []
        self.callers: list[tuple[str, list[str]]] = []
        self.text: list[str] = []

    def __call__(self, at: AppTest, where: str) -> None:
        for text in element_texts(at, self.typed):
            self.check(where, text)

    def check(self, where: str, text: str) -> None:
        self.text.append(text)
        found = leaks(text, OTHERS, THEIR_FIGURES, OTHER_AGENTS)
        if found:
            self.leaks.append((where, found))
        shown = full_callers(text, CALLERS)
        if shown:
            self.callers.append((where, shown))

    def seen(self, piece: str) -> bool:
        return any(piece in t for t in self.text)


TITLES = {"总览": "overview", "评分卡": "scorecard", "趋势": "trends", "坐席": "agents", "结算": "settlement",
          "模拟": "simulate", "数据检查": "checks", "月度流程": "cycle"}  # fmt: skip


def signed_in(scope: Scope) -> AppTest:
    """The app as `scope`'s user, signed in as dashboard.auth keeps it (tests.dashboard.signin)."""
    return step(signed_in_as(AppTest.from_file(APP, default_timeout=180), scope))


def offered(at: AppTest) -> tuple[str, ...]:
    """The data pages the navigation offers this user (the walk goes through each)."""
    return tuple(TITLES[t] for t in nav(at))


def test_a_vendor_sees_only_its_own_on_every_page_and_in_every_download(monkeypatch, tmp_path):
    monkeypatch.delenv("KPI_DB", raising=False)
    monkeypatch.chdir(tmp_path)  # the 月度流程 page's default kpi.db lands here, empty
    files = Downloads(monkeypatch)
    typed = (MY_AGENTS[0], sorted(OTHER_AGENTS)[0], "ZH")  # its own agent; another's, searched for
    seen = Seen(typed)
    at = signed_in(Scope("联创的小李", VENDOR, MINE))
    assert at.selectbox(key="vendor").options == [MINE]  # the sidebar picker lists only its own
    assert offered(at) == PAGES  # every data page
    runs = walk(at, seen, pages=offered(at), typed=list(typed), raw=RAW)
    assert runs > 150
    step(at.switch_page("app_pages/checks.py").run())  # the sidebar's source profiles and rulebook choice
    for source in at.selectbox(key="detail_source").options:
        step(at.selectbox(key="detail_source").set_value(source).run())
        seen(at, f"checks source={source}")
    step(at.radio(key="rules_choice").set_value("上传规则本").run())
    seen(at, "checks 上传规则本")
    assert seen.leaks == []
    assert seen.seen(MINE) and seen.seen(
        money(next(c for c in CARDS if c.vendor == MINE and c.month == "2024-06").settlement.payout)
    )
    got = files.texts()
    expected = {
        "结算单_2024-06.xlsx", f"结算单_2024-06_{MINE}.pdf", f"结算单_2024-06_{MINE}.xlsx",
        f"重复呼叫证据_{MINE}.xlsx", f"重复呼叫证据_{MINE}_{MY_AGENTS[0]}.xlsx", "评分卡_2024-06.json",
    }  # fmt: skip
    assert expected <= set(got), sorted(got)
    for name, text in got.items():
        seen.check(f"download {name}", text)
    assert seen.leaks == []
    assert MINE in got[f"结算单_2024-06_{MINE}.pdf"]
    assert "其他外包公司" in got[f"重复呼叫证据_{MINE}.xlsx"]  # re-entries answered elsewhere, unnamed
    assert seen.callers == []  # and the vendor sees no caller in full either


def test_finance_sees_every_vendor_but_no_caller_number_in_full(monkeypatch, tmp_path):
    monkeypatch.delenv("KPI_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    files = Downloads(monkeypatch)
    seen = Seen()
    at = signed_in(Scope("财务小王", FINANCE))
    assert at.selectbox(key="vendor").options == VENDORS
    assert offered(at) == ("overview", "scorecard", "trends", "settlement", "cycle")
    walk(at, seen, pages=offered(at), every_widget_months=1, raw=RAW)
    step(at.switch_page("app_pages/scorecard.py").run())  # June: the evidence of the vendor picked
    step(at.selectbox(key="vendor").set_value("联创呼叫").run())
    seen(at, "scorecard 联创呼叫")
    got = files.texts()
    for name, text in got.items():
        seen.check(f"download {name}", text)
    assert seen.callers == []
    evidence = got["重复呼叫证据_联创呼叫.xlsx"]
    masked = [mask_caller(c) for c in CALLERS]
    assert any(m in evidence for m in masked)  # the callers are there, masked
    assert "主叫号码已隐去中间几位" in evidence


def test_contract_management_gets_the_evidence_with_callers_in_full(monkeypatch, tmp_path):
    monkeypatch.delenv("KPI_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    files = Downloads(monkeypatch)
    at = signed_in(Scope("王经理", MANAGER))
    step(at.switch_page("app_pages/agents.py").run())
    step(at.selectbox(key="vendor").set_value("联创呼叫").run())
    step(at.text_input(key="agents_query").set_value("LC1006").run())
    evidence = files.texts()["重复呼叫证据_联创呼叫_LC1006.xlsx"]
    assert full_callers(evidence, CALLERS)
    assert "主叫号码完整显示" in evidence


# ------------------------------------------------------------------ the history database
@pytest.fixture
def history(tmp_path, monkeypatch) -> str:
    """The sample's six months imported through kpi.history; May finalised; June published with a
    dispute of 联创呼叫 (evidence attached) and an accepted one of 众合外包 whose reason holds a caller."""
    db = str(tmp_path / "kpi.db")
    engine = open_store(db)
    digest = [file_digest(SAMPLE, "workbook")]
    cycle.import_assessment(engine, RESULT, RULES, rulebook_text(), digest, "王经理")
    cycle.publish(engine, "2024-05", "王经理")
    cycle.finalise(engine, "2024-05", "王经理")
    cycle.publish(engine, "2024-06", "王经理")
    caller = CALLER
    add_dispute(engine, "2024-06", MINE, "service_complaints", "3", "一件重复登记", "联创的小李",
                ("申诉.txt", "联创申诉材料".encode()))  # fmt: skip
    other = add_dispute(engine, "2024-06", "众合外包", "service_complaints", "2", f"主叫 {caller} 已撤诉",
                        "众合的小张", ("众合证据.txt", "众合外包的证据 ZH1049".encode()))  # fmt: skip
    resolve_dispute(engine, other.id, True, f"核实 {caller}", "王经理")
    engine.dispose()
    monkeypatch.setenv("KPI_DB", db)
    return db


def test_a_vendor_on_the_history_sees_only_its_own_months_disputes_and_statements(history, monkeypatch):
    files = Downloads(monkeypatch)
    seen = Seen()
    at = signed_in(Scope("联创的小李", VENDOR, MINE))
    walk(at, seen, pages=("overview", "trends", "cycle"), every_widget_months=1, raw=RAW)
    step(at.switch_page("app_pages/cycle.py").run())
    for month in at.selectbox(key="cycle_month").options:
        step(at.selectbox(key="cycle_month").set_value(month).run())
        seen(at, f"cycle {month}")
        if month == "2024-05":  # final: its statement, the vendor's own
            step(at.button(key="statement_fetch").click().run())
            seen(at, "cycle statement")
        if month == "2024-06":
            assert at.selectbox(key="evidence_id").options == ["争议 #1"]  # only its own dispute's evidence
            step(at.button(key="evidence_fetch").click().run())
            assert at.selectbox(key="dispute_vendor").options == [MINE]
            assert not [b for b in at.button if b.key in ("publish", "finalise", "import_sample")]
    disputes = next(f.value for f in at.dataframe if "主张" in f.value.columns)
    assert list(disputes["外包公司"]) == [MINE]
    months = at.dataframe[0].value
    june = next(c for c in CARDS if c.vendor == MINE and c.month == "2024-06")
    assert months["应付合计(元)"].iloc[-1] == money(june.settlement.payout)  # its own, not the month's
    got = files.texts()
    assert set(got) >= {f"结算单_2024-05_{MINE}.pdf", "申诉.txt"}
    for name, text in got.items():
        seen.check(f"download {name}", text)
    assert seen.leaks == []
    assert seen.callers == []


def test_finance_on_the_history_reads_every_vendor_changes_nothing_and_sees_no_caller(history, monkeypatch):
    seen = Seen()
    at = signed_in(Scope("财务小王", FINANCE))
    walk(at, seen, pages=("trends", "cycle"), every_widget_months=0, raw=RAW)
    step(at.switch_page("app_pages/cycle.py").run())
    step(at.selectbox(key="cycle_month").set_value("2024-06").run())
    seen(at, "cycle 2024-06")
    disputes = next(f.value for f in at.dataframe if "主张" in f.value.columns)
    assert sorted(disputes["外包公司"]) == ["众合外包", MINE]
    assert seen.callers == []
    assert any(mask_caller(CALLER) in t for t in seen.text)
    keys = {w.key for w in (*at.button, *at.selectbox, *at.text_input)}
    assert not keys & {"publish", "finalise", "import_sample", "dispute_vendor", "resolve_id", "evidence_id"}


def test_every_download_by_a_signed_in_user_is_an_audited_export(history):
    at = signed_in(Scope("联创的小李", VENDOR, MINE))
    step(at.switch_page("app_pages/settlement.py").run())
    step(at.get("download_button")[0].click().run())
    step(at.switch_page("app_pages/scorecard.py").run())
    evidence = next(b for b in at.get("download_button") if b.label.startswith("下载重复呼叫证据"))
    step(evidence.click().run())
    exports = [(r.who, r.action, r.month) for r in audit_rows(history) if r.action == "export"]
    subjects = [r.subject for r in audit_rows(history) if r.action == "export"]
    assert exports[-2:] == [("联创的小李", "export", "2024-06"), ("联创的小李", "export", "2024-06")]
    assert "结算单_2024-06.xlsx" in subjects[-2] and f"重复呼叫证据_{MINE}.xlsx" in subjects[-1]


def test_the_demo_records_no_export(history):
    at = signed_in(DEMO)  # the demo's scope, were it in a session with a database
    step(at.switch_page("app_pages/settlement.py").run())
    step(at.get("download_button")[0].click().run())
    assert [r for r in audit_rows(history) if r.action == "export"] == []


# ------------------------------------------------------------------ self-audit
def test_a_vendors_own_upload_with_other_vendors_scores_only_its_own_and_says_so(monkeypatch, tmp_path):
    monkeypatch.delenv("KPI_DB", raising=False)
    at = signed_in(Scope("联创的小李", VENDOR, MINE))
    at.sidebar.file_uploader(key="workbook_upload").upload("我的草稿.xlsx", SAMPLE.read_bytes())
    step(at.run())
    assert [w.value for w in at.warning][0] == (
        "工作簿中另有 3 家外包公司的数据，已按您的权限忽略，只评分「联创呼叫」。"
    )
    assert at.selectbox(key="vendor").options == [MINE]
    seen = Seen()
    walk(at, seen, pages=("overview", "settlement", "agents", "checks"), every_widget_months=0)
    assert seen.leaks == []
    step(at.switch_page("app_pages/overview.py").run())
    june = next(c for c in CARDS if c.vendor == MINE and c.month == "2024-06")
    assert [(m.label, m.value) for m in at.metric][:2] == [
        ("总分", fmt2(june.total)),
        ("应付金额(元)", money(june.settlement.payout)),
    ]


def test_a_vendors_upload_without_its_own_rows_is_not_scored(monkeypatch, tmp_path):
    monkeypatch.delenv("KPI_DB", raising=False)
    book = write_summary(tmp_path / "别家.xlsx", [SPEC_EXAMPLE, dict(SPEC_EXAMPLE, vendor="乙公司")])
    at = signed_in(Scope("联创的小李", VENDOR, MINE))
    at.sidebar.file_uploader(key="workbook_upload").upload("别家.xlsx", book.read_bytes())
    step(at.run())
    assert [w.value for w in at.warning][0] == (
        "工作簿中没有「联创呼叫」的数据（只有另外 2 家外包公司的），按您的权限不予评分。请上传本公司的月度工作簿。"
    )
    assert "工作簿中没有可评分的数据行。" in [w.value for w in at.warning]
    assert not any("甲公司" in t or "乙公司" in t for t in element_texts(at))
