"""What a change of a few inputs does to a scorecard's total and payout, in time linear in what the
change touches: the metrics and adjustments reading the changed inputs are scored again, and their
categories from running sums, instead of scoring the whole rulebook again for every what-if.

`Rescorer(rules, base)` indexes the rulebook once (input → the metrics and adjustments reading it);
`total(vm, keys)` gives exactly what `score(vm, rules)` would give for the total and the payout when
`vm` differs from the base record only in `keys`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from kpi.records import VendorMonth
from kpi.rules.rulebook import Metric, Rulebook
from kpi.scoring.scorecard import Scorecard, category_from_sums, score_adjustment, score_metric
from kpi.scoring.settlement import settle


def _metric_keys(m: Metric) -> set[str]:
    keys = set(m.not_assessed_when_zero)
    if m.ratio:
        keys |= {*m.ratio.numerator, *m.ratio.denominator}
    if m.gate:
        keys |= {*m.gate.ratio.numerator, *m.gate.ratio.denominator}
    if m.exam:
        keys |= {m.exam.takers, m.exam.agents, m.exam.average}
    return keys


class Rescorer:
    """The base scorecard and an index of who reads which input."""

    def __init__(self, rules: Rulebook, base: Scorecard) -> None:
        self.rules, self.base = rules, base
        self.metrics: dict[str, list[int]] = defaultdict(list)
        self.adjustments: dict[str, list[int]] = defaultdict(list)
        for i, m in enumerate(rules.metrics):
            for key in _metric_keys(m):
                self.metrics[key].append(i)
        for i, a in enumerate(rules.adjustments):
            keys = {a.input} | (set(a.ratio.numerator + a.ratio.denominator) if a.ratio else set())
            for key in keys - {""}:
                self.adjustments[key].append(i)
        self.category_at = {c.id: i for i, c in enumerate(rules.categories)}
        self.metric_at = {m.id: i for i, m in enumerate(rules.metrics)}

    def total(self, vm: VendorMonth, keys: Iterable[str]) -> tuple[Decimal, Decimal]:
        """(total, payout) of `vm`, which differs from the base record only in the inputs `keys`."""
        rules, base, places = self.rules, self.base, self.rules.points_places
        keys = set(keys)
        metric_ids = sorted({i for k in keys for i in self.metrics.get(k, ())})
        sums: dict[str, list[Decimal]] = {}
        for i in metric_ids:
            old, new = base.metrics[i], score_metric(rules.metrics[i], vm, places)
            line = base.categories[self.category_at[old.category]]
            change = sums.setdefault(old.category, [line.points, line.max_points])
            if old.assessed:
                change[0] -= old.points
                change[1] -= old.max_points
            if new.assessed:
                change[0] += new.points
                change[1] += new.max_points
        total = base.total
        for category_id, (points, top) in sums.items():
            at = self.category_at[category_id]
            total += category_from_sums(rules.categories[at], points, top, places).score
            total -= base.categories[at].score
        fee_percent = sum((a.fee_percent for a in base.adjustments), Fraction(0))
        for i in sorted({i for k in keys for i in self.adjustments.get(k, ())}):
            old, new = base.adjustments[i], score_adjustment(rules.adjustments[i], vm, places)
            total += new.points - old.points
            fee_percent += new.fee_percent - old.fee_percent
        payout = settle(int(vm.get("valid_calls") or 0), total, fee_percent, rules).payout
        return total, payout
