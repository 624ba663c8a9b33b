"""The bundled sample data: reproducible from its seed, and telling the story the README promises."""

from pathlib import Path

import pytest

from kpi.pipeline import assess
from kpi.summary import read_summary
from scripts.make_sample_data import summary_rows, write_workbook

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "monthly_2024H1.xlsx"


@pytest.fixture(scope="module")
def cards(rules):
    result = assess(SAMPLE, rules)
    assert result.problems == ()
    return result.cards


def test_committed_sample_is_the_generator_output(tmp_path: Path):
    fresh = tmp_path / "fresh.xlsx"
    write_workbook(fresh, summary_rows(2024))
    assert read_summary(fresh)[0] == [
        r.__class__(r.vendor, r.month, r.inputs, r.sources, r.row) for r in read_summary(SAMPLE)[0]
    ]


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
