"""The month's cycle: import (a new draft version per month), publish, finalise.

Each step is one write transaction under the writer lock, with its audit row inside the same
transaction: either all of it is stored or nothing (a killed process leaves the database as before).
Nothing is ever updated in place except a version's state moving forward.

A little over 250 lines: the three steps share the version-writing helpers kept here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kpi.history import audit
from kpi.history.audit import canonical, sha256_text
from kpi.history.snapshot import SourceFile, StoredCard, agent_row, stored_card, version_fingerprint
from kpi.history.store import HistoryError, writing
from kpi.history.tables import agent_rows, disputes, rulebooks, source_files, vendor_months, versions
from kpi.history.versions import (
    STATE_LABELS,
    month_state,
    month_versions,
    rulebook_of,
    stamp,
    vendor_rows,
    with_state,
)
from kpi.history.versions import now as local_now
from kpi.pipeline import Assessment
from kpi.rules.rulebook import Rulebook


@dataclass(frozen=True)
class VersionInfo:
    month: str
    number: int
    state: str
    vendors: int
    payout_total: Decimal
    fingerprint: str
    deadline: str | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def _cards_by_month(result: Assessment) -> dict[str, list[StoredCard]]:
    records = {(r.vendor, r.month): r for r in result.records}
    out: dict[str, list[StoredCard]] = {}
    for card in result.cards:
        out.setdefault(card.month, []).append(stored_card(records[(card.vendor, card.month)], card))
    return out


def store_rulebook(conn: Connection, rules: Rulebook, text: str) -> str:
    digest = sha256_text(text)
    if conn.execute(sa.select(rulebooks.c.sha256).where(rulebooks.c.sha256 == digest)).first() is None:
        conn.execute(rulebooks.insert().values(sha256=digest, name=rules.name, text=text))
    return digest


def insert_version(
    conn: Connection,
    month: str,
    cards: Sequence[StoredCard],
    *,
    state: str,
    kind: str,
    rulebook_sha256: str,
    when: str,
    user: str,
    parent_id: int | None = None,
    note: str = "",
    published_at: str | None = None,
    deadline: str | None = None,
) -> tuple[int, int, str]:
    """A new version of `month` numbered after its last one, with its vendor-months; (id, number, fingerprint)."""
    last = conn.execute(sa.select(sa.func.max(versions.c.number)).where(versions.c.month == month)).scalar()
    number = (last or 0) + 1
    digest = version_fingerprint(list(cards))
    version_id = conn.execute(
        versions.insert()
        .values(
            month=month,
            number=number,
            state=state,
            kind=kind,
            parent_id=parent_id,
            rulebook_sha256=rulebook_sha256,
            created_at=when,
            created_by=user,
            published_at=published_at,
            deadline=deadline,
            note=note,
            fingerprint=digest,
        )
        .returning(versions.c.id)
    ).scalar_one()
    conn.execute(
        vendor_months.insert(),
        [
            {
                "version_id": version_id,
                "vendor": c.vendor,
                "record": canonical(c.record),
                "scorecard": canonical(c.scorecard),
                "statement": canonical(c.statement),
                "total_score": c.total_score,
                "payout": c.payout,
                "fingerprint": c.fingerprint,
            }
            for c in cards
        ],
    )
    return version_id, number, digest


def import_assessment(
    engine: Engine,
    result: Assessment,
    rules: Rulebook,
    rules_text: str,
    files: Sequence[SourceFile],
    user: str,
    when: datetime | None = None,
) -> list[VersionInfo]:
    """Store every month scored in `result` as a new draft version (months already final are refused,
    and then nothing is stored)."""
    by_month = _cards_by_month(result)
    if not by_month:
        raise HistoryError("没有可导入的评分结果")
    measure = result.detail.measure if result.detail is not None else None
    at = stamp(when or local_now())
    out = []
    with writing(engine) as conn:
        final = [m for m in sorted(by_month) if month_state(month_versions(conn, m)) == "final"]
        if final:
            raise HistoryError(
                f"{'、'.join(final)} 已定稿，不能再导入；定稿后的数据不会被改动（本次未导入任何月份）"
            )
        rulebook_sha = store_rulebook(conn, rules, rules_text)
        for month, cards in sorted(by_month.items()):
            version_id, number, digest = insert_version(
                conn,
                month,
                cards,
                state="draft",
                kind="import",
                rulebook_sha256=rulebook_sha,
                when=at,
                user=user,
            )
            if measure is not None and measure.month == month and measure.agents:
                conn.execute(
                    agent_rows.insert(), [{"version_id": version_id, **agent_row(a)} for a in measure.agents]
                )
            conn.execute(
                source_files.insert(),
                [{"version_id": version_id, "role": f.role, "name": f.name, "sha256": f.sha256, "size": f.size}
                 for f in files],
            )  # fmt: skip
            total = sum((Decimal(c.payout) for c in cards), Decimal("0.00"))
            audit.append(
                conn,
                at,
                user,
                "import",
                month,
                f"导入 {month} 第 {number} 版（草稿）",
                {},
                {
                    "version": number,
                    "state": "草稿",
                    "files": [f"{f.role}:{f.name}:{f.sha256}" for f in files],
                    "rulebook_sha256": rulebook_sha,
                    "vendors": {c.vendor: {"total_score": c.total_score, "payout": c.payout} for c in cards},
                    "payout_total": f"{total:.2f}",
                    "fingerprint": digest,
                },
            )
            out.append(VersionInfo(month, number, "draft", len(cards), total, digest))
    return out


def publish(engine: Engine, month: str, user: str, when: datetime | None = None) -> VersionInfo:
    """Publish the month's newest draft; vendors may dispute it for the rulebook's dispute_days."""
    moment = when or local_now()
    at = stamp(moment)
    with writing(engine) as conn:
        draft = with_state(conn, month, "draft", "发布")
        rows = month_versions(conn, month)
        if draft.number != rows[-1].number:
            raise HistoryError(
                f"{month} 的草稿第 {draft.number} 版早于第 {rows[-1].number} 版（含已接受的争议），请重新导入后再发布"
            )
        previous = [r for r in rows if r.state == "published"]
        days = rulebook_of(conn, draft).dispute_days
        deadline = (moment.date() + timedelta(days=days)).isoformat()
        for old in previous:
            conn.execute(versions.update().where(versions.c.id == old.id).values(state="superseded"))
        conn.execute(
            versions.update()
            .where(versions.c.id == draft.id)
            .values(state="published", published_at=at, deadline=deadline)
        )
        cards = vendor_rows(conn, draft.id)
        total = sum((Decimal(c.payout) for c in cards), Decimal("0.00"))
        audit.append(
            conn,
            at,
            user,
            "publish",
            month,
            f"发布 {month} 第 {draft.number} 版",
            {"version": draft.number, "state": "草稿", "replaces": [r.number for r in previous]},
            {"version": draft.number, "state": "已发布", "deadline": deadline, "dispute_days": days,
             "payout_total": f"{total:.2f}", "fingerprint": draft.fingerprint},
        )  # fmt: skip
    return VersionInfo(month, draft.number, "published", len(cards), total, draft.fingerprint, deadline)


def finalise(engine: Engine, month: str, user: str, when: datetime | None = None) -> VersionInfo:
    """Finalise the published version; refused while a dispute of the month is open."""
    at = stamp(when or local_now())
    with writing(engine) as conn:
        version = with_state(conn, month, "published", "定稿")
        still_open = conn.execute(
            sa.select(disputes.c.id).where(disputes.c.month == month, disputes.c.state == "open")
        ).scalars()
        numbers = [f"#{n}" for n in still_open]
        if numbers:
            raise HistoryError(
                f"{month} 还有未处理的争议 {'、'.join(numbers)}，请先处理（kpi dispute resolve）再定稿"
            )
        conn.execute(
            versions.update().where(versions.c.id == version.id).values(state="final", finalised_at=at)
        )
        cards = vendor_rows(conn, version.id)
        total = sum((Decimal(c.payout) for c in cards), Decimal("0.00"))
        audit.append(
            conn,
            at,
            user,
            "finalise",
            month,
            f"定稿 {month} 第 {version.number} 版",
            {"version": version.number, "state": "已发布"},
            {"version": version.number, "state": "已定稿", "payout_total": f"{total:.2f}",
             "payouts": {c.vendor: c.payout for c in cards}, "fingerprint": version.fingerprint},
        )  # fmt: skip
    return VersionInfo(
        month, version.number, "final", len(cards), total, version.fingerprint, version.deadline
    )


def statement_lines(conn: Connection, version_id: int) -> list[dict[str, str]]:
    """The stored statement lines of a version (for reproducing its statement), by vendor."""
    return [json.loads(r.statement) for r in vendor_rows(conn, version_id)]
