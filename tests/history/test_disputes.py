"""Disputes through the library: which input, which value, what an acceptance changes (and what it
refuses), evidence kept whole and checked against its hash when downloaded."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import sqlalchemy as sa

from kpi.history import cycle
from kpi.history.disputes import (
    add_dispute,
    download_evidence,
    input_key,
    parse_value,
    read_evidence,
    resolve_dispute,
)
from kpi.history.snapshot import file_digest
from kpi.history.store import HistoryError, open_store, reading, writing
from kpi.history.tables import evidence, vendor_months, versions
from kpi.pipeline import assess
from kpi.rules.rulebook import load_rulebook
from tests.history_db import audit_rows, small_workbook

RULES = load_rulebook()
METRICS = {m.id: (m.ratio.numerator + m.ratio.denominator) if m.ratio else () for m in RULES.metrics}


@pytest.fixture
def engine(db_url: str, tmp_path: Path):
    """A published 2024-05 with 甲公司 and 乙公司 (the spec's example: 63.53 points, 4,459.05 元 each)."""
    engine = open_store(db_url)
    book = small_workbook(tmp_path / "book.xlsx", months=("2024-05",))
    text = (Path(__file__).resolve().parents[2] / "kpi" / "rules" / "default.toml").read_text("utf-8")
    cycle.import_assessment(
        engine, assess(book, RULES), RULES, text, [file_digest(book, "workbook")], "张经理"
    )
    cycle.publish(engine, "2024-05", "张经理")
    yield engine
    engine.dispose()


def test_the_input_is_named_by_key_or_header():
    assert input_key("repeat_2h_calls", METRICS) == "repeat_2h_calls"
    assert input_key("2小时重复呼叫数", METRICS) == "repeat_2h_calls"
    assert input_key("二小时重复呼叫数", METRICS) == "repeat_2h_calls"  # an alias of the header
    with pytest.raises(HistoryError) as caught:
        input_key("repeat_2h", METRICS)
    assert (
        str(caught.value)
        == "「repeat_2h」是考核指标，请用 --metric 指明争议的是哪一项输入：repeat_2h_calls、connected_calls"
    )
    with pytest.raises(HistoryError, match="^不认识的输入项「vendor」"):
        input_key("vendor", METRICS)


def test_values_are_read_exactly_by_the_inputs_kind():
    assert parse_value("service_complaints", " 2 ") == 2
    assert parse_value("audit_pass_rate", "96.5") == Fraction(193, 2)
    assert parse_value("exam_average", "85.25") == Fraction(341, 4)
    for key, text, message in [
        ("service_complaints", "2.5", "「成立服务投诉数」的值「2.5」无法识别，应为非负整数"),
        ("service_complaints", "-1", "「成立服务投诉数」的值「-1」无法识别，应为非负整数"),
        (
            "audit_pass_rate",
            "百分之九十",
            "「业务稽核合格率」的值「百分之九十」无法识别，应为数字（如 95.5）",
        ),
        ("audit_pass_rate", "101", "「业务稽核合格率」的值「101」超出范围，应在 0 到 100 之间"),
    ]:
        with pytest.raises(HistoryError) as caught:
            parse_value(key, text)
        assert str(caught.value) == message


def test_an_accepted_value_other_than_the_claim(engine):
    d = add_dispute(engine, "2024-05", "甲公司", "audit_pass_rate", "96", "稽核复核", "甲公司")
    assert (d.original, d.claim, d.state_label) == ("187/2", "96", "待处理")
    done = resolve_dispute(engine, d.id, accept=True, reason="复核为 95%", user="张经理", value="95")
    assert (done.state_label, done.decided_value, done.result_version) == ("已接受", "95", 2)
    with reading(engine) as conn:
        rows = conn.execute(
            sa.select(versions.c.number, vendor_months.c.vendor, vendor_months.c.record, vendor_months.c.total_score,
                      vendor_months.c.payout)
            .join(versions, versions.c.id == vendor_months.c.version_id).order_by(versions.c.number, vendor_months.c.vendor)
        ).all()  # fmt: skip
    # 95% is not below the 95% threshold: the −1.50 audit deduction goes; 63.53 + 1.50 = 65.03;
    # payout 8,330.00 × 0.6503 − 833.00 = 5,417.00 − 833.00 = 4,584.00
    assert [(n, v, t, p) for n, v, _, t, p in rows] == [
        (1, "乙公司", "63.53", "4459.05"),
        (1, "甲公司", "63.53", "4459.05"),
        (2, "乙公司", "63.53", "4459.05"),
        (2, "甲公司", "65.03", "4584.00"),
    ]
    record = json.loads(rows[3][2])
    assert (record["inputs"]["audit_pass_rate"], record["sources"]["audit_pass_rate"]) == ("95", "dispute:1")
    assert json.loads(rows[1][2])["inputs"]["audit_pass_rate"] == "187/2"  # version 1 kept as it was


def test_what_an_acceptance_refuses(engine, db_url: str):
    d = add_dispute(engine, "2024-05", "甲公司", "dial_tests_correct", "101", "拨测复核", "甲公司")
    with pytest.raises(HistoryError) as caught:
        resolve_dispute(engine, d.id, accept=True, reason="成立", user="张经理")
    assert str(caught.value) == "改动后「质量拨测正确数」为 101，超过「质量拨测数」100，请核对所给的值"
    with pytest.raises(HistoryError, match="^驳回争议时不能给出 --value$"):
        resolve_dispute(engine, d.id, accept=False, reason="不成立", user="张经理", value="99")
    resolve_dispute(engine, d.id, accept=False, reason="不成立", user="张经理")
    with pytest.raises(HistoryError, match=r"^争议 #1 已于 .+ 已驳回，不能再处理$"):
        resolve_dispute(engine, d.id, accept=True, reason="改判", user="张经理")
    with pytest.raises(HistoryError, match=r"^没有编号为 #7 的争议（kpi dispute list 列出全部）$"):
        resolve_dispute(engine, 7, accept=True, reason="成立", user="张经理")
    with pytest.raises(
        HistoryError, match=r"^2024-05 第 1 版中没有外包公司「丙公司」（有：乙公司、甲公司）$"
    ):
        add_dispute(engine, "2024-05", "丙公司", "dial_tests_correct", "99", "复核", "丙公司")
    with pytest.raises(HistoryError, match="^请写明争议的理由（--reason）$"):
        add_dispute(engine, "2024-05", "甲公司", "dial_tests_correct", "99", "  ", "甲公司")
    assert [r.action for r in audit_rows(db_url)] == ["import", "publish", "dispute", "reject"]


def test_evidence_is_kept_whole_and_checked(engine, tmp_path: Path):
    proof = tmp_path / "录音.wav"
    proof.write_bytes(bytes(range(256)) * 400)
    d = add_dispute(
        engine, "2024-05", "乙公司", "monitored_correct", "48", "录音为证", "乙公司", read_evidence(proof)
    )
    name, content, digest = download_evidence(engine, d.id, "张经理")
    assert (name, content, digest) == ("录音.wav", proof.read_bytes(), file_digest(proof, "x").sha256)
    with writing(engine) as conn:
        conn.execute(evidence.update().values(content=b"forged"))
    with pytest.raises(HistoryError, match="^争议 #1 的证据文件与登记时的 SHA-256 不符：已被改动$"):
        download_evidence(engine, d.id, "张经理")
    with pytest.raises(HistoryError, match="^找不到证据文件"):
        read_evidence(tmp_path / "无.wav")
