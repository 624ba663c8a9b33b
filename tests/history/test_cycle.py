"""Versions and states through the library: re-imports make new drafts and never touch a published
one; publishing supersedes; the deadline comes from the rulebook's [cycle]; finalising waits for
every dispute; the inputs, agents, files and rulebook of an import are all kept."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from kpi.history import cycle
from kpi.history.disputes import add_dispute, resolve_dispute
from kpi.history.snapshot import file_digest
from kpi.history.store import HistoryError, open_store, reading
from kpi.history.tables import agent_rows, rulebooks, source_files, vendor_months, versions
from kpi.history.versions import months
from kpi.pipeline import assess
from kpi.rules.rulebook import load_rulebook
from tests.history_db import small_workbook
from tests.paths import SAMPLE

DEFAULT_TEXT = (Path(__file__).resolve().parents[2] / "kpi" / "rules" / "default.toml").read_text("utf-8")
CHINA = timezone(timedelta(hours=8))


@pytest.fixture
def engine(db_url: str):
    engine = open_store(db_url)
    yield engine
    engine.dispose()


def do_import(engine, book: Path, month: str = "2024-05", text: str = DEFAULT_TEXT, user: str = "张经理"):
    from kpi.rules.rulebook import parse_rulebook

    rules = parse_rulebook(text)
    result = assess(book, rules, month=month)
    return cycle.import_assessment(engine, result, rules, text, [file_digest(book, "workbook")], user)


def states(engine, month: str) -> list[tuple[int, str, str]]:
    with reading(engine) as conn:
        rows = conn.execute(
            sa.select(versions.c.number, versions.c.state, versions.c.kind)
            .where(versions.c.month == month)
            .order_by(versions.c.number)
        )
        return [tuple(r) for r in rows]


def test_reimports_are_new_drafts_and_publishing_supersedes(engine, tmp_path: Path):
    book = small_workbook(tmp_path / "book.xlsx")
    (v1,) = do_import(engine, book)
    assert (v1.month, v1.number, v1.state, v1.vendors, v1.payout_total) == (
        "2024-05",
        1,
        "draft",
        2,
        Decimal("8918.10"),
    )
    cycle.publish(engine, "2024-05", "张经理")
    do_import(engine, small_workbook(tmp_path / "fixed.xlsx", service_complaints=3))
    assert states(engine, "2024-05") == [(1, "published", "import"), (2, "draft", "import")]
    with reading(engine) as conn:
        (summary,) = months(conn)
    assert (summary.state_label, summary.version, summary.versions, summary.payout_total) == (
        "已发布",
        1,
        2,
        "8918.10",
    )
    cycle.publish(engine, "2024-05", "张经理")
    assert states(engine, "2024-05") == [(1, "superseded", "import"), (2, "published", "import")]
    with pytest.raises(HistoryError, match="^2024-05 现为「已发布」，无法发布$"):
        cycle.publish(engine, "2024-05", "张经理")


def test_nothing_to_publish_or_finalise(engine, tmp_path: Path):
    with pytest.raises(HistoryError, match=r"^2024-07 还没有导入过，无法发布（先用 kpi import 导入该月）$"):
        cycle.publish(engine, "2024-07", "张经理")
    do_import(engine, small_workbook(tmp_path / "book.xlsx"))
    with pytest.raises(HistoryError, match="^2024-05 现为「草稿」，无法定稿$"):
        cycle.finalise(engine, "2024-05", "张经理")


def test_the_deadline_comes_from_the_rulebook(engine, tmp_path: Path):
    text = DEFAULT_TEXT.replace("dispute_days = 5", "dispute_days = 3")
    do_import(engine, small_workbook(tmp_path / "book.xlsx"), text=text)
    published = datetime(2024, 6, 28, 23, 30, tzinfo=CHINA)
    assert cycle.publish(engine, "2024-05", "张经理", when=published).deadline == "2024-07-01"
    on_time = datetime(2024, 7, 1, 23, 59, tzinfo=CHINA)
    add_dispute(engine, "2024-05", "甲公司", "tickets_correct", "175", "抽测复核", "甲公司", when=on_time)
    late = datetime(2024, 7, 2, 0, 0, tzinfo=CHINA)
    with pytest.raises(HistoryError, match="^2024-05 的争议期已于 2024-07-01 结束，不能再登记争议$"):
        add_dispute(engine, "2024-05", "乙公司", "tickets_correct", "175", "抽测复核", "乙公司", when=late)


def test_finalising_waits_for_every_dispute(engine, tmp_path: Path):
    do_import(engine, small_workbook(tmp_path / "book.xlsx"))
    cycle.publish(engine, "2024-05", "张经理")
    for vendor in ("甲公司", "乙公司"):
        add_dispute(engine, "2024-05", vendor, "escalated_complaints", "1", "重复计入", vendor)
    with pytest.raises(
        HistoryError, match=r"^2024-05 还有未处理的争议 #1、#2，请先处理（kpi dispute resolve）再定稿$"
    ):
        cycle.finalise(engine, "2024-05", "张经理")
    resolve_dispute(engine, 1, accept=False, reason="不成立", user="张经理")
    resolve_dispute(engine, 2, accept=True, reason="成立", user="张经理")
    final = cycle.finalise(engine, "2024-05", "张经理")
    # 乙公司 with 1 escalated complaint: 63.53 + 5 = 68.53; payout 8,330.00 × 0.6853 − 833.00 = 4,875.55
    assert (final.number, final.payout_total) == (2, Decimal("4459.05") + Decimal("4875.55"))
    assert states(engine, "2024-05") == [(1, "superseded", "import"), (2, "final", "dispute")]


def test_a_draft_older_than_an_accepted_dispute_is_not_published(engine, tmp_path: Path):
    book = small_workbook(tmp_path / "book.xlsx")
    do_import(engine, book)
    cycle.publish(engine, "2024-05", "张经理")
    do_import(engine, book)  # version 2: a draft
    add_dispute(engine, "2024-05", "甲公司", "missing_audit_records", "0", "已补", "甲公司")
    resolve_dispute(engine, 1, accept=True, reason="成立", user="张经理")  # version 3, published
    with pytest.raises(HistoryError, match="草稿第 2 版早于第 3 版（含已接受的争议），请重新导入后再发布"):
        cycle.publish(engine, "2024-05", "张经理")


def test_everything_an_import_reads_is_kept(engine, tmp_path: Path):
    rules_file = tmp_path / "我的规则.toml"
    rules_file.write_text(DEFAULT_TEXT, "utf-8")
    rules = load_rulebook(rules_file)
    result = assess(SAMPLE, rules, month="2024-06")
    files = [file_digest(SAMPLE, "workbook"), file_digest(rules_file, "rules")]
    cycle.import_assessment(engine, result, rules, DEFAULT_TEXT, files, "张经理")
    with reading(engine) as conn:
        stored = {r.vendor: r for r in conn.execute(sa.select(vendor_months))}
        agents = {(r.vendor, r.agent_id): r for r in conn.execute(sa.select(agent_rows))}
        kept = [
            (r.role, r.name, r.sha256, r.size)
            for r in conn.execute(sa.select(source_files).order_by(source_files.c.id))
        ]
        (book,) = conn.execute(sa.select(rulebooks)).all()
    record = json.loads(stored["联创呼叫"].record)
    assert record["inputs"]["repeat_2h_calls"] == "1129"  # measured from the detail (the summary says 1016)
    assert record["sources"]["repeat_2h_calls"] == "detail"
    assert record["sources"]["service_complaints"] == "summary"
    assert record["inputs"]["exam_average"] == "2487/44"  # 56.5227…: the exam sheet's average, kept exact
    assert json.loads(stored["众合外包"].scorecard)["total_score"] == "79.26"
    assert json.loads(stored["众合外包"].statement)["payout"] == "5110.09"
    lc = agents[("联创呼叫", "LC1006")]
    assert (lc.connected_calls, lc.repeat_2h_calls, lc.points) == (
        237,
        52,
        "0.00",
    )  # README's kpi agents table
    assert len(agents) == len(result.detail.measure.agents)
    assert kept == [
        (
            "workbook",
            "monthly_2024H1.xlsx",
            hashlib.sha256(SAMPLE.read_bytes()).hexdigest(),
            SAMPLE.stat().st_size,
        ),
        (
            "rules",
            "我的规则.toml",
            hashlib.sha256(rules_file.read_bytes()).hexdigest(),
            rules_file.stat().st_size,
        ),
    ]
    assert (book.sha256, book.text, book.name) == (
        hashlib.sha256(DEFAULT_TEXT.encode()).hexdigest(),
        DEFAULT_TEXT,
        "10086热线话务外包合作公司业务考核细则",
    )
