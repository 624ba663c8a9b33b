"""Chart functions checked on their figure data, and the views that feed them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from dashboard import charts
from dashboard.views import agents as agent_views
from dashboard.views import common, overview, scorecard, settlement, simulate, trends
from kpi.pipeline import assess
from kpi.rules.rulebook import load_rulebook
from tests.paths import SAMPLE
from tests.scoring.test_whatif import vm

RULES = load_rulebook()
CARDS = assess(SAMPLE, RULES).cards
JUNE = [c for c in CARDS if c.month == "2024-06"]


def test_waterfall_of_the_worked_example_by_hand():
    from kpi.scoring.scorecard import score

    card = score(vm(), RULES)
    start, steps, total = scorecard.waterfall_steps(card)
    assert start == Decimal("100.00")
    assert steps == [
        ("二小时重复拨打率", Decimal("-3.00")),  # 1.5 / 15 × 30
        ("服务请求支撑率", Decimal("-1.60")),  # 0.8 / 15 × 30
        ("质量拨测正确率", Decimal("-2.57")),  # 1.5 / 35 × 60
        ("在线监听正确率", Decimal("-3.09")),  # 1.8 / 35 × 60
        ("服务万次投诉率", Decimal("-1.29")),
        ("工单准确率", Decimal("-2.14")),
        ("不满意回访率", Decimal("-1.29")),
        (
            "取整差额（服务表现）",
            Decimal("0.01"),
        ),  # a rounding step, not a metric (defect 11)  # 60 − 10.38 = 49.62, the category prints 49.63
        ("业务考试", Decimal("-8.00")),  # 4 / 5 × 10
        ("升级投诉", Decimal("-10.00")),
        ("业务稽核合格率", Decimal("-1.50")),
        ("台账自查缺失", Decimal("-2.00")),
    ]
    assert total == Decimal("63.53")


@pytest.mark.parametrize("card", CARDS, ids=lambda c: f"{c.vendor}-{c.month}")
def test_waterfall_steps_sum_to_the_total(card):
    start, steps, total = scorecard.waterfall_steps(card)
    assert start + sum(v for _, v in steps) == card.total == total
    fig = charts.waterfall(start, steps, total)
    trace = fig.data[0]
    assert list(trace.measure) == ["absolute", *["relative"] * len(steps), "total"]
    assert trace.x[0] == "满分" and trace.x[-1] == "总分"
    y = [Decimal(str(v)) for v in trace.y]
    assert (y[0] + sum(y[1:-1])).quantize(Decimal("0.01")) == y[-1] == card.total


@pytest.mark.parametrize("metric", [m for m in RULES.metrics if m.curve is not None], ids=lambda m: m.id)
def test_bullet_bands_are_the_rulebook_thresholds(metric):
    card = JUNE[0]
    score_ = next(m for m in card.metrics if m.id == metric.id)
    spec = scorecard.bullet_spec(metric, score_.value)
    fig = charts.bullet(metric.label, float(score_.value), spec, "1.00", "5.00")
    steps = fig.data[0].gauge.steps
    xs = [float(x) for x, _ in metric.curve.points]
    best, worst = (xs[0], xs[-1]) if metric.direction == "lower_better" else (xs[-1], xs[0])
    edges = [(s.range[0], s.range[1], s.color) for s in steps]
    if metric.direction == "lower_better":
        assert [e[1] for e in edges[:2]] == [best, worst]
        assert [e[2] for e in edges] == [common.GREEN, common.AMBER, common.RED]
    else:
        assert [e[1] for e in edges[:2]] == [worst, best]
        assert [e[2] for e in edges] == [common.RED, common.AMBER, common.GREEN]
    assert edges[0][1] == edges[1][0] and edges[1][1] == edges[2][0]  # contiguous
    assert fig.data[0].gauge.threshold.value == best  # the target line
    assert fig.data[0].value == float(score_.value)
    assert fig.data[0].mode == "gauge"  # no number drawn in the figure, where it was clipped (defect 2)
    lo, hi = fig.data[0].gauge.axis.range
    assert lo <= float(score_.value) <= hi


def test_repeat_bullet_bands_exactly():
    spec = scorecard.bullet_spec(RULES.metric("repeat_2h"), None)
    fig = charts.bullet("二小时重复拨打率", None, spec, "0", "10")
    ranges = [tuple(s.range) for s in fig.data[0].gauge.steps]
    assert ranges[0][1] == 14.0 and ranges[1] == (14.0, 17.0) and ranges[2][0] == 17.0


def test_heat_map_statuses_and_labels():
    cells = overview.heat_cells(JUNE, RULES)
    fig = charts.heat_map(cells)
    trace = fig.data[0]
    vendors = sorted(c.vendor for c in JUNE)
    assert list(trace.x) == vendors  # vendors across, metrics down: short labels fit a phone (defect 3)
    assert list(trace.y) == [f"{m.label}（满分 {m.max_points.normalize():f}）" for m in JUNE[0].metrics]
    for j, vendor in enumerate(vendors):
        card = next(c for c in JUNE if c.vendor == vendor)
        for i, m in enumerate(card.metrics):
            expected = common.status(m, RULES.metric(m.id))
            assert trace.z[i][j] == charts.STATUS_CODE[expected]
            assert trace.text[i][j] == (f"{m.points:.2f}" if m.assessed else "未考核")
    assert trace.y[0] == "二小时重复拨打率（满分 10）"
    # 联创呼叫's repeat rate is above 17%: 0 points, red; a full mark is green
    assert trace.z[0][vendors.index("联创呼叫")] == charts.STATUS_CODE["red"]
    assert trace.z[0][vendors.index("华信客服")] == charts.STATUS_CODE["green"]


def test_status_bands():
    from kpi.scoring.scorecard import score

    card = score(vm(), RULES)
    got = {m.id: common.status(m, RULES.metric(m.id)) for m in card.metrics}
    assert got["repeat_2h"] == "amber"  # 15.5%: between 14% and 17%
    assert got["business_exam"] == "red"  # 1 < 3.5
    card = score(vm(repeat_2h_calls=1800, monitored_calls=0, monitored_correct=0), RULES)
    got = {m.id: common.status(m, RULES.metric(m.id)) for m in card.metrics}
    assert got["repeat_2h"] == "red" and got["monitoring_accuracy"] == "na"


def test_status_follows_the_value_band_not_the_points():
    """Defect 4: a value short of the baseline that the curve still gives the baseline's points is red,
    as the 评分卡 bullet draws it; exactly on the baseline is amber, exactly on the target green."""
    from dataclasses import replace

    from kpi.scoring.scorecard import score

    rule = RULES.metric("repeat_2h")
    m = next(x for x in score(vm(), RULES).metrics if x.id == "repeat_2h")
    past = replace(m, value=Fraction(18), points=Decimal("7.00"))  # 18% > 17%, yet the baseline's 7 points
    assert common.status(past, rule) == "red"
    assert common.status(replace(m, value=Fraction(17), points=Decimal("7.00")), rule) == "amber"
    assert common.status(replace(m, value=Fraction(14), points=Decimal("10.00")), rule) == "green"
    gated = replace(m, value=Fraction(14), points=Decimal("0.00"))  # in the green band, but gated to 0
    assert common.status(gated, rule) == "red"


def test_ranking_bar_order_and_values():
    frame = overview.ranking(JUNE)
    fig = charts.ranking_bar(frame)
    trace = fig.data[0]
    totals = sorted((float(c.total), c.vendor) for c in JUNE)
    assert list(trace.y) == [v for _, v in totals]  # best at the top of a horizontal bar chart
    assert list(trace.x) == [t for t, _ in totals]
    assert tuple(fig.layout.xaxis.range) == (0, 100)  # a score's scale, whatever the data (defect 5)


def test_ranking_bar_of_one_low_vendor_keeps_the_full_scale():
    import pandas as pd

    fig = charts.ranking_bar(pd.DataFrame({"外包公司": ["甲"], "总分": [33.0], "总分文本": ["33.00"]}))
    assert tuple(fig.layout.xaxis.range) == (0, 100)
    assert fig.data[0].cliponaxis is False


def test_trend_lines_draw_baseline_and_target():
    rule = RULES.metric("repeat_2h")
    baseline, target = trends.trend_lines_for(rule)
    assert (baseline, target) == (17.0, 14.0)
    frame = trends.trend(list(CARDS), "repeat_2h")
    fig = charts.trend_lines(frame, rule.label, "%", baseline, target)
    vendors = sorted({c.vendor for c in CARDS})
    assert [t.name for t in fig.data] == [*vendors, "基准值 17%", "目标值 14%"]
    lines = {t.name: t for t in fig.data}
    assert set(lines["基准值 17%"].y) == {17.0} and lines["基准值 17%"].line.color == common.RED
    assert set(lines["目标值 14%"].y) == {14.0} and lines["目标值 14%"].line.color == common.GREEN
    huaxin = lines["华信客服"]
    expected = [
        float(round(next(m for m in c.metrics if m.id == "repeat_2h").value, 4))
        for c in sorted(CARDS, key=lambda c: c.month)
        if c.vendor == "华信客服"
    ]
    assert list(huaxin.y) == pytest.approx(expected)
    assert trends.trend_lines_for(RULES.metric("business_exam")) == (None, None)


def test_trend_lines_never_share_the_baselines_red_nor_label_the_points():
    """Defect 12: vendor lines are not red (nor the target's green / amber); the baseline and target are
    named in the legend, not by labels drawn over the points."""
    frame = trends.trend(list(CARDS), "repeat_2h")
    fig = charts.trend_lines(frame, "二小时重复拨打率", "%", 17.0, 14.0)
    vendor_colours = {t.line.color for t in fig.data if t.name in {c.vendor for c in CARDS}}
    assert not vendor_colours & {common.RED, common.GREEN, common.AMBER, "#e15759", "#59a14f"}
    assert not fig.layout.annotations


def test_a_month_not_assessed_is_marked_not_a_silent_gap():
    import pandas as pd

    frame = pd.DataFrame(
        {"月份": ["2024-01", "2024-02", "2024-03"], "外包公司": ["甲"] * 3, "值": [15.0, None, 16.0]}
    )
    fig = charts.trend_lines(frame, "二小时重复拨打率", "%", 17.0, 14.0)
    marks = next(t for t in fig.data if t.name == "未考核")
    assert list(marks.x) == ["2024-02"] and list(marks.customdata) == ["甲"]


def test_rate_histogram():
    import pandas as pd

    fig = charts.rate_histogram(pd.Series([10.0, 15.0, 20.0]), 17.0, 14.0, "分布")
    assert list(fig.data[0].x) == [10.0, 15.0, 20.0]
    assert sorted(s.x0 for s in fig.layout.shapes) == [14.0, 17.0]


def test_settlement_table_totals_are_sums_of_lines():
    from kpi.reports.statement import statement_rows

    table = settlement.settlement_table(JUNE)
    rows, totals = statement_rows(JUNE)
    assert list(table.columns)[-2:] == ["应付金额(元)", "数据来源"]
    assert table.iloc[-1, 0] == "合计"
    assert table.iloc[-1, -2] == f"{totals['payout']:,.2f}"
    assert table.iloc[0, -1].startswith("话务明细（")  # June's figures came from the sample's detail
    assert totals["payout"] == sum(c.settlement.payout for c in JUNE)


def test_agents_table_adds_the_cost():
    import pandas as pd

    agents = pd.DataFrame(
        {
            "agent_id": ["A", "B"],
            "vendor": ["甲", "甲"],
            "connected_calls": [1000, 1000],
            "repeat_2h_calls": [200, 100],
            "rate": [0.2, 0.1],  # a fraction here: the table recomputes percent from the counts
            "points": [0.0, 10.0],
        }
    )
    table = agent_views.agents_table(agents, RULES)
    assert list(table["拖累公司得分"]) == [1.0, 0.0]
    assert list(table["超目标重复数"]) == [60, 0]
    assert list(table["重复拨打率(%)"]) == [20.0, 10.0]


def test_over_limits():
    assert simulate.over_limits(
        {"dial_tests": 10, "dial_tests_correct": 11, "exam_takers": 1, "agents_total": 5}
    ) == ["「质量拨测正确数」大于「质量拨测数」"]


def test_user_text_is_escaped_for_markdown():
    """Vendor names, agent ids and cell values go into titles and alerts as text, never markup."""
    j = common.WORD_JOINER
    assert common.md("联创呼叫") == "联创呼叫"
    assert common.md("[点我](https://example.invalid)") == f"\\[点我\\]\\(https\\:{j}//example.invalid\\)"
    assert common.md("![x](https://example.invalid/p.png)").startswith("\\!\\[x\\]\\(")
    assert common.md(":red[警告] $x^2$") == "\\:red\\[警告\\] \\$x\\^2\\$"
    assert common.md(":smile: :material/home:") == f"\\:{j}smile\\: \\:{j}material/home\\:"
    assert common.md("- 1. <b>") == "\\- 1. \\<b\\>"
    assert common.md("第一行\n# 第二行") == "第一行 \\# 第二行"
    assert charts.plain("<a href='x'>甲</a>") == "&lt;a href='x'&gt;甲&lt;/a&gt;"
