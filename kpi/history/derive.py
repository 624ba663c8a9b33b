"""A new version derived from an existing one with one vendor's input changed and re-scored: what an
accepted dispute (published, the old one superseded) and a correction of a finalised month (a new
final version marked 更正, the old one kept as it was) both do."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from kpi.history.cycle import insert_version
from kpi.history.snapshot import StoredCard, encode, record_from, stored_card
from kpi.history.store import HistoryError
from kpi.history.tables import agent_rows, source_files, versions
from kpi.history.versions import rulebook_of, vendor_rows
from kpi.inputs import BY_KEY, over_limit
from kpi.scoring.scorecard import score


@dataclass(frozen=True)
class Change:
    """One vendor's input set to a value; `source` is what the record's sources will say for it."""

    vendor: str
    key: str
    value: int | Fraction
    source: str


@dataclass(frozen=True)
class Derived:
    id: int
    number: int
    fingerprint: str
    before: dict[str, object]  # the vendor's value, score and payout in the old version
    after: dict[str, object]  # … and in the new one


def carried(row: Row) -> StoredCard:
    """A vendor-month carried unchanged into a new version."""
    return StoredCard(row.vendor, json.loads(row.record), json.loads(row.scorecard), json.loads(row.statement),
                      row.total_score, row.payout, row.fingerprint)  # fmt: skip


def changed_card(conn: Connection, version: Row, row: Row, change: Change) -> StoredCard:
    record = record_from(json.loads(row.record))
    inputs = {**record.inputs, change.key: change.value}
    bad = over_limit(dict(inputs))
    if bad:
        column, found, limit = bad[0]
        limit_label = BY_KEY[column.at_most].header if column.at_most else ""
        raise HistoryError(
            f"改动后「{column.header}」为 {found}，超过「{limit_label}」{limit}，请核对所给的值"
        )
    new = replace(record, inputs=inputs, sources={**record.sources, change.key: change.source})
    return stored_card(new, score(new, rulebook_of(conn, version)))


def derive(
    conn: Connection,
    version: Row,
    change: Change,
    *,
    state: str,
    kind: str,
    note: str,
    at: str,
    user: str,
    supersede: bool,
) -> Derived:
    """The new version (numbered after the month's last), its agents and source files copied."""
    cards, before, after = [], {}, {}
    rows = vendor_rows(conn, version.id)
    if change.vendor not in {r.vendor for r in rows}:
        names = "、".join(r.vendor for r in rows)
        raise HistoryError(
            f"{version.month} 第 {version.number} 版中没有外包公司「{change.vendor}」（有：{names}）"
        )
    for row in rows:
        if row.vendor != change.vendor:
            cards.append(carried(row))
            continue
        card = changed_card(conn, version, row, change)
        cards.append(card)
        old_value = json.loads(row.record)["inputs"].get(change.key)
        before = {
            "version": version.number,
            "value": old_value,
            "total_score": row.total_score,
            "payout": row.payout,
        }
        after = {"value": encode(change.value), "total_score": card.total_score, "payout": card.payout}
    if supersede:
        conn.execute(versions.update().where(versions.c.id == version.id).values(state="superseded"))
    new_id, number, digest = insert_version(
        conn, version.month, cards, state=state, kind=kind, rulebook_sha256=version.rulebook_sha256, when=at,
        user=user, parent_id=version.id, note=note, published_at=version.published_at, deadline=version.deadline,
    )  # fmt: skip
    if state == "final":
        conn.execute(versions.update().where(versions.c.id == new_id).values(finalised_at=at))
    for table in (agent_rows, source_files):
        copied = [
            {k: v for k, v in r._mapping.items() if k not in ("id", "version_id")}
            for r in conn.execute(sa.select(table).where(table.c.version_id == version.id))
        ]
        if copied:
            conn.execute(table.insert(), [{**c, "version_id": new_id} for c in copied])
    return Derived(new_id, number, digest, before, {**after, "version": number, "fingerprint": digest})
