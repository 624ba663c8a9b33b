"""Report files: the scorecard downloads (the statement itself is tested through `kpi settle`)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import openpyxl

from kpi.pipeline import assess
from kpi.reports.statement import scorecards_json, scorecards_xlsx
from kpi.rules.rulebook import load_rulebook
from tests.paths import SAMPLE

JUNE = [c for c in assess(SAMPLE, load_rulebook(), month="2024-06").cards]


def test_scorecard_downloads_are_readable():
    data = json.loads(scorecards_json(JUNE))
    assert [d["total_score"] for d in data] == [f"{c.total:.2f}" for c in JUNE]
    sheet = openpyxl.load_workbook(io.BytesIO(scorecards_xlsx(JUNE)))["评分卡汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("总分", "应付金额(元)")
    for row, card in zip(rows[1:], JUNE, strict=True):
        assert row[1] == card.vendor
        assert Decimal(str(row[-1])).quantize(Decimal("0.01")) == card.settlement.payout
