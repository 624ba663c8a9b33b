"""Chart functions checked on their figure data, and the views that feed them."""

from __future__ import annotations

from decimal import Decimal

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
        ("服务表现取整", Decimal("0.01")),  # 60 − 10.38 = 49.62, the category prints 49.63
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
    assert list(trace.y) == vendors
    assert list(trace.x) == [m.label for m in RULES.metrics]
    for i, vendor in enumerate(vendors):
        card = next(c for c in JUNE if c.vendor == vendor)
        for j, m in enumerate(card.metrics):
            expected = common.status(m, RULES.metric(m.id))
            assert trace.z[i][j] == charts.STATUS_CODE[expected]
            assert trace.text[i][j] == (f"{m.points:.2f}/{m.max_points:.2f}" if m.assessed else "未考核")
    # 联创呼叫's repeat rate is above 17%: 0 points, red; a full mark is green
    lianchuang = vendors.index("联创呼叫")
    assert trace.z[lianchuang][0] == charts.STATUS_CODE["red"]
    huaxin = vendors.index("华信客服")
    assert trace.z[huaxin][0] == charts.STATUS_CODE["green"]


def test_status_bands():
    from kpi.scoring.scorecard import score

    card = score(vm(), RULES)
    got = {m.id: common.status(m, RULES.metric(m.id)) for m in card.metrics}
    assert got["repeat_2h"] == "amber"  # 8.5 ≥ 7 (baseline), < 10
    assert got["business_exam"] == "red"  # 1 < 3.5
    card = score(vm(repeat_2h_calls=1800, monitored_calls=0, monitored_correct=0), RULES)
    got = {m.id: common.status(m, RULES.metric(m.id)) for m in card.metrics}
    assert got["repeat_2h"] == "red" and got["monitoring_accuracy"] == "na"


def test_ranking_bar_order_and_values():
    frame = overview.ranking(JUNE)
    fig = charts.ranking_bar(frame)
    trace = fig.data[0]
    totals = sorted((float(c.total), c.vendor) for c in JUNE)
    assert list(trace.y) == [v for _, v in totals]  # best at the top of a horizontal bar chart
    assert list(trace.x) == [t for t, _ in totals]


def test_trend_lines_draw_baseline_and_target():
    rule = RULES.metric("repeat_2h")
    baseline, target = trends.trend_lines_for(rule)
    assert (baseline, target) == (17.0, 14.0)
    frame = trends.trend(list(CARDS), "repeat_2h")
    fig = charts.trend_lines(frame, rule.label, "%", baseline, target)
    assert sorted(t.name for t in fig.data) == sorted({c.vendor for c in CARDS})
    assert sorted(s.y0 for s in fig.layout.shapes) == [14.0, 17.0]
    huaxin = next(t for t in fig.data if t.name == "华信客服")
    expected = [
        float(round(next(m for m in c.metrics if m.id == "repeat_2h").value, 4))
        for c in sorted(CARDS, key=lambda c: c.month)
        if c.vendor == "华信客服"
    ]
    assert list(huaxin.y) == pytest.approx(expected)
    assert trends.trend_lines_for(RULES.metric("business_exam")) == (None, None)


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
