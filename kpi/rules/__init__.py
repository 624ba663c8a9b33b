"""The contract as data: the rulebook (TOML) loaded into frozen records, the named checks that run
before any data is touched, and the straight-line scoring curves.

Takes a rulebook file or text (the bundled `default.toml` when none is given); hands on a checked
`Rulebook` (metrics, categories, adjustments, settlement, detail settings) and `curves.evaluate`.
Every threshold, weight, price and reading of an ambiguous clause lives here, never in code.
"""
