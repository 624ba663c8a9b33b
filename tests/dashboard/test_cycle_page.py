"""The 月度流程 page through AppTest on SQLite and PostgreSQL: the sample imported with one click,
then publish → dispute (one accepted, one rejected, evidence uploaded and downloaded) → finalise,
every figure and audit row checked; a finalised month offers no action that could change it."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from importlib import resources

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.views.common import md
from kpi.access.roles import MANAGER, VENDOR
from kpi.access.scope import Scope
from tests.dashboard.signin import signed_in
from tests.history_db import audit_rows, table_rows
from tests.paths import ROOT, SAMPLE

APP = str(ROOT / "dashboard" / "app.py")
SAMPLE_SHA = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
RULES_SHA = hashlib.sha256(
    resources.files("kpi.rules").joinpath("default.toml").read_text("utf-8").encode()
).hexdigest()


def canonical(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


ACTIONS = ("publish", "finalise", "dispute_add", "resolve", "confirm_publish", "confirm_finalise")


@pytest.fixture
def page(db_url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("KPI_DB", db_url)
    at = signed_in(AppTest.from_file(APP, default_timeout=120), MANAGER_ZHANG)
    at.switch_page("app_pages/cycle.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


MANAGER_ZHANG = Scope("张经理", MANAGER)


def act_as(at: AppTest, scope: Scope) -> AppTest:
    """Another signed-in user at the same page (the 操作人 is whoever is signed in)."""
    at.session_state["auth_scope"] = scope
    return at.run()


def step(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def said(at: AppTest) -> list[str]:
    return [s.value for s in at.success]


def keys(at: AppTest) -> set[str]:
    return {w.key for w in (*at.button, *at.checkbox, *at.text_input, *at.selectbox, *at.radio) if w.key}


def test_the_whole_cycle_in_the_app(page: AppTest, db_url: str):
    at = page
    assert at.title[0].value == "月度流程"
    assert at.info[0].value.startswith("历史数据库中还没有任何月份")
    assert (at.text_input[0].label, at.text_input[0].value) == ("操作人", "张经理")
    step(at.button(key="import_sample").click().run())
    assert said(at) == [
        "已导入示例数据：2024-01 第 1 版、2024-02 第 1 版、2024-03 第 1 版、2024-04 第 1 版、2024-05 第 1 版、"
        "2024-06 第 1 版（草稿）"
    ]
    months = at.dataframe[0].value
    assert list(months["月份"]) == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert list(months["状态"]) == ["草稿"] * 6
    assert (
        months["应付合计(元)"].iloc[-1] == "18,252.73"
    )  # README's 2024-06 table: 5,110.09 + 7,300.62 + 973.37 + 4,868.65
    assert at.selectbox(key="cycle_month").value == "2024-06"

    assert at.button(key="publish").disabled  # not before the confirmation
    at.checkbox(key="confirm_publish").check().run()
    step(at.button(key="publish").click().run())
    assert said(at) == ["已发布 2024-06 第 1 版"]
    deadline = (datetime.now().astimezone().date() + timedelta(days=5)).isoformat()
    assert at.dataframe[0].value.iloc[-1].to_dict() == {
        "月份": "2024-06", "状态": "已发布", "版本": "第 1 版", "版本数": 1, "争议截止日": deadline, "应付合计(元)": "18,252.73"
    }  # fmt: skip

    assert {"dispute_add", "confirm_finalise", "finalise"} <= keys(at)  # what the final month must not offer
    act_as(at, Scope("众合外包", VENDOR, "众合外包"))
    at.selectbox(key="dispute_metric").set_value("service_complaints")
    at.text_input(key="dispute_claim").input("**两件**")
    at.text_input(key="dispute_reason").input("_撤销_")
    at.button(key="dispute_add").click().run()  # typed text comes back inert, never as Markdown
    assert [e.value for e in at.error] == [r"「成立服务投诉数」的值「\*\*两件\*\*」无法识别，应为非负整数"]
    proof = b"%PDF-1.4\n% withdrawn complaint\n"
    at.selectbox(key="dispute_vendor").set_value("众合外包")
    at.selectbox(key="dispute_metric").set_value("service_complaints")
    at.text_input(key="dispute_claim").input("2")
    at.text_input(key="dispute_reason").input("其中一件投诉已撤销")
    at.file_uploader(key="dispute_evidence").upload("撤销记录.pdf", proof, "application/pdf")
    step(at.button(key="dispute_add").click().run())
    assert said(at) == ["已登记争议 #1"]
    act_as(at, Scope("联创呼叫", VENDOR, "联创呼叫"))
    at.selectbox(key="dispute_vendor").set_value("联创呼叫")
    at.selectbox(key="dispute_metric").set_value("repeat_2h_calls")
    at.text_input(key="dispute_claim").input("1016")
    at.text_input(key="dispute_reason").input("汇总表为准")
    step(at.button(key="dispute_add").click().run())
    assert said(at) == ["已登记争议 #2"]
    assert not (keys(at) & {"finalise", "resolve", "publish"})  # a vendor neither decides nor finalises

    act_as(at, MANAGER_ZHANG)
    assert at.button(key="finalise").disabled  # two disputes still open
    at.selectbox(key="resolve_id").set_value(1)
    at.radio(key="resolve_decision").set_value("接受")
    at.text_input(key="resolve_reason").input("已核实")
    step(at.button(key="resolve").click().run())
    assert said(at) == ["争议 #1 已接受"]
    at.radio(key="resolve_decision").set_value("驳回")
    at.text_input(key="resolve_reason").input("明细为准")
    step(at.button(key="resolve").click().run())
    assert said(at) == ["争议 #2 已驳回"]
    table = at.dataframe[1].value
    sha = hashlib.sha256(proof).hexdigest()
    assert table[["编号", "外包公司", "输入项", "原值", "主张", "状态", "提出人", "证据", "证据 SHA-256", "处理人", "采用值", "结果版本"]
                 ].values.tolist() == [
        ["#1", "众合外包", "成立服务投诉数", "3", "2", "已接受", "众合外包", "撤销记录.pdf", sha, "张经理", "2", "第 2 版"],
        ["#2", "联创呼叫", "2小时重复呼叫数", "1129", "1016", "已驳回", "联创呼叫", "—", "—", "张经理", "—", "—"],
    ]  # fmt: skip

    at.checkbox(key="confirm_finalise").check().run()
    step(at.button(key="finalise").click().run())
    assert said(at) == ["已定稿 2024-06 第 2 版"]
    # 众合外包: 2 complaints → 5.00 points, total 80.50, payout 5,190.04; the month 18,332.68
    assert at.dataframe[0].value.iloc[-1][["状态", "版本", "应付合计(元)"]].tolist() == [
        "已定稿",
        "第 2 版",
        "18,332.68",
    ]
    assert at.subheader[0].value == "2024-06 · 已定稿 · 第 2 版"

    step(at.button(key="evidence_fetch").click().run())
    download = at.get("download_button")[0]
    assert download.proto.label == "下载「撤销记录.pdf」"

    # the final statement (every vendor), as `kpi statement --month 2024-06` prints it: its fingerprint
    # is the sample's and the rulebook's plus the accepted dispute's value; taking it is an export row
    step(at.button(key="statement_fetch").click().run())
    assert at.get("download_button")[0].proto.label == "下载「结算单_2024-06.pdf」"
    change = hashlib.sha256(canonical(["众合外包", "service_complaints", "2"]).encode()).hexdigest()
    fingerprint = hashlib.sha256(
        f"kpi-statement-fingerprint-v1\n工作簿:{SAMPLE_SHA}\n规则本:{RULES_SHA}\n争议更正:{change}\n".encode()
    ).hexdigest()
    assert f"指纹 SHA-256 {fingerprint}（与定稿时相同的结算单，每次取出都一样）" in [
        c.value for c in at.caption
    ]

    rows = audit_rows(db_url)
    assert [(r.who, r.action, r.month) for r in rows] == [
        *[
            ("张经理", "import", m)
            for m in ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06")
        ],
        ("张经理", "publish", "2024-06"),
        ("众合外包", "dispute", "2024-06"),
        ("联创呼叫", "dispute", "2024-06"),
        ("张经理", "accept", "2024-06"),
        ("张经理", "reject", "2024-06"),
        ("张经理", "finalise", "2024-06"),
        ("张经理", "export", "2024-06"),
        ("张经理", "export", "2024-06"),
    ]
    assert (
        rows[-1].subject
        == "导出 2024-06 第 2 版（争议更正，已定稿） 结算单（全部外包公司（4 家））「结算单_2024-06.pdf」"
    )
    assert (rows[-1].after["payout_total"], rows[-1].after["fingerprint"]) == ("18332.68", fingerprint)
    assert rows[9].before["payout"] == "5110.09" and rows[9].after["payout"] == "5190.04"
    assert rows[11].after["payout_total"] == "18332.68"
    assert rows[7].after["evidence"] == {"name": "撤销记录.pdf", "sha256": sha, "size": len(proof)}

    # the finalised month: none of the page's changing actions is offered, and nothing changes
    before = table_rows(db_url)
    at.run()
    assert not (keys(at) & set(ACTIONS))
    assert at.info[0].value.startswith("2024-06 已定稿，不能再发布、登记或处理争议")
    assert table_rows(db_url) == before


def test_a_damaged_database_is_told_in_chinese(tmp_path, monkeypatch):
    db = tmp_path / "kpi.db"
    db.write_bytes(b"\x00" * 4096)
    monkeypatch.setenv("KPI_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()  # said before anyone can sign in
    assert not at.exception
    message = (
        f"数据库文件「{db}」已损坏或不是数据库文件（file is not a database），未做任何改动；请用备份恢复"
    )
    assert at.error[0].value == md(message)  # the path's underscores shown as such, not as emphasis
