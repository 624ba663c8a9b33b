"""What the pages show, as plain data: rows, frames and chart inputs built from scorecards, one module per
page topic (`common` for what several share).

No Streamlit here and no scoring: every number comes from kpi (scorecards, settlement, whatif); these
modules only arrange and format it, so the tests can check the figures without a browser.
"""
