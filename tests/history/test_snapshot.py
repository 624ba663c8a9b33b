"""What the history keeps of a vendor-month reads back exactly: re-scored, it gives the same card."""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction

from kpi.history.snapshot import decode, encode, record_dict, record_from, statement_line, stored_card
from kpi.pipeline import assess
from kpi.reports.scorecards import scorecard_dict
from kpi.scoring.scorecard import score
from tests.paths import SAMPLE


def test_values_round_trip_exactly():
    assert encode(Fraction(2487, 44)) == "2487/44" and decode("exam_average", "2487/44") == Fraction(2487, 44)
    assert encode(7585) == "7585" and decode("connected_calls", "7585") == 7585
    assert decode("audit_pass_rate", "96") == Fraction(96) and encode(None) is None


def test_every_sample_record_scores_the_same_after_the_round_trip(rules):
    result = assess(SAMPLE, rules)  # six months, 2024-06 with the detail's figures
    assert len(result.cards) == 24
    records = {(r.vendor, r.month): r for r in result.records}
    for card in result.cards:
        record = records[(card.vendor, card.month)]
        back = record_from(json.loads(json.dumps(record_dict(record))))
        assert back == record
        assert scorecard_dict(score(back, rules)) == scorecard_dict(card)


def test_the_statement_line_and_its_fingerprint(rules):
    result = assess(SAMPLE, rules, month="2024-06")
    card = next(c for c in result.cards if c.vendor == "众合外包")
    line = statement_line(card)
    assert line == {
        "month": "2024-06",
        "vendor": "众合外包",
        "valid_calls": "7585",
        "unit_price": "0.85",
        "base_fee": "6447.25",
        "score": "79.26",
        "coefficient": "0.7926",
        "adjusted_fee": "5110.09",
        "security_deduction": "0.00",
        "payout": "5110.09",
        "source": "话务明细（座席总数、接通量、考试平均分、参考人数、转接专家席数、2小时重复呼叫数、有效话务量），其余取自月度指标汇总表",
    }
    text = json.dumps(line, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    records = {(r.vendor, r.month): r for r in result.records}
    stored = stored_card(records[("众合外包", "2024-06")], card)
    assert stored.fingerprint == hashlib.sha256(text.encode()).hexdigest()
    assert (stored.total_score, stored.payout) == ("79.26", "5110.09")
