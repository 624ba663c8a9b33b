"""The app through Streamlit's AppTest: every page on the sample data, asserting the numbers shown.

AppTest (streamlit 1.67) runs the st.navigation entrypoint and switches pages with switch_page();
file uploads go through its file_uploader element. Charts are not inspectable here: their data is
tested in test_charts.py.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data as d
from dashboard.views import checks
from dashboard.views import settlement as settlement_views
from kpi.money import fmt2, round_half_up
from kpi.pipeline import assess
from kpi.rules.rulebook import load_rulebook
from kpi.scoring.next_point import next_points
from kpi.scoring.whatif import simulate
from tests.paths import ROOT, SAMPLE

APP = str(ROOT / "dashboard" / "app.py")
RULES = load_rulebook()
CARDS = assess(SAMPLE, RULES).cards
LAST = "2024-06"


def card(vendor: str, month: str = LAST):
    return next(c for c in CARDS if c.vendor == vendor and c.month == month)


def sample_rows() -> list[list[object]]:
    sheet = openpyxl.load_workbook(SAMPLE, read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def csv_bytes(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["" if v is None else v for v in r] for r in rows])
    return out.getvalue().encode("utf-8")


@pytest.fixture()
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_table(at: AppTest, *columns: str):
    """The first dataframe shown with all these columns (AppTest dataframes carry no key)."""
    for frame in at.dataframe:
        if all(c in frame.value.columns for c in columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}")


def metrics(at: AppTest) -> list[tuple[str, str, str]]:
    return [(m.label, m.value, m.delta) for m in at.metric]


# ------------------------------------------------------------------ 总览
def test_overview_opens_on_sample_data_with_each_vendors_total_and_payout(app):
    assert app.title[0].value == f"总览 · {LAST}"
    june = sorted((c for c in CARDS if c.month == LAST), key=lambda c: (-c.total, c.vendor))
    may = {c.vendor: c for c in CARDS if c.month == "2024-05"}
    shown = metrics(app)
    assert len(shown) == 2 * len(june)  # total and payout; the rates are short lines (defect 13)
    for i, c in enumerate(june):
        total, payout = shown[i * 2 : (i + 1) * 2]
        assert total[:2] == ("总分", fmt2(c.total))
        assert Decimal(total[2]) == c.total - may[c.vendor].total
        assert payout[:2] == ("应付金额(元)", f"{c.settlement.payout:,.2f}")
        assert Decimal(payout[2].replace(",", "")) == c.settlement.payout - may[c.vendor].settlement.payout
    # the Chinese headings of the cards follow the ranking
    assert [h.value for h in app.subheader][: len(june)] == [c.vendor for c in june]
    assert app.metric[0].value == fmt2(card("华信客服").total) == "97.48"


def _rate_line(vendor: str, metric_id: str) -> str:
    now = next(m for m in card(vendor).metrics if m.id == metric_id)
    before = next(m for m in card(vendor, "2024-05").metrics if m.id == metric_id)
    from kpi.money import round_half_up

    step = round_half_up(now.value - before.value, 2)
    colour = "gray" if step == 0 else "green" if step < 0 else "red"
    word = {"%": "个百分点", "‱": "个万分点"}[now.unit]
    return f"{now.label} **{round_half_up(now.value, 2)}{now.unit}** :{colour}[{'+' if step > 0 else ''}{step} {word}]"


def test_overview_rate_changes_are_percentage_points_coloured_by_direction(app):
    """Defect 11: a rate's change is 个百分点 (not %); lower is better, so a fall is green."""
    texts = "\n".join(m.value for m in app.markdown)
    for vendor in ("华信客服", "联创呼叫", "众合外包", "远景服务"):
        for metric_id in ("repeat_2h", "support_rate", "complaints_per_10k"):
            assert _rate_line(vendor, metric_id) in texts
    assert "个百分点" in texts and "%]" not in texts


def test_overview_shows_where_the_figures_came_from(app):
    """The provenance banner: the call detail replaced the declaration, and where they differ."""
    warnings = [w.value for w in app.warning if "按话务明细计分" in w.value]
    assert warnings == ["按话务明细计分；与申报不一致 1 处：联创呼叫 2小时重复呼叫数 申报 1,016，明细 1,129"]
    assert (
        "取自话务明细：接通量、有效话务量、2小时重复呼叫数、转接专家席数、坐席总数、参考人数、考试平均分；"
        "其余取自月度指标汇总表。有 4 通接通电话的 120 分钟窗口超出明细数据的截止时间，且未见再次呼入，"
        "无法判定，按非重复计。"
    ) in [c.value for c in app.caption]
    app.sidebar.selectbox(key="month").set_value("2024-05").run()  # May has no call detail
    assert not any("按话务明细计分" in w.value for w in [*app.warning, *app.info])


def test_overview_month_picker_changes_the_numbers(app):
    app.sidebar.selectbox(key="month").set_value("2024-03").run()
    assert app.title[0].value == "总览 · 2024-03"
    march = sorted((c for c in CARDS if c.month == "2024-03"), key=lambda c: (-c.total, c.vendor))
    assert app.metric[0].value == fmt2(march[0].total)
    app.sidebar.selectbox(key="month").set_value("2024-01").run()
    assert app.metric[0].delta in (None, "")  # no month before January


# ------------------------------------------------------------------ 评分卡
def test_scorecard_shows_total_payout_and_explanation(app):
    app.sidebar.selectbox(key="vendor").set_value("联创呼叫").run()
    goto(app, "scorecard")
    c = card("联创呼叫")
    assert app.title[0].value == f"评分卡 · 联创呼叫 · {LAST}"
    shown = {label: value for label, value, _ in metrics(app)}
    assert shown["总分"] == fmt2(c.total) == "19.14"
    assert shown["应付金额(元)"] == f"{c.settlement.payout:,.2f}"
    assert shown["考核系数"] == str(c.settlement.coefficient)
    table = shown_table(app, "指标", "计分说明", "得分")
    assert list(table["指标"]) == [m.label for m in c.metrics]
    assert list(table["得分"]) == [fmt2(m.points) for m in c.metrics]
    assert list(table["计分说明"]) == [m.segment for m in c.metrics]
    cats = shown_table(app, "类别", "权重", "计算")
    assert list(cats["得分"]) == [fmt2(x.score) for x in c.categories]
    texts = [t.value for t in app.text]
    assert texts[0].startswith("话务明细（") and texts[0].endswith("），其余取自月度指标汇总表")
    assert texts[1:] == list(c.notes)


def test_scorecard_shows_not_assessed_as_such(app):
    rows = sample_rows()
    header = rows[1]
    line = next(i for i, r in enumerate(rows) if r[0] == LAST and r[1] == "华信客服")
    rows[line][header.index("在线监听数")] = 0
    rows[line][header.index("在线监听正确数")] = 0
    app.sidebar.file_uploader(key="workbook_upload").upload("月度指标.csv", csv_bytes(rows), "text/csv")
    app.run()
    app.sidebar.selectbox(key="vendor").set_value("华信客服").run()
    goto(app, "scorecard")
    table = shown_table(app, "指标", "计分说明", "得分")
    row = table[table["指标"] == "在线监听正确率"].iloc[0]
    assert row["得分"] == "未考核"
    assert any("未考核" in i.value and "在线监听正确率" in i.value for i in app.info)
    expected = d.assess_bytes(csv_bytes(rows), "月度指标.csv", d.default_rules_text()).card("华信客服", LAST)
    assert {label: v for label, v, _ in metrics(app)}["总分"] == fmt2(expected.total)


def test_scorecard_banner_names_the_vendors_own_difference_and_unjudged_calls(app):
    app.sidebar.selectbox(key="vendor").set_value("联创呼叫").run()
    goto(app, "scorecard")
    assert [w.value for w in app.warning] == [
        "按话务明细计分；与申报不一致 1 处：2小时重复呼叫数 申报 1,016，明细 1,129"
    ]
    app.sidebar.selectbox(key="vendor").set_value("众合外包").run()
    assert [i.value for i in app.info if "按话务明细" in i.value] == ["按话务明细计分；与申报一致。"]
    assert any(
        c.value.endswith(
            "有 3 通接通电话的 120 分钟窗口超出明细数据的截止时间，且未见再次呼入，无法判定，按非重复计。"
        )
        for c in app.caption
    )


def test_scorecard_with_a_security_deduction_shows_every_money_line(app):
    """Defect 7: 话务酬金, 系数, 考核后酬金, 信息安全扣款 and 应付 all shown, so the page adds up."""
    app.sidebar.selectbox(key="month").set_value("2024-02").run()
    app.sidebar.selectbox(key="vendor").set_value("联创呼叫").run()
    goto(app, "scorecard")
    s = card("联创呼叫", "2024-02").settlement
    assert s.security_deduction == Decimal("477.19")
    shown = {label: value for label, value, _ in metrics(app)}
    assert shown["话务酬金(元)"] == f"{s.base_fee:,.2f}"
    assert shown["考核系数"] == str(s.coefficient)
    assert shown["考核后酬金(元)"] == f"{s.adjusted_fee:,.2f}"
    assert shown["信息安全扣款(元)"] == "477.19"
    assert shown["应付金额(元)"] == f"{s.payout:,.2f}"
    money = {k: Decimal(v.replace(",", "")) for k, v in shown.items() if k.endswith("(元)")}
    assert money["考核后酬金(元)"] - money["信息安全扣款(元)"] == money["应付金额(元)"]


def test_scorecard_clauses_are_text_not_a_table_column(app):
    """Defect 8: the clause a dispute quotes is readable text, not a clipped table column; the points
    come right after the metric in the table."""
    goto(app, "scorecard")
    c = card(app.sidebar.selectbox(key="vendor").value)
    table = shown_table(app, "指标", "计分说明", "得分")
    assert "条款" not in table.columns and list(table.columns)[:3] == ["指标", "值", "得分"]
    texts = [m.value for m in app.markdown]
    for m in c.metrics:
        assert any(t.startswith(f"**{m.label}**：「") and t.endswith("」") for t in texts), m.label
    from dashboard.views.common import md

    repeat = next(m for m in c.metrics if m.id == "repeat_2h")
    assert f"**二小时重复拨打率**：「{md(repeat.clause)}」" in texts  # the whole clause, as text


def test_scorecard_bullet_values_are_text_above_the_chart(app):
    """Defect 2: the value and points are written as text (not drawn where a chart clips them)."""
    app.sidebar.selectbox(key="vendor").set_value("众合外包").run()
    goto(app, "scorecard")
    texts = [m.value for m in app.markdown]
    assert "**二小时重复拨打率**　14.04%　得分 9.96 / 10.00" in texts
    complaints = next(m for m in card("众合外包").metrics if m.id == "complaints_per_10k")
    value = round_half_up(complaints.value, 2)
    assert f"**服务万次投诉率**　{value}‱　得分 {complaints.points} / 5.00" in texts


# ------------------------------------------------------------------ 趋势
def test_trends_tables_hold_the_library_values(app):
    goto(app, "trends")
    assert app.title[0].value == "趋势"
    total, repeat = (f.value for f in app.dataframe)
    assert total.loc[LAST, "华信客服"] == float(card("华信客服").total)
    value = next(m for m in card("远景服务", "2024-02").metrics if m.id == "repeat_2h").value
    assert repeat.loc["2024-02", "远景服务"] == pytest.approx(float(value), abs=1e-4)
    app.multiselect(key="trend_metrics").set_value(["complaints_per_10k"]).run()
    assert len(app.dataframe) == 1
    value = next(m for m in card("众合外包").metrics if m.id == "complaints_per_10k").value
    assert app.dataframe[0].value.loc[LAST, "众合外包"] == pytest.approx(float(value), abs=1e-4)


# ------------------------------------------------------------------ 坐席
def test_agents_from_the_sample_call_detail(app):
    goto(app, "agents")
    app.toggle(key="agents_all").set_value(True).run()
    table = shown_table(app, "坐席工号", "得分")
    detail = assess(SAMPLE, RULES).detail.measure
    assert len(table) == len(detail.agents)
    assert table["接通量"].sum() == sum(v.connected_calls for v in detail.vendors)


def test_agents_without_call_detail_says_so(app, monkeypatch):
    monkeypatch.setattr(
        d,
        "cached_detail",
        lambda key, name, text, source, _data, _records, *_: (_records, None, None, (), None, ()),
    )
    goto(app, "agents")
    assert any("本工作簿没有话务明细" in i.value for i in app.info)


def test_agents_with_call_detail(app, monkeypatch):
    import pandas as pd

    agents = pd.DataFrame(
        {
            "agent_id": ["A01", "A02", "B01"],
            "vendor": ["华信客服", "华信客服", "联创呼叫"],
            "connected_calls": [1000, 1000, 800],
            "repeat_2h_calls": [200, 100, 80],
            "rate": [20.0, 10.0, 10.0],
            "points": [0.0, 10.0, 10.0],
        }
    )
    monkeypatch.setattr(
        d,
        "cached_detail",
        lambda key, name, text, source, _data, _records, *_: (_records, agents, None, (), None, ()),
    )
    goto(app, "agents")
    app.toggle(key="agents_all").set_value(True).run()
    table = shown_table(app, "坐席工号", "得分")
    assert list(table["坐席工号"]) == ["A01", "A02", "B01"]
    worst = shown_table(app, "超基准重复数")
    # A01: 200 − ⌊1000 × 17%⌋ = 30 above the baseline; A02 and B01 are under it
    assert list(zip(worst["坐席工号"], worst["超基准重复数"], strict=True)) == [("A01", 30)]
    app.text_input(key="agents_query").set_value("b0").run()
    assert list(shown_table(app, "坐席工号", "得分")["坐席工号"]) == ["B01"]


def test_agents_follow_the_sidebar_month_and_vendor(app):
    """Defect 6: the sidebar's vendor and month apply; the month is named; another month says so."""
    app.sidebar.selectbox(key="vendor").set_value("联创呼叫").run()
    goto(app, "agents")
    assert app.title[0].value == f"坐席 · 联创呼叫 · {LAST}"
    table = shown_table(app, "坐席工号", "得分")
    assert set(table["外包公司"]) == {"联创呼叫"}
    app.sidebar.selectbox(key="month").set_value("2024-05").run()
    assert any("话务明细只有 2024-06 的呼叫；左侧所选的 2024-05 没有话务明细" in i.value for i in app.info)


def test_worst_agents_rank_by_repeats_above_the_baseline_for_every_vendor(app):
    """Defect 6: the worst vendor's agents are ranked (not all 0.00), and under 全部 every vendor is
    reached."""
    goto(app, "agents")
    app.toggle(key="agents_all").set_value(True).run()
    worst = shown_table(app, "超基准重复数")
    detail = assess(SAMPLE, RULES).detail.measure
    over = {a.vendor for a in detail.agents if a.repeat_2h_calls > (a.connected_calls * 17) // 100}
    assert "联创呼叫" in over and set(worst["外包公司"]) == over  # every vendor reached under 全部
    lianchuang = worst[worst["外包公司"] == "联创呼叫"]
    assert len(lianchuang) == 10
    assert list(lianchuang["超基准重复数"]) == sorted(lianchuang["超基准重复数"], reverse=True)
    expected = sorted(
        (max(0, a.repeat_2h_calls - (a.connected_calls * 17) // 100), a.agent_id)
        for a in detail.agents
        if a.vendor == "联创呼叫"
    )[::-1]
    assert lianchuang.iloc[0]["超基准重复数"] == expected[0][0] > 0


# ------------------------------------------------------------------ 结算
def test_settlement_table_and_downloads(app):
    goto(app, "settlement")
    table = shown_table(app, "应付金额(元)", "考核系数")
    june = [c for c in CARDS if c.month == LAST]
    for c in june:
        row = table[table["外包公司"] == c.vendor].iloc[0]
        assert row["应付金额(元)"] == f"{c.settlement.payout:,.2f}"
        assert row["考核总分"] == fmt2(c.total)
    totals = table.iloc[-1]
    assert totals["月份"] == "合计"
    assert totals["应付金额(元)"] == f"{sum(c.settlement.payout for c in june):,.2f}"
    labels = [b.label for b in app.get("download_button")]
    assert {"下载结算单（.xlsx）", "下载评分卡汇总（.xlsx）", "下载评分卡（JSON）"} <= set(labels)
    app.radio(key="settlement_scope").set_value("全部月份").run()
    assert len(shown_table(app, "应付金额(元)", "考核系数")) == len(CARDS) + 1


# ------------------------------------------------------------------ 模拟
def test_simulation_moves_total_and_payout(app):
    app.sidebar.selectbox(key="vendor").set_value("远景服务").run()
    goto(app, "simulate")
    record = next(r for r in assess(SAMPLE, RULES).records if r.vendor == "远景服务" and r.month == LAST)
    assert {label: v for label, v, _ in metrics(app)}["模拟总分"] == fmt2(card("远景服务").total)
    # the page's next-point lines are the library's sentences
    texts = " ".join(m.value for m in app.markdown)
    for move in next_points(record, RULES):
        if move.kind not in ("full", "not_assessed"):
            assert move.text in texts
    new = int(record.get("repeat_2h_calls")) - 80  # June's detail: 1,198 of 7,895 calls → 1,118
    app.number_input(key=f"sim|远景服务|{LAST}|repeat_2h_calls").set_value(new).run()
    expected = simulate(record, RULES, {"repeat_2h_calls": new})
    shown = {label: (v, delta) for label, v, delta in metrics(app)}
    assert shown["模拟总分"][0] == fmt2(expected.total) == "74.57"
    assert shown["模拟总分"][1] == f"+{expected.total - card('远景服务').total:.2f}"
    assert shown["模拟应付金额(元)"][0] == f"{expected.settlement.payout:,.2f}"
    compare = shown_table(app, "模拟得分", "原得分")
    assert compare.iloc[0]["模拟得分"] == fmt2(expected.metrics[0].points)
    app.button(key="sim_reset").click().run()
    assert {label: v for label, v, _ in metrics(app)}["模拟总分"] == fmt2(card("远景服务").total)


def _june_record(vendor: str):
    return next(r for r in assess(SAMPLE, RULES).records if r.vendor == vendor and r.month == LAST)


def test_simulation_reset_puts_the_inputs_back(app):
    """Defect 1: after 恢复原始数据 the boxes show the workbook's figures, and the next edit does not
    silently re-apply the old change."""
    app.sidebar.selectbox(key="vendor").set_value("远景服务").run()
    goto(app, "simulate")
    record = _june_record("远景服务")
    repeats = f"sim|远景服务|{LAST}|repeat_2h_calls"
    app.number_input(key=repeats).set_value(int(record.get("repeat_2h_calls")) - 80).run()
    assert {label: v for label, v, _ in metrics(app)}["模拟总分"] == "74.57"
    app.button(key="sim_reset").click().run()
    assert app.number_input(key=repeats).value == int(record.get("repeat_2h_calls"))
    assert {label: v for label, v, _ in metrics(app)}["模拟总分"] == fmt2(card("远景服务").total)
    correct = f"sim|远景服务|{LAST}|dial_tests_correct"
    app.number_input(key=correct).set_value(int(record.get("dial_tests_correct")) + 1).run()
    expected = simulate(record, RULES, {"dial_tests_correct": int(record.get("dial_tests_correct")) + 1})
    assert {label: v for label, v, _ in metrics(app)}["模拟总分"] == fmt2(expected.total)


def test_simulation_ranks_actions_by_the_money_they_bring(app):
    goto(app, "simulate")
    vendor = app.sidebar.selectbox(key="vendor").value
    moves = [m for m in next_points(_june_record(vendor), RULES) if m.kind not in ("full", "not_assessed")]
    expected = sorted(
        moves, key=lambda m: (-(m.payout_after - m.payout_before), -(m.total_after - m.total_before), m.label)
    )
    listing = next(m.value for m in app.markdown if m.value.startswith("- "))
    lines = listing.splitlines()
    assert len(lines) == len(moves)
    for line, move in zip(lines, expected, strict=True):
        assert f"**应付 +{move.payout_after - move.payout_before:,.2f} 元**" in line and move.label in line
    gains = [Decimal(line.split("应付 ")[1].split(" 元")[0].replace(",", "")) for line in lines]
    assert gains == sorted(gains, reverse=True)


def test_simulation_warns_at_a_cliff(app):
    """Two more repeats past 17% lose the metric's 7 points: the page says so, with the money."""
    app.sidebar.selectbox(key="vendor").set_value("远景服务").run()
    goto(app, "simulate")
    record = _june_record("远景服务")
    edge = int(record.get("connected_calls")) * 17 // 100 - 1  # 1,341 of 7,895 = 16.99%
    app.number_input(key=f"sim|远景服务|{LAST}|repeat_2h_calls").set_value(edge).run()
    warnings = [w.value for w in app.warning]
    assert any(
        w.startswith("再多 2 次2小时重复呼叫，二小时重复拨打率将失去 7.01 分（7.01 → 0 分）")
        for w in warnings
    )


def test_simulation_explains_zero_connected_calls(app):
    """Zeroing 接通量 makes the rate metrics 未考核 (their maximum leaves the category): said, not a
    silent jump of the total."""
    goto(app, "simulate")
    vendor = app.sidebar.selectbox(key="vendor").value
    app.number_input(key=f"sim|{vendor}|{LAST}|connected_calls").set_value(0).run()
    info = next(i.value for i in app.info if "按未考核处理" in i.value)
    assert info.startswith("「接通量」为 0，二小时重复拨打率、服务请求支撑率")
    shown = {label: (v, delta) for label, v, delta in metrics(app)}
    assert f"所以总分 {shown['模拟总分'][1]}" in info


def test_simulation_gate_says_the_shortfall(app):
    goto(app, "simulate")
    vendor = app.sidebar.selectbox(key="vendor").value
    app.number_input(key=f"sim|{vendor}|{LAST}|tickets_created").set_value(1).run()
    listing = next(m.value for m in app.markdown if m.value.startswith("- "))
    line = next(x for x in listing.splitlines() if "工单准确率" in x)
    assert "建单率" in line and "未达门槛" in line and "个百分点" in line
    assert "由 0 分变为 0 分" not in listing


# ------------------------------------------------------------------ 数据检查 and bad uploads
def test_checks_on_sample_data_pass(app):
    goto(app, "checks")
    assert any("检查通过：24 行（4 家外包公司 × 6 个月）" in s.value for s in app.success)
    coverage = app.dataframe[0].value
    assert coverage.shape == (4, 6)


def test_checks_page_tells_the_skipped_rows(app):
    """A 小计 row mid-table is skipped, the rows after it read, and the page says which row (as text)."""
    from tests.workbooks import row, xlsx_bytes

    data = xlsx_bytes([row(), ["2024-05", "小计", 1], row(vendor="[点我](https://example.invalid)")])
    app.sidebar.file_uploader(key="workbook_upload").upload("小计.xlsx", data, "application/octet-stream")
    app.run()
    goto(app, "checks")
    assert any("读取工作簿时有 1 条说明" in w.value for w in app.warning)
    assert [t.value for t in app.text] == [
        "文件「小计.xlsx」，工作表「月度指标」，第 3 行：「小计」是合计行，不计为外包公司，已跳过"
    ]
    assert any("检查通过：2 行（2 家外包公司 × 1 个月）" in s.value for s in app.success)


def bad_rows() -> list[list[object]]:
    rows = sample_rows()
    header = rows[1]
    rows[2][header.index("接通量")] = ""  # blank where a number is required
    rows[3][header.index("质量拨测正确数")] = 999  # more correct than tested
    rows[4][header.index("业务稽核合格率")] = "很好"
    return rows


def test_bad_upload_shows_the_report_never_a_traceback(app):
    data = csv_bytes(bad_rows())
    app.sidebar.file_uploader(key="workbook_upload").upload("坏数据.csv", data, "text/csv")
    app.run()
    assert not app.exception
    expected = d.assess_bytes(data, "坏数据.csv", d.default_rules_text()).problems
    assert len(expected) == 3
    assert any("发现 3 处问题" in e.value for e in app.error)
    for page in ("scorecard", "trends", "agents", "settlement", "simulate", "overview"):
        goto(app, page)
        assert any("未评分" in e.value for e in app.error), page
    goto(app, "checks")
    report = app.dataframe[0].value
    assert len(report) == 3
    assert list(report["行"]) == [str(p.row) for p in expected]
    assert list(report["问题"]) == [p.message for p in expected]
    assert "空白不等于 0" in " ".join(report["问题"])


def test_unreadable_upload_is_reported(app):
    app.sidebar.file_uploader(key="workbook_upload").upload(
        "旧格式.xls", b"\xd0\xcf\x11\xe0not really", "application/vnd.ms-excel"
    )
    app.run()
    assert not app.exception
    goto(app, "checks")
    assert not app.exception
    assert len(app.dataframe[0].value) == 1


def test_broken_rulebook_upload_is_reported(app):
    app.sidebar.radio(key="rules_choice").set_value("上传规则本").run()
    app.sidebar.file_uploader(key="rules_upload").upload(
        "我的规则.toml", b"[contract\nname = 1", "application/toml"
    )
    app.run()
    assert not app.exception
    assert any("规则本中发现" in e.value for e in app.error)
    goto(app, "checks")
    assert any("规则本有" in e.value for e in app.error)


def test_uploaded_rulebook_changes_the_scores(app):
    text = d.default_rules_text().replace('unit_price = "0.85"', 'unit_price = "1.00"')
    app.sidebar.radio(key="rules_choice").set_value("上传规则本").run()
    app.sidebar.file_uploader(key="rules_upload").upload(
        "我的规则.toml", text.encode("utf-8"), "application/toml"
    )
    app.run()
    expected = d.assess_bytes(SAMPLE.read_bytes(), SAMPLE.name, text, "我的规则.toml").card("华信客服", LAST)
    assert app.metric[1].value == f"{expected.settlement.payout:,.2f}"
    assert expected.settlement.payout != card("华信客服").settlement.payout


def _page_text(at: AppTest) -> str:
    """Every text the page shows (alerts, markdown, captions, titles, expanders, exceptions)."""
    parts = [
        e.value
        for kind in ("error", "warning", "info", "success", "markdown", "caption", "title")
        for e in at.get(kind)
    ]
    parts += [e.label for e in at.expander] + [str(e.value) for e in at.exception]
    return "\n".join(parts)


def test_a_page_bug_is_contained(app, monkeypatch, caplog):
    def broken(cards):
        raise RuntimeError("boom in /srv/secret/path.py")

    monkeypatch.setattr(settlement_views, "settlement_table", broken)
    with caplog.at_level("ERROR", logger="dashboard"):
        app.switch_page("app_pages/settlement.py").run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and errors[0].startswith("页面出错，未能显示（参考编号 ")
    reference = errors[0].split("参考编号 ")[1][:8]
    text = _page_text(app)
    assert "boom" not in text and "/srv/" not in text and "Traceback" not in text and "技术细节" not in text
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and "boom in /srv/secret/path.py" in str(logged[0].exc_info[1])
    # the sidebar still works: the user can go on to another page
    goto(app, "overview")
    assert app.metric[0].value == fmt2(card("华信客服").total)


def test_an_error_while_loading_is_contained_too(monkeypatch, caplog):
    """build_context (the sidebar and the load) runs inside the boundary as well."""

    def broken(*args, **kwargs):
        raise ValueError("bad state at /home/app/kpi/x.py")

    monkeypatch.setattr(d, "cached_score", broken)
    at = AppTest.from_file(APP, default_timeout=60)
    with caplog.at_level("ERROR", logger="dashboard"):
        at.run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("页面出错，未能显示（参考编号 ")
    assert "/home/app" not in _page_text(at)
    reference = at.error[0].value.split("参考编号 ")[1][:8]
    assert any(reference in r.getMessage() for r in caplog.records)


def test_error_details_are_off_in_the_server_config():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_extra_detail_cache_key_covers_names_and_bytes():
    same = b"caller,time\n"
    assert d.uploads_key("k", ((same, "甲.csv"),)) != d.uploads_key("k", ((same, "乙.csv"),))
    assert d.uploads_key("k", ((same, "甲.csv"),)) != d.uploads_key("k", ((same + b"x", "甲.csv"),))
    assert d.uploads_key("k", ((same, "甲.csv"),)) == d.uploads_key("k", ((same, "甲.csv"),))
    assert d.uploads_key("k", ()) == "k"


def test_simulation_warns_about_impossible_inputs(app):
    goto(app, "simulate")
    vendor = app.sidebar.selectbox(key="vendor").value
    app.number_input(key=f"sim|{vendor}|{LAST}|dial_tests_correct").set_value(100_000).run()
    assert any("「质量拨测正确数」大于「质量拨测数」" in w.value for w in app.warning)
    assert not app.exception


def _bad_corpus_sample():
    from tests.test_corpus import BAD

    return BAD[::4]  # a spread of the bad corpus: the whole of it runs through the CLI in test_corpus


@pytest.mark.parametrize("case", _bad_corpus_sample(), ids=lambda c: c.id)
def test_checks_page_lists_what_kpi_validate_lists(app, case, tmp_path):
    from click.testing import CliRunner

    from kpi.cli.commands import main

    data = case.make()
    (tmp_path / case.name).write_bytes(data)
    printed = CliRunner().invoke(main, ["validate", str(tmp_path / case.name)]).output.splitlines()[1:]
    app.sidebar.file_uploader(key="workbook_upload").upload(case.name, data, "application/octet-stream")
    app.run()
    goto(app, "checks")
    report = app.dataframe[0].value
    assert len(report) == len(printed) > 0
    for line, (_, shown) in zip(printed, report.iterrows(), strict=True):
        assert shown["问题"] in line
        assert (f"第 {shown['行']} 行" in line) if shown["行"] else ("行，" not in line)


def test_problem_list_download_keeps_found_values_inert():
    from kpi.errors import Problem

    data = checks.problems_csv(
        [Problem("无法识别的值", file="a.csv", sheet="a", row=3, column="接通量", value="=1+1")]
    )
    assert data.decode("utf-8-sig").splitlines()[1] == "1,a.csv,a,3,接通量,'=1+1,,无法识别的值"


def test_a_month_of_detail_in_extra_uploaded_files(app, tmp_path):
    """A summary workbook without detail, plus the month's calls in two CSV files (one GB18030)."""
    from tests.builders import SPEC_EXAMPLE, write_summary

    summary = write_summary(tmp_path / "5月汇总.xlsx", [SPEC_EXAMPLE]).read_bytes()
    head = "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n"
    first = head + "13800000001,2024-05-10 10:00:00,是,2024-05-10 10:00:10,J1,甲公司\n"
    first += "13800000001,2024-05-10 11:00:00,否,,,\n"  # J1's caller re-enters within 2 hours
    second = head + "13900000002,2024-05-10 10:00:00,是,2024-05-10 10:00:30,J2,甲公司\n"
    second += "13700000003,2024-05-10 10:00:00,是,2024-05-10 10:00:30,J2,甲公司\n"
    app.sidebar.file_uploader(key="workbook_upload").upload("5月汇总.xlsx", summary)
    app.sidebar.file_uploader(key="detail_upload").set_value(
        [
            ("明细1.csv", first.encode("utf-8"), "text/csv"),
            ("明细2.csv", second.encode("gb18030"), "text/csv"),
        ]
    )
    app.run()
    assert not app.exception
    goto(app, "agents")
    table = shown_table(app, "坐席工号", "得分")
    assert list(zip(table["坐席工号"], table["接通量"], table["2小时重复呼叫数"], strict=True)) == [
        ("J1", 1, 1),
        ("J2", 2, 0),
    ]
    goto(app, "scorecard")
    shown = {m.label: m.value for m in app.metric}
    assert shown["话务酬金(元)"] == "2.55"  # 3 valid calls from the detail × 0.85, not the summary's 9,800


def test_a_load_over_the_time_limit_is_a_clear_problem(monkeypatch):
    from dashboard import worker

    def slow(*args, **kwargs):
        raise worker.TimedOut(300)

    monkeypatch.setattr(d, "cached_detail", slow)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["工作簿中发现 1 处问题，未评分。请修正后重新上传。"]
    report = shown_table(at, "问题", "应为")
    assert report.iloc[0]["问题"] == "处理超过 300 秒仍未完成，已停止（其他用户不受影响）"
    assert report.iloc[0]["文件"] == "monthly_2024H1.xlsx"


def test_a_rulebook_error_is_the_rulebooks_with_its_key_and_nothing_claims_success(app):
    """Defect 9: a rulebook's problem is reported as the rulebook's, with its key path; 数据检查 does
    not then say 检查通过 nor 本工作簿没有话务明细."""
    text = d.default_rules_text().replace(
        'curve = [["14", "10"], ["17", "7"]]', 'curve = [["17", "10"], ["14", "7"]]'
    )
    app.sidebar.radio(key="rules_choice").set_value("上传规则本").run()
    app.sidebar.file_uploader(key="rules_upload").upload(
        "我的规则.toml", text.encode("utf-8"), "application/toml"
    )
    app.run()
    assert [e.value for e in app.error] == ["规则本中发现 1 处问题，未评分。请修正后重新上传。"]
    listed = shown_table(app, "问题", "键")
    assert list(listed["键"]) == ["metrics[1].curve"] and list(listed["文件"]) == ["我的规则.toml"]
    goto(app, "checks")
    report = shown_table(app, "问题", "键")
    assert report.iloc[0]["键"] == "metrics[1].curve"
    assert report.iloc[0]["问题"] == "曲线的点必须按 x 严格递增排列"
    assert not any("检查通过" in s.value for s in app.success)
    assert not any("本工作簿没有话务明细" in i.value for i in app.info)
    assert any("规则本有误" in w.value for w in app.warning)


def test_a_misspelt_header_and_a_text_file_are_named_as_such_on_the_page(app):
    """Defect 9: the header found and its column letter; a .txt renamed .xlsx is said to be no Excel."""
    rows = sample_rows()
    rows[1][rows[1].index("接通量")] = "接通数量"
    app.sidebar.file_uploader(key="workbook_upload").upload("表头.csv", csv_bytes(rows), "text/csv")
    app.run()
    report = shown_table(app, "问题", "发现")
    assert report.iloc[0]["问题"] == "缺少必需的列「接通量」，该列表头无法识别"
    assert report.iloc[0]["列"] == "D" and report.iloc[0]["发现"] == "接通数量"
    assert "connected_calls" not in report.iloc[0]["应为"]
    app.sidebar.file_uploader(key="workbook_upload").upload(
        "说明.xlsx", "这不是表格\n".encode(), "application/octet-stream"
    )
    app.run()
    report = shown_table(app, "问题", "发现")
    assert report.iloc[0]["问题"] == "文件扩展名是 .xlsx，但内容是纯文本，不是 Excel 工作簿"


def test_vendor_names_written_as_markdown_are_shown_as_text(app):
    """Issue 9: a vendor named like a Markdown link or image is escaped wherever Markdown renders it
    (card title, page title); the browser test checks that nothing is fetched."""
    from dashboard.views.common import md

    link, image = "[点我](https://example.invalid)", "![x](https://example.invalid/p.png)"
    rows = sample_rows()
    for row in rows[2:]:
        row[1] = {"联创呼叫": link, "远景服务": image}.get(row[1], row[1])
    app.sidebar.file_uploader(key="workbook_upload").upload("名称.csv", csv_bytes(rows), "text/csv")
    app.run()
    assert not app.exception
    headings = [h.value for h in app.subheader]
    assert md(link) in headings and md(image) in headings
    assert all("](" not in h for h in headings)
    app.sidebar.selectbox(key="vendor").set_value(link).run()
    goto(app, "scorecard")
    assert app.title[0].value == f"评分卡 · {md(link)} · {LAST}"
    goto(app, "simulate")
    assert app.title[0].value == f"模拟 · {md(link)} · {LAST}"


def test_the_app_says_zuoxi_one_way(app):
    """Defect 11: 坐席 throughout the app's own words and the inputs it names (the summary's column
    座席总数 is accepted under both spellings); only quoted contract clauses keep 座席代表."""
    seen = []
    for page in ("overview", "scorecard", "agents", "simulate", "checks"):
        goto(app, page)
        texts = [
            e.value for kind in ("markdown", "caption", "info", "warning", "title") for e in app.get(kind)
        ]
        texts += [n.label for n in app.number_input] + [m.label for m in app.metric]
        texts += [str(v) for f in app.dataframe for v in f.value.astype(str).to_numpy().ravel()]
        seen += [t for t in texts if "：「" not in t]  # a clause is quoted as **label**：「…」
    assert any("坐席总数" in t for t in seen)
    assert [t for t in seen if "座席" in t] == []


def test_checks_page_names_a_partly_covered_month_as_text(app, monkeypatch):
    note = "2024-06 的话务明细只覆盖部分月份：最晚的呼叫在 06-05 18:00（月末之前超过 1 天）。该月按明细中的呼叫计算，请核对是否缺少数据。"
    monkeypatch.setattr(
        d,
        "cached_detail",
        lambda key, name, text, rules_source, _data, _records, *_: (
            _records,
            None,
            None,
            (),
            None,
            (note, "[点我](https://example.invalid).csv：1 通呼叫的接通时间比入队时间早 5 秒以内"),
        ),
    )
    goto(app, "checks")
    assert any("话务明细有 2 条提示" in w.value for w in app.warning)
    assert [t.value for t in app.text][-2:] == [
        note,
        "[点我](https://example.invalid).csv：1 通呼叫的接通时间比入队时间早 5 秒以内",
    ]


def test_a_platform_export_through_a_builtin_source(tmp_path):
    from tests import platform_files as pf

    extra = (
        (pf.queue_log(pf.sample_calls()), "queue_log.txt"),
        (pf.roster_csv(lambda a: f"SIP/{a}"), "坐席名册.csv"),
    )
    loaded = d.assess_bytes(
        SAMPLE.read_bytes(),
        SAMPLE.name,
        d.default_rules_text(),
        extra=extra,
        source=d.builtin_source("asterisk-queue-log"),
    )
    assert loaded.problems == (), loaded.problems
    agents = set(loaded.agents["agent_id"])  # the workbook's own June detail, and the log's calls
    assert {"SIP/301", "SIP/302", "SIP/401", "SIP/402", "ZH1002"} <= agents
