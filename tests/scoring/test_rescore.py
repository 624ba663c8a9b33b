"""kpi.scoring.rescore: a what-if's total and payout are exactly what scoring the whole card gives,
and the explanations and next-point advice score each metric a bounded number of times."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

import kpi.scoring.next_point as next_point_module
import kpi.scoring.rescore as rescore_module
from kpi.records import VendorMonth
from kpi.reports.scorecards import explain
from kpi.rules.rulebook import load_rulebook
from kpi.scoring.next_point import next_points
from kpi.scoring.rescore import Rescorer
from kpi.scoring.scorecard import score
from kpi.scoring.whatif import with_inputs
from tests.builders import vendor_month

RULES = load_rulebook()
COUNTS = [
    "repeat_2h_calls",
    "connected_calls",
    "dial_tests_correct",
    "monitored_correct",
    "service_complaints",
    "tickets_created",
    "tickets_correct",
    "dissatisfied_callbacks",
    "exam_takers",
    "escalated_complaints",
    "security_incidents",
    "valid_calls",
]


@settings(max_examples=200, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(COUNTS), st.integers(0, 20_000), min_size=1, max_size=3))
def test_rescoring_the_touched_lines_equals_scoring_everything(changes):
    vm = vendor_month()
    base = score(vm, RULES)
    new = with_inputs(vm, changes)
    full = score(new, RULES)
    assert Rescorer(RULES, base).total(new, changes) == (full.total, full.settlement.payout)


def many_metrics(n: int):
    """The default rulebook with its first metric copied `n` times (a rulebook can say at most 100)."""
    first = RULES.metrics[0]
    copies = tuple(dataclasses.replace(first, id=f"m{i}") for i in range(n))
    return dataclasses.replace(RULES, metrics=RULES.metrics + copies)


def count_scorings(monkeypatch, rules) -> dict[str, int]:
    """How often next_points scores a whole card, a metric in its searches, a metric in a rescoring."""
    counts = {"cards": 0, "search": 0, "rescore": 0}

    def counting(name, real):
        def counted(*args):
            counts[name] += 1
            return real(*args)

        return counted

    monkeypatch.setattr(next_point_module, "score", counting("cards", next_point_module.score))
    monkeypatch.setattr(next_point_module, "score_metric", counting("search", next_point_module.score_metric))
    monkeypatch.setattr(rescore_module, "score_metric", counting("rescore", rescore_module.score_metric))
    next_points(vendor_month(repeat_2h_calls=1650), rules)
    monkeypatch.undo()
    return counts


def test_next_points_scores_the_card_once_and_each_move_only_what_it_touches(monkeypatch):
    """Before: every move scored the whole card again (5,000 metrics: 25 million metric scorings).
    Now one card, a binary search per metric, and per move one metric of each kind reading the moved
    counts."""
    copies = [
        dataclasses.replace(m, id=f"{m.id}_{i}")
        for i in range(25)
        for m in RULES.metrics
        if m.id != "repeat_2h"
    ]
    big = dataclasses.replace(RULES, metrics=RULES.metrics + tuple(copies))
    counts = count_scorings(monkeypatch, big)
    assert counts["cards"] == 1
    assert counts["search"] <= 40 * len(big.metrics)  # a binary search over counts up to ~10^9
    # each of the ≤ 2 moves of a metric rescores one of each of the 8 kinds of metric (copies alike
    # score alike): not the 183 metrics, and not the 26 copies reading the counts it moves
    assert counts["rescore"] <= 2 * 8 * len(big.metrics)


def test_explain_lists_each_metric_once_under_its_category():
    card = score(VendorMonth("甲公司", "2024-05", vendor_month().inputs), many_metrics(3))
    text = explain(card)
    assert text.count("· 二小时重复拨打率：") == 4
    assert text.index("【运营表现】") < text.index("· 二小时重复拨打率：") < text.index("【服务表现】")
