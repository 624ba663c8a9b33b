"""10086 热线话务外包考核与结算 — read → validate → measure → score → settle → report.

The public entry points live in their step's module: `kpi.rules.rulebook.load_rulebook`,
`kpi.summary.reader.read_summary`, `kpi.scoring.scorecard.score`, `kpi.scoring.settlement.settle`, `kpi.reports.scorecards`.
"""

__version__ = "0.1.0"
