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
from kpi.scoring.scorecard import Scorecard, category_from_sums, metric_share, score_adjustment, score_metric
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
        # metrics alike (same definition but for id and label, same category) score alike: a move
        # rescores one of each kind, counted as many times as there are (copies cost nothing more)
        kinds: dict[tuple, int] = {}
        self.first: list[int] = []  # a kind's first metric
        self.count: list[int] = []  # how many metrics of that kind
        self.reading: dict[str, set[int]] = defaultdict(set)  # input → kinds of metric reading it
        for i, m in enumerate(rules.metrics):
            reads = tuple(sorted(_metric_keys(m)))
            alike = (m.category, reads, m.kind, m.max_points, m.ratio, m.curve, m.gate, m.exam)
            kind = kinds.setdefault((*alike, m.not_assessed_when_zero), len(kinds))
            if kind == len(self.first):
                self.first.append(i)
                self.count.append(0)
            self.count[kind] += 1
            for key in reads:
                self.reading[key].add(kind)
        self.adjustments: dict[str, list[int]] = defaultdict(list)
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
        sums: dict[str, list[Decimal]] = {}
        for kind in sorted({kind for k in keys for kind in self.reading.get(k, ())}):
            i, n = self.first[kind], self.count[kind]
            old, new = base.metrics[i], score_metric(rules.metrics[i], vm, places)
            at = self.category_at[old.category]
            line, category = base.categories[at], rules.categories[at]
            change = sums.setdefault(old.category, [line.points, line.max_points])
            (old_points, old_top), (new_points, new_top) = (
                metric_share(old, category),
                metric_share(new, category),
            )
            change[0] += n * (new_points - old_points)
            change[1] += n * (new_top - old_top)
        total = base.total
        for category_id, (points, top) in sums.items():
            at = self.category_at[category_id]
            total += category_from_sums(rules.categories[at], points, top, places).score
            total -= base.categories[at].score
        percents = {
            "base_fee": Fraction(0),
            "adjusted_fee": Fraction(0),
        }  # of which fee (rulebook's fee_base)
        for a in base.adjustments:
            percents[a.fee_base] += a.fee_percent
        for i in sorted({i for k in keys for i in self.adjustments.get(k, ())}):
            old, new = base.adjustments[i], score_adjustment(rules.adjustments[i], vm, places)
            total += new.points - old.points
            percents[old.fee_base] += new.fee_percent - old.fee_percent
        valid_calls = int(vm.get("valid_calls") or 0)
        payout = settle(valid_calls, total, percents["base_fee"], rules, percents["adjusted_fee"]).payout
        return total, payout
