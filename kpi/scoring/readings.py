"""A month scored under each reading of each contested clause, alone, against the rulebook's own result.

The readings are the rulebook's `[[readings]]` entries. For each one the rulebook with that reading's
keys set scores the same figures again (`rescore`, which the caller gives: it re-measures the call
detail when a reading changes how the detail is counted); a row says the vendor's total and payout
under it and the change from the rulebook's result. A reading the rulebook already follows is "in
effect" (its change is 0). Readings that only change `[detail]` are left out when the month's figures
did not come from call detail, since they cannot change anything there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from kpi.rules.readings import Reading
from kpi.rules.rulebook import Rulebook, in_effect, with_reading
from kpi.scoring.scorecard import Scorecard

Rescore = Callable[[Rulebook], Sequence[Scorecard]]


@dataclass(frozen=True)
class ReadingRow:
    vendor: str
    month: str
    topic: str
    clause: str
    reading: str
    literal: bool
    in_effect: bool  # the rulebook's own reading
    total: Decimal
    payout: Decimal
    delta_total: Decimal
    delta_payout: Decimal


def detail_only(reading: Reading) -> bool:
    """A reading that changes nothing but how the call detail is measured."""
    return all(path.startswith("detail.") for path, _ in reading.changes)


def reading_rows(
    cards: Sequence[Scorecard], rules: Rulebook, rescore: Rescore, with_detail: bool = True
) -> tuple[ReadingRow, ...]:
    """For each card (a vendor-month) and each reading, in the rulebook's order: total, payout, changes.

    `cards` are the rulebook's own scorecards; `rescore(rules)` scores the same vendor-months under
    another rulebook. `with_detail`: whether the figures came from call detail (else detail-only
    readings are left out).
    """
    rows: list[ReadingRow] = []
    by_reading = []
    for reading in rules.readings:
        if detail_only(reading) and not with_detail:
            continue
        effect = in_effect(rules, reading)
        scored = cards if effect else rescore(with_reading(rules, reading))
        by_reading.append((reading, effect, {(c.vendor, c.month): c for c in scored}))
    for base in cards:
        for reading, effect, scored in by_reading:
            card = scored[(base.vendor, base.month)]
            rows.append(
                ReadingRow(
                    base.vendor,
                    base.month,
                    reading.topic,
                    reading.clause,
                    reading.label,
                    reading.literal,
                    effect,
                    card.total,
                    card.settlement.payout,
                    card.total - base.total,
                    card.settlement.payout - base.settlement.payout,
                )
            )
    return tuple(rows)
