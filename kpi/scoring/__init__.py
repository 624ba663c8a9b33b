"""Scoring and settlement: a `VendorMonth` walked through the rulebook's declarations into a
`Scorecard` (each metric's inputs, value, curve segment and clause), the settlement in Decimal yuan,
and the self-audit arithmetic (what-if and "what the next point costs").

Takes records and a `Rulebook`; hands on `Scorecard`s. Pure functions over exact numbers, no I/O.
"""
