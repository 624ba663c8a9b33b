"""10086 热线话务外包考核与结算 — read → validate → measure → score → settle → report.

The public entry points live in their step's module: `kpi.rulebook.load_rulebook`,
`kpi.summary.read_summary`, `kpi.scoring.score`, `kpi.settlement.settle`, `kpi.report`.
"""

__version__ = "0.1.0"
