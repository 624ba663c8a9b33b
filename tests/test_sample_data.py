"""The bundled sample data: reproducible from its seed, and telling the story the README promises."""

from decimal import Decimal
from pathlib import Path

import pytest

from kpi.pipeline import assess
from kpi.summary.reader import read_summary
from scripts.make_sample_data import summary_rows, write_workbook
from tests.paths import SAMPLE


@pytest.fixture(scope="module")
def cards(rules):
    result = assess(SAMPLE, rules)
    assert result.problems == ()
    return result.cards


def test_committed_sample_is_the_generator_output(tmp_path: Path):
    fresh = tmp_path / "fresh.xlsx"
    write_workbook(fresh, summary_rows(2024))
    assert read_summary(fresh)[0] == read_summary(SAMPLE)[0]


def test_four_vendors_six_months(cards):
    assert len(cards) == 24
    assert sorted({c.vendor for c in cards}) == ["众合外包", "华信客服", "联创呼叫", "远景服务"]


def test_story(cards):
    by = {(c.vendor, c.month): c for c in cards}
    strong = [c.total for c in cards if c.vendor == "华信客服"]
    weak = [c.total for c in cards if c.vendor == "联创呼叫"]
    assert min(strong) > 90 and max(weak) < 40
    march = [c for c in cards if c.month == "2024-03"]
    assert all(not next(m for m in c.metrics if m.id == "business_exam").assessed for c in march)
    april = [c for c in cards if c.month == "2024-04"]
    assert all(not next(m for m in c.metrics if m.id == "monitoring_accuracy").assessed for c in april)
    assert by[("联创呼叫", "2024-02")].settlement.security_deduction > 0
    assert (
        next(a for a in by[("众合外包", "2024-05")].adjustments if a.id == "escalated_complaints").points
        == -5
    )


def test_june_is_at_the_scale_of_the_other_months(cards, rules):
    """June's figures come from its call detail: they must not jump or collapse against Jan–May."""
    records = assess(SAMPLE, rules).records
    for vendor in {c.vendor for c in cards}:
        earlier = [r for r in records if r.vendor == vendor and r.month < "2024-06"]
        (june,) = [r for r in records if r.vendor == vendor and r.month == "2024-06"]
        assert june.sources["connected_calls"] == "detail"
        for key in ("connected_calls", "valid_calls", "agents_total", "exam_takers"):
            seen = [int(r.get(key)) for r in earlier if int(r.get(key))]
            assert 0.85 * min(seen) <= int(june.get(key)) <= 1.15 * max(seen), (vendor, key)
        payouts = [c.settlement.payout for c in cards if c.vendor == vendor and c.month < "2024-06"]
        (payout,) = [c.settlement.payout for c in cards if c.vendor == vendor and c.month == "2024-06"]
        assert min(payouts) * Decimal("0.8") <= payout <= max(payouts) * Decimal("1.2"), vendor


def region(curve, x):
    xs = [p for p, _ in curve.points]
    if x < xs[0]:
        return "below"
    if x > xs[-1]:
        return "above"
    return next(f"segment {i}" for i in range(len(xs) - 1) if xs[i] <= x <= xs[i + 1])


def test_every_curve_segment_is_hit(cards, rules):
    for metric in (m for m in rules.metrics if m.curve is not None):
        xs = [p for p, _ in metric.curve.points]
        wanted = {"below", *(f"segment {i}" for i in range(len(xs) - 1))}
        if not (metric.ratio.unit == "%" and xs[-1] >= 100):  # nothing lies beyond 100%
            wanted.add("above")
        hit = {
            region(metric.curve, line.value)
            for c in cards
            for line in c.metrics
            if line.id == metric.id and line.assessed
        }
        assert wanted <= hit, (metric.id, wanted - hit)
