"""Reading the history: a month's versions and state, a version's vendor-months, the months list.

States: a version is 草稿 (draft), 已发布 (published), 已定稿 (final), or 已取代 (superseded by a later
publication or an accepted dispute). A month is 已定稿 once one of its versions is final, else 已发布
while one is published, else 草稿.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from kpi.history.store import HistoryError
from kpi.history.tables import audit_head, rulebooks, vendor_months, versions
from kpi.rules.rulebook import Rulebook, parse_rulebook

STATE_LABELS = {"draft": "草稿", "published": "已发布", "final": "已定稿", "superseded": "已取代"}
KIND_LABELS = {"import": "导入", "dispute": "争议更正", "correction": "更正"}


def now() -> datetime:
    """The local time, with its offset (what every row records)."""
    return datetime.now().astimezone()


def stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def month_versions(conn: Connection, month: str) -> list[Row]:
    return list(
        conn.execute(sa.select(versions).where(versions.c.month == month).order_by(versions.c.number))
    )


def month_state(rows: list[Row]) -> str | None:
    states = {r.state for r in rows}
    for state in ("final", "published", "draft"):
        if state in states:
            return state
    return None


def current(rows: list[Row]) -> Row | None:
    """The version that stands for the month: the final one, else the published one, else the newest."""
    for state in ("final", "published"):
        found = [r for r in rows if r.state == state]
        if found:
            return found[-1]
    return rows[-1] if rows else None


def with_state(conn: Connection, month: str, state: str, action: str) -> Row:
    """The month's version in `state`, or a HistoryError saying why `action` cannot be done."""
    rows = month_versions(conn, month)
    if not rows:
        raise HistoryError(f"{month} 还没有导入过，无法{action}（先用 kpi import 导入该月）")
    have = month_state(rows)
    if have == "final" and state != "final":
        final = current(rows)
        assert final is not None
        raise HistoryError(
            f"{month} 已定稿（第 {final.number} 版），不能再{action}；定稿后的数据不会被改动，更正请另立更正版本"
        )
    found = [r for r in rows if r.state == state]
    if not found:
        raise HistoryError(f"{month} 现为「{STATE_LABELS[have or 'draft']}」，无法{action}")
    return found[-1]


def rulebook_of(conn: Connection, version: Row) -> Rulebook:
    text = conn.execute(
        sa.select(rulebooks.c.text).where(rulebooks.c.sha256 == version.rulebook_sha256)
    ).scalar_one()
    return parse_rulebook(text, source=f"规则本 {version.rulebook_sha256[:12]}")


def vendor_rows(conn: Connection, version_id: int) -> list[Row]:
    return list(
        conn.execute(
            sa.select(vendor_months)
            .where(vendor_months.c.version_id == version_id)
            .order_by(vendor_months.c.vendor)
        )
    )


@dataclass(frozen=True)
class MonthSummary:
    month: str
    state: str  # draft | published | final
    version: int  # the number of the version standing for the month
    versions: int
    kind: str  # of the standing version: import | dispute | correction
    deadline: str | None
    published_at: str | None
    finalised_at: str | None
    payout_total: str
    fingerprint: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def version_label(self) -> str:
        return f"第 {self.version} 版" + ("（更正）" if self.kind == "correction" else "")


def months(conn: Connection) -> list[MonthSummary]:
    out = []
    names = conn.execute(sa.select(versions.c.month).distinct().order_by(versions.c.month)).scalars()
    for month in list(names):
        rows = month_versions(conn, month)
        standing = current(rows)
        assert standing is not None
        cards = vendor_rows(conn, standing.id)
        total = sum((Decimal(c.payout) for c in cards), start=Decimal("0.00"))
        out.append(
            MonthSummary(
                month,
                month_state(rows) or "draft",
                standing.number,
                len(rows),
                standing.kind,
                standing.deadline,
                standing.published_at,
                standing.finalised_at,
                f"{total:.2f}",
                standing.fingerprint,
            )
        )
    return out


def card_dicts(conn: Connection, version_id: int) -> list[dict[str, object]]:
    """The stored scorecards (JSON of `kpi score`) of a version, by vendor."""
    return [json.loads(r.scorecard) for r in vendor_rows(conn, version_id)]


@dataclass(frozen=True)
class VersionLine:
    number: int
    state: str
    kind: str
    created_at: str
    created_by: str
    note: str
    payout_total: Decimal
    fingerprint: str

    @property
    def label(self) -> str:
        return f"{STATE_LABELS[self.state]}（{KIND_LABELS[self.kind]}）"


def version_lines(conn: Connection, month: str) -> list[VersionLine]:
    """Every version of a month, oldest first, with its statement total and fingerprint."""
    return [
        VersionLine(r.number, r.state, r.kind, r.created_at, r.created_by, r.note,
                    sum((Decimal(c.payout) for c in vendor_rows(conn, r.id)), Decimal("0.00")), r.fingerprint)
        for r in month_versions(conn, month)
    ]  # fmt: skip


@dataclass(frozen=True)
class StandingCard:
    """A vendor's month as it stands (the month's final, else published, else newest version)."""

    month: str
    state: str
    version: int
    vendor: str
    scorecard: dict
    payout: Decimal


def standing_cards(conn: Connection) -> list[StandingCard]:
    """Every month's standing scorecards, by month then vendor, in two queries."""
    by_month: dict[str, list[Row]] = {}
    for row in conn.execute(sa.select(versions).order_by(versions.c.month, versions.c.number)):
        by_month.setdefault(row.month, []).append(row)
    standing = {}
    for rows in by_month.values():
        version = current(rows)
        assert version is not None
        standing[version.id] = (version, month_state(rows) or "draft")
    if not standing:
        return []
    query = sa.select(
        vendor_months.c.version_id, vendor_months.c.vendor, vendor_months.c.scorecard, vendor_months.c.payout
    )
    out = [
        StandingCard(standing[r.version_id][0].month, standing[r.version_id][1], standing[r.version_id][0].number,
                     r.vendor, json.loads(r.scorecard), Decimal(r.payout))
        for r in conn.execute(query.where(vendor_months.c.version_id.in_(list(standing))))
    ]  # fmt: skip
    return sorted(out, key=lambda c: (c.month, c.vendor))


def audit_head_hash(conn: Connection) -> str:
    """Changes with every write: what the app's caches of the history are keyed on."""
    return conn.execute(sa.select(audit_head.c.last_hash)).scalar() or ""
