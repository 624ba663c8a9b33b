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
from kpi.money import fmt2
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
    per_card = len(shown) // len(june)
    assert per_card == 2 + sum(m.direction == "lower_better" for m in RULES.metrics)
    for i, c in enumerate(june):
        total, payout, *rates = shown[i * per_card : (i + 1) * per_card]
        assert total[:2] == ("总分", fmt2(c.total))
        assert Decimal(total[2]) == c.total - may[c.vendor].total
        assert payout[:2] == ("应付金额(元)", f"{c.settlement.payout:,.2f}")
        assert Decimal(payout[2].replace(",", "")) == c.settlement.payout - may[c.vendor].settlement.payout
        assert rates[0][0] == "二小时重复拨打率"
    # the Chinese headings of the cards follow the ranking
    assert [h.value for h in app.subheader][: len(june)] == [c.vendor for c in june]
    assert app.metric[0].value == fmt2(card("华信客服").total) == "97.48"


def test_overview_lower_is_better_rates_are_coloured_inversely(app):
    from streamlit.proto.Metric_pb2 import Metric

    lower = {m.label for m in RULES.metrics if m.direction == "lower_better"}
    checked = 0
    for m in app.metric:
        if (
            not m.delta
            or m.delta.lstrip("+-").rstrip("%‱").replace(",", "").replace(".", "").strip("0") == ""
        ):
            continue
        falling = m.delta.startswith("-")
        good = falling if m.label in lower else not falling
        assert m.proto.color == (Metric.MetricColor.GREEN if good else Metric.MetricColor.RED), m.label
        checked += 1
    assert checked >= 12


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
    table = shown_table(app, "指标", "计分说明", "条款")
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
    table = shown_table(app, "指标", "计分说明", "条款")
    row = table[table["指标"] == "在线监听正确率"].iloc[0]
    assert row["得分"] == "未考核"
    assert any("未考核" in i.value and "在线监听正确率" in i.value for i in app.info)
    expected = d.assess_bytes(csv_bytes(rows), "月度指标.csv", d.default_rules_text()).card("华信客服", LAST)
    assert {label: v for label, v, _ in metrics(app)}["总分"] == fmt2(expected.total)


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
    table = shown_table(app, "坐席工号", "得分")
    detail = assess(SAMPLE, RULES).detail.measure
    assert len(table) == len(detail.agents)
    assert table["接通量"].sum() == sum(v.connected_calls for v in detail.vendors)


def test_agents_without_call_detail_says_so(app, monkeypatch):
    monkeypatch.setattr(
        d,
        "cached_detail",
        lambda key, name, text, rules_source, _data, _records, _extra=(), source=("", ""): (
            _records,
            None,
            None,
            (),
            (),
        ),
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
        lambda key, name, text, rules_source, _data, _records, _extra=(), source=("", ""): (
            _records,
            agents,
            None,
            (),
            (),
        ),
    )
    goto(app, "agents")
    table = shown_table(app, "坐席工号", "得分")
    assert list(table["坐席工号"]) == ["A01", "A02", "B01"]
    worst = app.dataframe[1].value
    assert worst.iloc[0]["坐席工号"] == "A01" and worst.iloc[0]["拖累公司得分"] == 1.0
    app.text_input(key="agents_query").set_value("b0").run()
    assert list(shown_table(app, "坐席工号", "得分")["坐席工号"]) == ["B01"]


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


# ------------------------------------------------------------------ 数据检查 and bad uploads
def test_checks_on_sample_data_pass(app):
    goto(app, "checks")
    assert any("检查通过：24 行（4 家外包公司 × 6 个月）" in s.value for s in app.success)
    coverage = app.dataframe[0].value
    assert coverage.shape == (4, 6)


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


def test_a_page_bug_is_contained(app, monkeypatch):
    def broken(cards):
        raise RuntimeError("boom")

    monkeypatch.setattr(settlement_views, "settlement_table", broken)
    app.switch_page("app_pages/settlement.py").run()
    assert any("页面出错" in e.value for e in app.error)
    assert len(app.expander) >= 1 and app.expander[-1].label == "技术细节"
    # the sidebar still works: the user can go on to another page
    goto(app, "overview")
    assert app.metric[0].value == fmt2(card("华信客服").total)


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


def test_checks_page_names_a_partly_covered_month_as_text(app, monkeypatch):
    note = "2024-06 的话务明细只覆盖部分月份：最晚的呼叫在 06-05 18:00（月末之前超过 1 天）。该月按明细中的呼叫计算，请核对是否缺少数据。"
    monkeypatch.setattr(
        d,
        "cached_detail",
        lambda key, name, text, rules_source, _data, _records, _extra=(), source=("", ""): (
            _records,
            None,
            None,
            (),
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
