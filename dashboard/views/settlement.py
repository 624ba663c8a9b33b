"""结算: the statement's lines as a table, money as printed."""

from __future__ import annotations

import pandas as pd

from dashboard.views.common import (
    money,
)
from kpi.money import fmt2
from kpi.reports.statement import STATEMENT_HEADERS, statement_rows
from kpi.scoring.scorecard import Scorecard

ALL = "全部外包公司"


# ------------------------------------------------------------------ 结算
def statement_choices(cards: list[Scorecard]) -> list[str]:
    """The 结算单范围 options: every vendor's statement and each vendor's; one vendor's cards (a
    外包公司 user's) give only that vendor's own."""
    vendors = sorted({c.vendor for c in cards})
    return vendors if len(vendors) == 1 else [ALL, *vendors]


def settlement_table(cards: list[Scorecard]) -> pd.DataFrame:
    """The statement's lines and its totals row, printed as on the statement (exact Decimal)."""
    rows, totals = statement_rows(cards)

    def line(r: dict, total: bool = False) -> list[str]:
        return [
            str(r["month"]),
            str(r["vendor"]),
            f"{int(r['valid_calls']):,}",
            "" if total else str(r["unit_price"]),
            money(r["base_fee"]),
            "" if total else fmt2(r["score"]),
            "" if total else str(r["coefficient"]),
            money(r["adjusted_fee"]),
            money(r["security_deduction"]),
            money(r["payout"]),
            str(r["source"]),
        ]

    body = [line(r) for r in rows] + [line(totals, total=True)]
    return pd.DataFrame(body, columns=STATEMENT_HEADERS)
