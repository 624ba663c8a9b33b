"""The audit trail: one append-only row per import, publish, dispute, decision, finalisation and
export (who, when, what, before/after), each carrying the hash of the row before it.

`verify` walks the chain and reports the first row that was altered or removed: a row whose own
hash does not match its content was altered; a gap in the numbering, a row whose `prev_hash` is not
its predecessor's hash, or a chain shorter than the recorded head means rows were removed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.history.tables import audit, audit_head

GENESIS = "0" * 64


def canonical(value: object) -> str:
    """The one JSON text of a value (sorted keys, no spaces), so hashes are reproducible."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    who: str
    action: str
    month: str | None
    subject: str
    before: dict
    after: dict
    prev_hash: str
    hash: str


def row_hash(
    id: int,
    at: str,
    who: str,
    action: str,
    month: str | None,
    subject: str,
    before: str,
    after: str,
    prev_hash: str,
) -> str:
    return sha256_text(canonical([id, at, who, action, month, subject, before, after, prev_hash]))


def append(
    conn: Connection,
    at: str,
    who: str,
    action: str,
    month: str | None,
    subject: str,
    before: dict | None = None,
    after: dict | None = None,
) -> int:
    """Add one row at the chain's end (call inside `store.writing`, which serialises writers)."""
    head = conn.execute(sa.select(audit_head.c.last_id, audit_head.c.last_hash)).first()
    last_id, prev = (head.last_id, head.last_hash) if head else (0, GENESIS)
    new_id = last_id + 1
    before_text, after_text = canonical(before or {}), canonical(after or {})
    digest = row_hash(new_id, at, who, action, month, subject, before_text, after_text, prev)
    conn.execute(
        audit.insert().values(
            id=new_id,
            at=at,
            who=who,
            action=action,
            month=month,
            subject=subject,
            before=before_text,
            after=after_text,
            prev_hash=prev,
            hash=digest,
        )
    )
    if head:
        conn.execute(audit_head.update().values(last_id=new_id, last_hash=digest))
    else:
        conn.execute(audit_head.insert().values(id=1, last_id=new_id, last_hash=digest))
    return new_id


def rows(conn: Connection, month: str | None = None) -> list[AuditRow]:
    query = sa.select(audit).order_by(audit.c.id)
    if month is not None:
        query = query.where(audit.c.month == month)
    return [
        AuditRow(
            r.id, r.at, r.who, r.action, r.month, r.subject, json.loads(r.before), json.loads(r.after),
            r.prev_hash, r.hash,
        )
        for r in conn.execute(query)
    ]  # fmt: skip


@dataclass(frozen=True)
class AuditCheck:
    rows: int
    first_bad: int | None  # the number of the first row altered or removed
    message: str

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def verify(conn: Connection) -> AuditCheck:
    expected_id, prev = 1, GENESIS
    count = 0
    for r in conn.execute(sa.select(audit).order_by(audit.c.id)):
        count += 1
        if r.id != expected_id:
            return AuditCheck(count, expected_id, f"第 {expected_id} 行已被删除（其后一行是第 {r.id} 行）")
        if (
            row_hash(r.id, r.at, r.who, r.action, r.month, r.subject, r.before, r.after, r.prev_hash)
            != r.hash
        ):
            return AuditCheck(count, r.id, f"第 {r.id} 行已被改动（内容与其哈希不符）")
        if r.prev_hash != prev:
            return AuditCheck(count, r.id, f"第 {r.id} 行记录的上一行哈希不符：其前的行已被改动或删除")
        prev, expected_id = r.hash, expected_id + 1
    head = conn.execute(sa.select(audit_head.c.last_id, audit_head.c.last_hash)).first()
    last = expected_id - 1
    if head is None:
        if last:
            return AuditCheck(count, 1, "审计链尾记录已被删除，无法确认最后几行是否完整")
        return AuditCheck(0, None, "审计记录为空")
    if head.last_id > last:
        return AuditCheck(count, last + 1, f"第 {last + 1} 行起已被删除（应有 {head.last_id} 行）")
    if head.last_id < last or head.last_hash != prev:
        return AuditCheck(count, head.last_id, f"审计链尾记录与第 {head.last_id} 行不符：记录已被改动")
    return AuditCheck(count, None, f"审计记录完整：共 {count} 行，末行哈希 {prev[:16]}…")
